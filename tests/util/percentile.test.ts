import { strict as assert } from 'node:assert';
import { percentile } from '../../lib/metrics/percentile';

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
