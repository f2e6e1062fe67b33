import { strict as assert } from 'node:assert';
import { holm } from '../../lib/stats/holm';
import { closeRel } from './close';

// The expected values come from a hand-written Holm in python (statsmodels is not installed), run once:
//   def holm(p):
//       idx = [i for i, v in enumerate(p) if v is not None and v == v]; m = len(idx); out = [None] * len(p); run = 0
//       for r, i in enumerate(sorted(idx, key=lambda i: p[i])): run = max(run, min(1, (m - r) * p[i])); out[i] = run
//       return out
// and by hand for the first case: sorted 0.005·5 = 0.025, 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 -> 0.09
// (running maximum), 0.5·1 = 0.5.
describe('stats/holm', () => {
  it('adjusts step-down, keeps the input order and skips null and NaN', () => {
    // holm([0.01, 0.04, 0.03, None, 0.005, float('nan'), 0.5]) -> [0.04, 0.09, 0.09, None, 0.025, None, 0.5]
    const got = holm([0.01, 0.04, 0.03, null, 0.005, NaN, 0.5]);
    const want = [0.04, 0.09, 0.09, null, 0.025, null, 0.5];
    assert.equal(got.length, want.length);
    got.forEach((g, i) => (want[i] === null ? assert.equal(g, null) : closeRel(g, want[i] as number, 1e-15)));
  });

  it('caps at 1, is monotone in sorted order and gives ties equal values', () => {
    // holm([0.3, 0.6, 0.02, 0.02]) -> [0.6, 0.6, 0.08, 0.08]
    assert.deepEqual(holm([0.3, 0.6, 0.02, 0.02]), [0.6, 0.6, 0.08, 0.08]);
    assert.deepEqual(holm([0.4, 0.9]), [0.8, 0.9]);
    assert.deepEqual(holm([0.7, 0.6]), [1, 1]);
  });

  it('handles empty and all-undefined input, and rejects values outside [0, 1]', () => {
    assert.deepEqual(holm([]), []);
    assert.deepEqual(holm([null, NaN]), [null, null]);
    assert.deepEqual(holm([0.2]), [0.2]);
    assert.throws(() => holm([0.1, 1.5]), /position 1 is 1.5/);
  });
});
