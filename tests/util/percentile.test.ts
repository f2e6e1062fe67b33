import { strict as assert } from 'node:assert';
import { median, percentile, percentiles } from '../../lib/util/percentile';

describe('metrics/percentile', () => {
  it('interpolates linearly like numpy', () => {
    // np.percentile([0, 2], 95) = 1.9; np.percentile([4, 1, 3, 2], 95) = 3.85; np.percentile([5], 95) = 5.
    assert.ok(Math.abs(percentile([0, 2], 95) - 1.9) < 1e-12);
    assert.ok(Math.abs(percentile([4, 1, 3, 2], 95) - 3.85) < 1e-12);
    assert.equal(percentile([5], 95), 5);
    assert.equal(percentile([3, 1, 2], 0), 1);
    assert.equal(percentile([3, 1, 2], 100), 3);
    assert.equal(percentile([3, 1, 2], 50), 2);
  });

  it('is NaN for no values and rejects q outside [0, 100]', () => {
    assert.ok(Number.isNaN(percentile([], 95)));
    assert.throws(() => percentile([1], 101), RangeError);
  });
});

describe('percentiles and median', () => {
  it('match percentile for each q with one sort', () => {
    const xs = [7, 1, 3, 9, 4, 4, 10, 2];
    assert.deepEqual(
      percentiles(xs, [0, 12.5, 50, 99.5, 100]),
      [0, 12.5, 50, 99.5, 100].map((q) => percentile(xs, q)),
    );
  });

  it('take the mean of the middle pair for an even count', () => {
    // Sorted 1 2 3 4 4 7 9 10: the middle pair is (4, 4); np.median([1, 2, 3, 10]) is 2.5.
    assert.equal(median([7, 1, 3, 9, 4, 4, 10, 2]), 4);
    assert.equal(median([10, 1, 3, 2]), 2.5);
    assert.equal(median([5]), 5);
  });
});
