import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every notebook runs top to bottom, headless, in fast mode (EGFR_GTV_FAST=1), through `bash scripts/notebooks.sh`;
 * any cell error, runtime or TypeScript type error, fails its test. The set-up
 * (`bash kernel-setup/install.sh`) must have run: without it these tests fail and say so, rather than skip, since
 * CI must never pass without running the notebooks.
 */

const root = join(__dirname, '..', '..');
const notebookDir = join(root, 'notebooks');
const outputDir = join(root, '.cache', 'notebooks');
const script = join(root, 'scripts', 'notebooks.sh');
/** Per cell, in fast mode; the whole notebook should stay near 3 minutes. */
const cellTimeoutS = 300;

interface RunResult {
  status: number | null;
  output: string;
}

function runNotebooks(paths: string[], output: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const args = [script, '--fast', '--cell-timeout', String(cellTimeoutS), '--output-dir', output, ...paths];
    const child = spawn('bash', args, { cwd: root });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: out }));
  });
}

/** A notebook file in nbformat 4.5 (cells need ids), with the tslab kernel. */
function notebookJson(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe('notebooks: executed headless in fast mode', function () {
  this.timeout(cellTimeoutS * 1000 * 2);

  before(() => {
    const check = spawnSync('bash', [join(root, 'kernel-setup', 'check.sh'), '--quiet'], { encoding: 'utf8' });
    if (check.status !== 0) {
      throw new Error(`the notebook set-up is incomplete (run 'bash kernel-setup/install.sh'):\n${check.stdout}`);
    }
  });

  it('a failing cell fails the run, with its source and error printed, for type and runtime errors alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-nb-'));
    try {
      const typeError = join(dir, 'type-error.ipynb');
      const runtimeError = join(dir, 'runtime-error.ipynb');
      writeFileSync(typeError, notebookJson(['const ok = 1;', "const n: number = 'not a number';", 'ok']));
      writeFileSync(runtimeError, notebookJson(['const a = 2;', "throw new Error('boom in cell ' + a);"]));
      const r = await runNotebooks([typeError, runtimeError], join(dir, 'out'));
      assert.equal(r.status, 1, r.output);
      assert.match(r.output, /FAIL {2}type-error\.ipynb .* in cell 1/);
      assert.match(r.output, /Type 'string' is not assignable to type 'number'/);
      assert.match(r.output, /FAIL {2}runtime-error\.ipynb .* in cell 1/);
      assert.match(r.output, /boom in cell 2/);
      // The executed copy is written even after a failure, for reading the outputs up to it.
      assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['runtime-error.ipynb', 'type-error.ipynb']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const notebooks = readdirSync(notebookDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();

  it('finds the notebooks', () => {
    assert.ok(notebooks.includes('00-getting-started.ipynb'), `found: ${notebooks.join(', ')}`);
  });

  it('committed notebooks embed no plotly.js (interactive output is 4.8 MB a figure: commit PNGs)', () => {
    const heavy = notebooks.filter((n) => readFileSync(join(notebookDir, n), 'utf8').includes('plotly.js v'));
    assert.deepEqual(heavy, []);
  });

  for (const name of notebooks) {
    it(`runs ${name} top to bottom`, async () => {
      const r = await runNotebooks([join(notebookDir, name)], outputDir);
      assert.equal(r.status, 0, `${name} failed:\n${r.output}`);
      const executed = JSON.parse(readFileSync(join(outputDir, name), 'utf8')) as {
        cells: { cell_type: string; outputs?: { output_type: string }[] }[];
      };
      const errors = executed.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'error'));
      assert.deepEqual(errors, [], 'no error outputs');
    });
  }
});
