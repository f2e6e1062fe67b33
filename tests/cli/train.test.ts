import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunConfig } from '../../lib/train/run-folder';
import { runCli } from './run-cli';
import { TINY_TRAIN_ARGS, tinyRun } from './tiny-run';

describe('cli train', function () {
  this.timeout(60000);

  it('trains and writes a run folder with config, logs and the final model', async () => {
    const { run, trainOutput } = await tinyRun();
    assert.equal(trainOutput.code, 0, trainOutput.stderr);
    const summary = JSON.parse(trainOutput.stdout);
    assert.equal(summary.steps, 2);
    assert.equal(summary.train_cases + summary.val_cases, 4);
    assert.ok('dice' in summary.last_validation && 'auc' in summary.last_validation);
    const config = await readRunConfig(run);
    assert.equal(config.model.kind, 'mtl');
    assert.deepEqual(config.data.sequences, ['t1c']);
    assert.deepEqual(config.data.classes, ['wildtype', 'mutant']);
    assert.equal(config.train.seed, 0);
    assert.equal(config.backend, 'wasm');
    assert.ok(config.versions.tfjs);
    for (const f of ['metrics.csv', 'task-weights.csv', 'model/model.json', 'checkpoints/latest.json']) assert.ok(existsSync(join(run, f)), f);
    assert.equal(readFileSync(join(run, 'task-weights.csv'), 'utf8').trim().split('\n').length, 3);
  });

  it('refuses a run folder that already holds a run, unless resuming', async () => {
    const { data, run } = await tinyRun();
    const again = await runCli(['train', '--data', data, '--out', run, ...TINY_TRAIN_ARGS]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds a training run; pass --resume/);
    const resumed = await runCli(['train', '--data', data, '--out', run, '--resume', '--backend', 'wasm', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).steps, 2);
  });

  it('gives clear errors for a missing data folder and bad options', async () => {
    const { root } = await tinyRun();
    const missing = await runCli(['train', '--data', join(root, 'nope'), '--out', join(root, 'r2'), ...TINY_TRAIN_ARGS]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope: data folder does not exist/);
    const bad = await runCli(['train', '--data', root, '--out', join(root, 'r3'), '--model', 'resnet']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--model must be one of mtl, seg, cls, unet, got 'resnet'/);
    const size = await runCli(['train', '--data', root, '--out', join(root, 'r3'), '--model', 'mtl', '--size', '30']);
    assert.match(size.stderr, /multiple of 16/);
    const batch = await runCli(['train', '--data', root, '--out', join(root, 'r3'), '--model', 'mtl', '--batch', '0']);
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /--batch must be a positive integer, got 0/);
  });
});
