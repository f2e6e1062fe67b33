import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareStudy } from '../../lib/experiments/compare';
import { exportReferenceResults, readProvenance } from '../../lib/experiments/reference-results';
import { loadStudy } from '../../lib/experiments/study';
import { studyPaths } from '../../lib/experiments/study-folder';
import { runPaths } from '../../lib/train/run-folder';
import { runCli } from '../cli/run-cli';
import { writeStudy } from './built-study';

describe('experiments: reference results', function () {
  this.timeout(120000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-results-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('exports a study folder without weights that loads and compares like the study, with provenance', async () => {
    const study = join(root, 'study');
    writeStudy(study);
    const run = runPaths(studyPaths(study).run('mtl__uncertainty__s1'));
    mkdirSync(run.model, { recursive: true });
    writeFileSync(join(run.model, 'weights.bin'), Buffer.alloc(64));
    mkdirSync(run.checkpoints, { recursive: true });
    writeFileSync(run.config, '{"format":"egfr-gtv-run"}\n');
    writeFileSync(run.taskWeights, 'step,epoch\n0,1\n');
    const out = join(root, 'results', 'built');
    const provenance = await exportReferenceResults(study, out, { command: 'npm start', wallSeconds: 12.5 });
    assert.equal(provenance.finishedCells, 8);
    assert.deepEqual(provenance.pendingCells, []);
    assert.equal(provenance.wallSeconds, 12.5);
    assert.ok(provenance.machine.cpus >= 1);
    assert.deepEqual(await readProvenance(out), provenance);
    const exportedRun = runPaths(studyPaths(out).run('mtl__uncertainty__s1'));
    assert.ok(existsSync(exportedRun.config) && existsSync(exportedRun.taskWeights));
    assert.ok(!existsSync(exportedRun.model) && !existsSync(exportedRun.checkpoints), 'weights and checkpoints stay behind');
    const [a, b] = [compareStudy(await loadStudy(study), { replicates: 300 }), compareStudy(await loadStudy(out), { replicates: 300 })];
    assert.deepEqual(b, a);
  });

  it('replaces a previous export only once the new one is complete, and refuses a study with no finished cell', async () => {
    const study = join(root, 'study2');
    writeStudy(study);
    const out = join(root, 'results', 'again');
    await exportReferenceResults(study, out, { command: 'first' });
    await exportReferenceResults(study, out, { command: 'second' });
    assert.equal((await readProvenance(out)).command, 'second');
    assert.ok(!existsSync(`${out}.partial`) && !existsSync(`${out}.previous`));
    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(studyPaths(empty).grid, readFileSync(studyPaths(study).grid));
    await assert.rejects(exportReferenceResults(empty, join(root, 'results', 'none'), { command: 'x' }), /no finished cell to export/);
    assert.equal((await readProvenance(out)).command, 'second');
  });

  it('egfr-gtv export-results writes the folder and prints its provenance', async () => {
    const study = join(root, 'study3');
    writeStudy(study);
    const out = join(root, 'results', 'cli');
    const r = await runCli(['export-results', '--study', study, '--out', out, '--command', 'npm start', '--wall-seconds', '60', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { out: string; wallSeconds: number; finishedCells: number };
    assert.equal(printed.out, out);
    assert.equal(printed.wallSeconds, 60);
    assert.equal(printed.finishedCells, 8);
  });
});
