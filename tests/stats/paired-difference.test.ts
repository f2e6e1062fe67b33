import { strict as assert } from 'node:assert';
import { ConfigError, DatasetError } from '../../lib/errors';
import { pairedDifference } from '../../lib/stats/paired-difference';
import { Rng } from '../../lib/util/rng';
import { closeRel } from './close';

const variant = [0.812, 0.745, 0.921, 0.663, 0.702, 0.884, 0.791, 0.853, 0.615, 0.907, 0.733, 0.828];
const reference = [0.776, 0.768, 0.853, 0.601, 0.713, 0.799, 0.834, 0.849, 0.527, 0.889, 0.671, 0.806];

describe('stats/paired-difference', () => {
  it('gives the mean and sample sd of variant - reference, as numpy', () => {
    // /usr/bin/python3: d = np.array(variant) - np.array(reference); repr(d.mean()), repr(d.std(ddof=1))
    const res = pairedDifference(variant, reference, { replicates: 2000 });
    assert.equal(res.n, 12);
    closeRel(res.mean_diff, 0.030666666666666665, 1e-12);
    closeRel(res.sd_diff, 0.04329042164336824, 1e-12);
    assert.equal(res.level, 0.95);
    // The order matters: the reference first flips the sign.
    closeRel(pairedDifference(reference, variant, { replicates: 10 }).mean_diff, -0.030666666666666665, 1e-12);
  });

  it('is deterministic for a seed and brackets the mean with a plausible width', () => {
    const a = pairedDifference(variant, reference, { seed: 3 });
    assert.deepEqual(pairedDifference(variant, reference, { seed: 3 }), a);
    assert.notDeepEqual(pairedDifference(variant, reference, { seed: 4 }).ci95, a.ci95);
    const [lo, hi] = a.ci95;
    assert.ok(lo < a.mean_diff && a.mean_diff < hi, `${lo} < ${a.mean_diff} < ${hi}`);
    // The normal-theory width 2·1.96·sd/√n is 0.049; the bootstrap of a mean is a little narrower (factor √((n-1)/n)).
    const normalWidth = (2 * 1.959964 * (a.sd_diff as number)) / Math.sqrt(a.n);
    assert.ok(Math.abs(hi - lo - normalWidth) < 0.2 * normalWidth, `width ${hi - lo} vs ${normalWidth}`);
    const narrow = pairedDifference(variant, reference, { seed: 3, level: 0.8 });
    assert.ok(narrow.ci95[0] > lo && narrow.ci95[1] < hi);
  });

  it('covers the true mean difference in about 95% of simulated studies', () => {
    const rng = new Rng('paired-coverage');
    const studies = 200;
    let covered = 0;
    for (let s = 0; s < studies; s++) {
      const ref = Array.from({ length: 30 }, () => rng.uniform(0.6, 0.9));
      const vari = ref.map((r) => r + rng.normal(0.02, 0.05));
      const [lo, hi] = pairedDifference(vari, ref, { replicates: 1000, seed: s }).ci95;
      if (lo <= 0.02 && 0.02 <= hi) covered++;
    }
    // The percentile bootstrap under-covers slightly at n = 30 (92.5% here); 0.88 is 4 binomial sd below 0.95.
    assert.ok(covered / studies > 0.88 && covered / studies <= 1, `coverage ${covered / studies}`);
  });

  it('has no sd for one patient, and a zero-width interval', () => {
    const res = pairedDifference([0.8], [0.7], { replicates: 50 });
    assert.equal(res.sd_diff, null);
    assert.deepEqual(res.ci95, [res.mean_diff, res.mean_diff]);
  });

  it('rejects bad input and bad options', () => {
    assert.throws(() => pairedDifference([1, 2], [1]), DatasetError);
    assert.throws(() => pairedDifference([], []), /no patients/);
    assert.throws(() => pairedDifference([1, Infinity], [1, 2]), /position 1/);
    assert.throws(() => pairedDifference([1, 2], [1, 2], { replicates: 0 }), ConfigError);
    assert.throws(() => pairedDifference([1, 2], [1, 2], { level: 1 }), ConfigError);
  });
});
