import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../../lib/errors';
import { trainRun } from '../../lib/experiments/train-run';
import { runCli } from '../cli/run-cli';
import { TINY_TRAIN_ARGS, writeTinyCohort } from '../cli/tiny-run';

describe('trainRun on part of a cohort', function () {
  this.timeout(60000);
  let root: string;
  let data: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-train-run-'));
    data = join(root, 'cohort');
    await writeTinyCohort(data, 6);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const tiny = { model: { kind: 'mtl' as const, encoder: { baseChannels: 4 } }, preprocess: { size: 32 }, train: { steps: 1, batchSize: 2 }, backend: 'wasm' as const };

  it('splits and trains only the chosen cases', async () => {
    const cases = ['tiny-1', 'tiny-2', 'tiny-4', 'tiny-5'];
    const { config, result } = await trainRun({ ...tiny, data, out: join(root, 'subset'), cases, valFraction: 0.5 });
    assert.equal(result.steps, 1);
    assert.deepEqual([...config.data.train, ...config.data.val].sort(), cases);
    assert.equal(config.data.val.length, 2);
  });

  it('names an unknown case and refuses an empty choice', async () => {
    await assert.rejects(
      trainRun({ ...tiny, data, out: join(root, 'unknown'), cases: ['tiny-1', 'tiny-9'] }),
      (e: Error) => e instanceof DatasetError && /case tiny-9 \(asked for training\) is not in the data folder/.test(e.message) && e.message.includes(data),
    );
    await assert.rejects(trainRun({ ...tiny, data, out: join(root, 'none'), cases: [] }), /no case chosen for training/);
  });

  it('egfr-gtv train --cases a,b,c', async () => {
    const run = await runCli(['train', '--data', data, '--out', join(root, 'cli'), ...TINY_TRAIN_ARGS, '--cases', 'tiny-0, tiny-3,tiny-5']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.train_cases + summary.val_cases, 3);
  });
});
