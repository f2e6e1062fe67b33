/**
 * Issue 17 on a real single-node Slurm cluster from Debian's packages: scripts/slurm/install.sh installs munge,
 * slurmctld, slurmd and slurm-client through apt (root; skipped with a message only where apt cannot), start.sh starts
 * the daemons by hand with a slurm.conf of its own (SLURM_CONF), stop.sh stops them by the PIDs start.sh recorded.
 * The fast grid goes through `ablate --submit slurm --array-parallel 2 --wait`; a longer grid is cut by scancel in the
 * middle of a cell and submitted again. Both end with the numbers of the sequential run, cell by cell.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridCells, readGrid } from '../../lib/experiments/grid';
import { cli, heldIntervals, histories, longGrid, rowsByCell, waitForHalfTrained } from './cluster-helpers';
import { writeTinyCohort } from './tiny-study';

const SCRIPTS = join(__dirname, '..', '..', 'scripts', 'slurm');
const FAST_GRID = join(__dirname, '..', '..', 'grids', 'quick.json');

describe('experiments: a study on a real Slurm cluster', function () {
  this.timeout(600000);
  let root: string;
  let state: string;
  let common: string[];
  let started = false;
  const env: NodeJS.ProcessEnv = {};

  before(async function () {
    root = mkdtempSync(join(tmpdir(), 'slurm-study-'));
    state = join(root, 'cluster');
    const install = spawnSync('bash', [join(SCRIPTS, 'install.sh')], { encoding: 'utf8' });
    if (install.status !== 0) {
      process.stdout.write(`      SKIPPED: Slurm could not be installed through apt here:\n${install.stdout}${install.stderr}`);
      this.skip();
    }
    const t0 = Date.now();
    const start = spawnSync('bash', [join(SCRIPTS, 'start.sh'), state], { encoding: 'utf8' });
    started = true;
    assert.equal(start.status, 0, start.stdout + start.stderr);
    process.stdout.write(`      ${start.stdout.trim()} (${((Date.now() - t0) / 1000).toFixed(1)} s with munged)\n`);
    env.SLURM_CONF = join(state, 'slurm.conf');
    env.PATH = `${process.env.PATH}:/usr/sbin:/sbin`;
    Object.assign(process.env, env);
    const data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    const test = await writeTinyCohort(join(root, 'test'), 4, 8);
    common = ['--data', data, '--test', `t=${test}`, '--bootstrap', '20'];
  });

  after(function () {
    this.timeout(60000);
    if (started) process.stdout.write(`      ${execFileSync('bash', [join(SCRIPTS, 'stop.sh'), state], { encoding: 'utf8' }).trim()}\n`);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the fast grid through --submit slurm --array-parallel 2 --wait: tasks overlap, each cell trained once, the sequential numbers', async () => {
    const fast = { EGFR_GTV_FAST: '1' };
    const cells = gridCells(await readGrid(FAST_GRID, { fast: true })).map((c) => c.id);
    const reference = join(root, 'fast-sequential');
    const seq = await cli(['ablate', '--grid', FAST_GRID, ...common, '--out', reference], fast);
    assert.equal(seq.code, 0, seq.out);

    const out = join(root, 'fast-slurm');
    const t0 = Date.now();
    const r = await cli(['ablate', '--grid', FAST_GRID, ...common, '--out', out, '--submit', 'slurm', '--array-parallel', '2', '--cpus-per-task', '1', '--no-report', '--wait'], fast);
    const wall = (Date.now() - t0) / 1000;
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`all ${cells.length} cells finished`));
    process.stdout.write(`      fast grid (${cells.length} cells) through Slurm: ${wall.toFixed(1)} s wall\n`);
    const script = readFileSync(join(out, 'slurm', 'ablate.sbatch'), 'utf8');
    assert.match(script, new RegExp(`#SBATCH --array=0-${cells.length - 1}%2`));
    assert.match(script, /EGFR_NATIVE_THREADS=\$threads/);

    const h = await histories(out, cells);
    for (const c of cells) {
      assert.deepEqual(h[c].map((e) => e.event), ['claimed', 'finished'], `${c} trained exactly once`);
      assert.match(h[c][0].worker, /slurm-\d+_\d/);
    }
    const spans = cells.map((c) => heldIntervals(h[c])[0]);
    const overlap = spans.some((a, i) => spans.some((b, j) => i < j && a[0] < b[1] && b[0] < a[1]));
    assert.ok(overlap, `no two cells were trained at the same time: ${JSON.stringify(spans)}`);
    assert.ok(new Set(cells.map((c) => h[c][0].worker)).size >= 2, 'by different tasks');
    assert.deepEqual(rowsByCell(out, cells), rowsByCell(reference, cells));
    // The report job ran after the array and rebuilt results.csv from the records.
    const reportLog = r.out.match(/report log (\S+)/)![1];
    assert.match(readFileSync(reportLog, 'utf8'), new RegExp(`${cells.length}/${cells.length} cells finished`));
    assert.equal(readFileSync(join(out, 'results.csv'), 'utf8'), readFileSync(join(reference, 'results.csv'), 'utf8'));
  });

  it('a task cancelled mid-cell (scancel), the array submitted again: the cut cell resumes from its checkpoint, nothing trained twice', async () => {
    const gridFile = join(root, 'long.json');
    writeFileSync(gridFile, JSON.stringify(longGrid));
    const cells = gridCells(await readGrid(gridFile)).map((c) => c.id);
    const reference = join(root, 'long-sequential');
    const seq = await cli(['ablate', '--grid', gridFile, ...common, '--out', reference]);
    assert.equal(seq.code, 0, seq.out);

    const out = join(root, 'long-slurm');
    const submit = ['ablate', '--grid', gridFile, ...common, '--out', out, '--submit', 'slurm', '--array-parallel', '1', '--lease', '3', '--no-report'];
    const first = await cli(submit);
    assert.equal(first.code, 0, first.out);
    const job = first.out.match(/array job (\d+)/)![1];
    const step = await waitForHalfTrained(out, cells[0]);
    execFileSync('scancel', [job]);
    // Wait for the cancelled array to leave the queue (its report job runs and finds a cell unfinished).
    for (let i = 0; i < 600 && execFileSync('squeue', ['-h', '-o', '%i', '-j', job], { encoding: 'utf8' }).trim() !== ''; i++) await new Promise((r) => setTimeout(r, 100));

    const again = await cli([...submit, '--wait']);
    assert.equal(again.code, 0, again.out);
    const h = await histories(out, cells);
    const cut = h[cells[0]];
    assert.equal(cut[0].event, 'claimed');
    assert.equal(cut[0].fromStep, 0);
    const resumed = cut.find((e) => e.event === 'took-over');
    assert.ok(resumed, JSON.stringify(cut));
    assert.ok(resumed.fromStep! >= step && resumed.fromStep! > 0, `resumed from step ${resumed.fromStep}, checkpoint ${step}`);
    for (const c of cells) {
      assert.equal(h[c].filter((e) => e.fromStep === 0).length, 1, `${c} trained from scratch once`);
      assert.equal(h[c].filter((e) => e.event === 'finished').length, 1, `${c} finished once`);
    }
    assert.deepEqual(rowsByCell(out, cells), rowsByCell(reference, cells));
  });
});
