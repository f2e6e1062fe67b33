/**
 * TensorFlow.js's Node.js banner ("Hi, looks like you are running TensorFlow.js in Node.js ...") never reaches the
 * user: every command is run as a user runs it (a child process of bin/egfr-gtv.js) on the cpu backend, which prints
 * the banner on its first tensor unless lib/engine/backend.ts keeps it quiet, and its stdout and stderr are searched.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCommands } from '../../lib/cli/main';
import { writeTinyCohort } from './tiny-run';
import { writeStudy } from '../experiments/built-study';

const BIN = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');
const FIXTURE = join(__dirname, '..', 'fixtures', 'nifti', 'ch2_crop.nii.gz');
const BANNER = /looks like you are running TensorFlow\.js|tfjs-node for more details/i;

export function runBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, out: chunks.join('') }));
  });
}

describe('cli: no TensorFlow.js banner', function () {
  this.timeout(300000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-banner-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reaches the output of no command, and does with EGFR_GTV_TFJS_WARNINGS=1 (so the check can see it)', async () => {
    const data = join(root, 'cohort');
    await writeTinyCohort(data, 4);
    const run = join(root, 'run');
    const grads = join(root, 'g.json');
    writeFileSync(grads, JSON.stringify({ grads: [[1, 0], [0, 1]] }));
    const scores = join(root, 's.csv');
    writeFileSync(scores, 'label,score\n0,0.1\n1,0.9\n0,0.4\n1,0.6\n');
    const gtv = join(data, 'tiny-0', 'gtv.nii.gz');
    const study = join(root, 'built-study');
    writeStudy(study);
    const cpu = ['--backend', 'cpu'];
    const tiny = ['--model', 'mtl', '--size', '32', '--base-channels', '4', '--steps', '2', '--steps-per-epoch', '2', '--batch', '2', '--val-fraction', '0.25', '--json'];
    // Each command with arguments that make it compute (the cheapest such run): ablate and report only check their
    // inputs here (a study takes minutes), but they load the same engine module as every other command.
    const runs: Record<string, string[][]> = {
      version: [['version']],
      backend: [['backend']],
      info: [['info', FIXTURE, '--json']],
      synth: [['synth', '--out', join(root, 'synth'), '--cases', '1', '--seed', '1', '--json']],
      train: [['train', '--data', data, '--out', run, ...tiny, ...cpu]],
      'patient-model': [['patient-model', '--run', run, '--data', data, '--json', ...cpu]],
      predict: [['predict', '--run', run, '--in', join(data, 'tiny-1', 't1c.nii.gz'), '--out', join(root, 'mask.nii.gz'), ...cpu]],
      eval: [['eval', '--run', run, '--data', data, '--json', '--bootstrap', '10', ...cpu]],
      metrics: [['metrics', 'seg', '--pred', gtv, '--gt', gtv, '--json'], ['metrics', 'cls', '--csv', scores, '--json', '--bootstrap', '10']],
      mtl: [['mtl', 'combine', '--method', 'mgda', '--grads', grads, '--json']],
      bench: [['bench', '--only', 'resample_ms', ...cpu]],
      ablate: [['ablate', '--grid', join(root, 'no-grid.json'), '--data', data, '--test', `t=${data}`]],
      report: [['report', '--study', root]],
      compare: [['compare', '--study', study, '--bootstrap', '100']],
      'export-results': [['export-results', '--study', study, '--out', join(root, 'exported')]],
    };
    const names = listCommands().map((c) => c.name);
    assert.deepEqual(Object.keys(runs).sort(), names.slice().sort(), 'every command has a run here');
    for (const name of Object.keys(runs)) {
      for (const args of runs[name]) {
        const r = await runBin(args);
        assert.doesNotMatch(r.out, BANNER, `egfr-gtv ${args.join(' ')}`);
        if (name !== 'ablate' && name !== 'report') assert.equal(r.code, 0, `egfr-gtv ${args.join(' ')}:\n${r.out}`);
      }
    }
    // With tfjs's own warnings let through, the same prediction shows the banner: the check above can see it.
    const loud = await runBin(runs.predict[0], { EGFR_GTV_TFJS_WARNINGS: '1' });
    assert.equal(loud.code, 0, loud.out);
    assert.match(loud.out, BANNER);
  });
});
