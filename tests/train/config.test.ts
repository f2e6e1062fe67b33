import { strict as assert } from 'node:assert';
import { resolveLossConfig } from '../../lib/losses/task-losses';
import { keepBestEpoch, resolveTrainConfig, trainDefaults } from '../../lib/train/config';

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
});
