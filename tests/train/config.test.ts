import { strict as assert } from 'node:assert';
import { resolveLossConfig } from '../../lib/losses/task-losses';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepBestEpoch, resolveTrainConfig, trainDefaults } from '../../lib/train/config';
import { RUN_FORMAT, RUN_FORMAT_VERSION, readRunConfig } from '../../lib/train/run-folder';

describe('train: config defaults', () => {
  it('an empty config trains what the quality run trains, with the loss fully resolved', () => {
    const c = resolveTrainConfig({}, 'mtl');
    assert.equal(c.steps, trainDefaults.steps);
    assert.equal(c.stepsPerEpoch, trainDefaults.stepsPerEpoch);
    assert.equal(c.batchSize, trainDefaults.batchSize);
    assert.equal(c.optimizer.learningRate, trainDefaults.learningRate);
    assert.equal(c.sampler.tumourFraction, trainDefaults.tumourFraction);
    assert.equal(c.warmupSteps, Math.round(trainDefaults.warmupShare * trainDefaults.steps));
    assert.deepEqual(c.weighting, { kind: 'uncertainty' });
    assert.deepEqual(c.loss, resolveLossConfig({}));
    assert.deepEqual(c.earlyStopping, keepBestEpoch(1600, 200, 1));
    assert.equal(c.earlyStopping!.patience, 8);
  });

  it('a classifier samples tumour slices only; a single-task model has fixed weights', () => {
    const c = resolveTrainConfig({}, 'cls');
    assert.equal(c.sampler.tumourFraction, 1);
    assert.deepEqual(c.weighting, { kind: 'fixed' });
  });

  it('keeps no best epoch without validation, and keeps an explicit early-stopping choice', () => {
    assert.equal(resolveTrainConfig({ validateEvery: 0 }, 'mtl').earlyStopping, null);
    assert.equal(resolveTrainConfig({ earlyStopping: null }, 'mtl').earlyStopping, null);
    const own = { metric: 'dice', mode: 'max' as const, patience: 2, minDelta: 0.01 };
    assert.deepEqual(resolveTrainConfig({ earlyStopping: own }, 'mtl').earlyStopping, own);
  });

  it("gives a random strategy the run's seed unless its config names one", () => {
    assert.deepEqual(resolveTrainConfig({ seed: 7, weighting: { kind: 'rlw' } }, 'mtl').weighting, { kind: 'rlw', seed: 7 });
    assert.deepEqual(resolveTrainConfig({ seed: 7, weighting: { kind: 'rlw', seed: 3 } }, 'mtl').weighting, { kind: 'rlw', seed: 3 });
    assert.deepEqual(resolveTrainConfig({ seed: 7, weighting: { kind: 'dwa' } }, 'mtl').weighting, { kind: 'dwa' });
  });

  it('reads a run folder written before the loss was resolved and the scanner randomisation existed as it trained', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'old-run-'));
    try {
      const train = { ...resolveTrainConfig({}, 'mtl'), loss: { seg: { positiveWeight: 5 } } } as Record<string, unknown>;
      const { scanner: _scanner, ...augment } = resolveTrainConfig({}, 'mtl').augment;
      train.augment = augment;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ format: RUN_FORMAT, formatVersion: RUN_FORMAT_VERSION, model: {}, data: {}, train }));
      const config = await readRunConfig(dir);
      assert.equal(config.train.loss.seg.positiveWeight, 5);
      assert.equal(config.train.loss.seg.dice, 1);
      assert.equal(config.train.augment.scanner.enabled, false);
      assert.equal(resolveTrainConfig({}, 'mtl').augment.scanner.enabled, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
