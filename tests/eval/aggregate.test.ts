import { strict as assert } from 'node:assert';
import { ConfigError, DatasetError } from '../../lib/errors';
import { aggregateSliceProbabilities, type SliceAggregation } from '../../lib/eval/aggregate';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

describe('eval/aggregate', () => {
  const probs = [0.9, 0.2, 0.6, 0.4];
  const areas = [0, 10, 30, 0];

  it('weights slice probabilities by predicted tumour area by default', () => {
    // (0.2 * 10 + 0.6 * 30) / 40 = 0.5; the tumour-free slices do not count.
    const r = aggregateSliceProbabilities(probs, areas);
    close(r.probability, 0.5);
    assert.deepEqual({ ...r, probability: 0 }, { probability: 0, method: 'area-weighted', tumourSlices: 2, fallback: false });
  });

  it('offers the max and the mean over slices with tumour', () => {
    close(aggregateSliceProbabilities(probs, areas, { method: 'max' }).probability, 0.6);
    close(aggregateSliceProbabilities(probs, areas, { method: 'tumour-mean' }).probability, 0.4);
    // A minimum area drops the 10-voxel slice.
    close(aggregateSliceProbabilities(probs, areas, { method: 'tumour-mean', minTumourArea: 10 }).probability, 0.6);
  });

  it('falls back to the mean over all slices when no slice has tumour', () => {
    for (const method of ['area-weighted', 'max', 'tumour-mean'] as SliceAggregation[]) {
      const r = aggregateSliceProbabilities(probs, [0, 0, 0, 0], { method });
      close(r.probability, 0.525);
      assert.equal(r.fallback, true);
    }
  });

  it('rejects bad input', () => {
    assert.throws(() => aggregateSliceProbabilities([], []), DatasetError);
    assert.throws(() => aggregateSliceProbabilities([0.5], [1, 2]), /1 slice probabilities but 2/);
    assert.throws(() => aggregateSliceProbabilities([1.5], [1]), /slice 0 has probability 1.5/);
    assert.throws(() => aggregateSliceProbabilities([0.5], [-1]), /tumour area -1/);
    assert.throws(() => aggregateSliceProbabilities([0.5], [1], { method: 'median' as SliceAggregation }), ConfigError);
  });
});
