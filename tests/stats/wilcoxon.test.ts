import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { wilcoxon } from '../../lib/stats/wilcoxon';
import { closeRel } from './close';

// Reference values from Debian's scipy 1.10.1 (/usr/bin/python3), with d = np.array(v) - np.array(r) computed in
// float64 exactly as here. 'exact' cases: st.wilcoxon(d[d != 0], method='exact'); 'normal' cases:
// st.wilcoxon(d, zero_method='wilcox', correction=True, method='approx').

/** d[i] = s·i for i = 1..n with a fixed sign pattern: n distinct |d| and no zero. */
const signedRanks = (n: number) => Array.from({ length: n }, (_, k) => ((k + 1) * 7) % 5 < 3 ? k + 1 : -(k + 1));

describe('stats/wilcoxon', () => {
  it('uses the exact distribution for a small sample without ties', () => {
    const v = [0.812, 0.745, 0.921, 0.663, 0.702, 0.884, 0.791, 0.853, 0.615, 0.907, 0.733, 0.828];
    const r = [0.776, 0.768, 0.853, 0.601, 0.713, 0.799, 0.834, 0.849, 0.527, 0.889, 0.671, 0.806];
    const res = wilcoxon(v, r);
    assert.equal(res.method, 'exact');
    assert.equal(res.n_used, 12);
    assert.equal(res.statistic, 14);
    closeRel(res.p, 0.05224609375);
    // The statistic is min(W+, W-), so swapping the variants changes nothing.
    assert.deepEqual(wilcoxon(r, v), res);
  });

  it('drops zero differences and stays exact on the rest', () => {
    const v = [0.812, 0.745, 0.921, 0.663, 0.702, 0.884, 0.791, 0.853, 0.615, 0.907];
    const r = [0.812, 0.768, 0.853, 0.663, 0.713, 0.799, 0.834, 0.853, 0.527, 0.889];
    const res = wilcoxon(v, r);
    assert.deepEqual([res.n, res.n_used, res.statistic, res.method], [10, 7, 8, 'exact']);
    closeRel(res.p, 0.375);
  });

  it('gives p = 1 when W+ = W- (the centre of the exact distribution)', () => {
    const res = wilcoxon([1, -2, -3, 4, 5, -6, -7, 8], new Array(8).fill(0));
    assert.deepEqual(res, { n: 8, n_used: 8, statistic: 18, p: 1, method: 'exact' });
  });

  it('switches to the normal approximation with tie and continuity corrections when |d| ties', () => {
    // d = [2, 1, -2, 3, 0, 2, 2, -1, 2, 2, 2, -1]: one zero and three groups of ties.
    const v = [3, 5, 2, 6, 4, 4, 7, 1, 5, 3, 6, 2];
    const r = [1, 4, 4, 3, 4, 2, 5, 2, 3, 1, 4, 3];
    const res = wilcoxon(v, r);
    assert.equal(res.method, 'normal');
    assert.equal(res.n_used, 11);
    assert.equal(res.statistic, 11);
    closeRel(res.p, 0.04873511280324936);
  });

  it('ties equal doubles only, as scipy does', () => {
    // /usr/bin/python3 -c "print((0.81 - 0.78), (0.92 - 0.89), (0.58 - 0.55))": 0.030000000000000027 twice, then
    // 0.029999999999999916. The first pair ties (normal approximation); 0.81 - 0.78 and 0.58 - 0.55 do not (exact).
    assert.equal(wilcoxon([0.81, 0.92, 0.5], [0.78, 0.89, 0.45]).method, 'normal');
    assert.equal(wilcoxon([0.81, 0.58, 0.5], [0.78, 0.55, 0.45]).method, 'exact');
  });

  it('is exact up to 50 differences and normal above (the boundary)', () => {
    const d = signedRanks(51);
    const at50 = wilcoxon(d.slice(0, 50), new Array(50).fill(0));
    assert.equal(at50.method, 'exact');
    assert.equal(at50.statistic, 510);
    closeRel(at50.p, 0.22231487615329293);
    const at51 = wilcoxon(d, new Array(51).fill(0));
    assert.equal(at51.method, 'normal');
    assert.equal(at51.statistic, 510);
    closeRel(at51.p, 0.1528738741591683);
  });

  it('matches scipy for n = 60 without ties and with ties and zeros', () => {
    const untied = wilcoxon(signedRanks(60), new Array(60).fill(0));
    assert.deepEqual([untied.method, untied.n_used, untied.statistic], ['normal', 60, 732]);
    closeRel(untied.p, 0.17911253747958933);
    // d[i] = ((i * 13) % 11) - 4 for i = 1..60: values -4..6, six zeros.
    const d = Array.from({ length: 60 }, (_, k) => (((k + 1) * 13) % 11) - 4);
    const tied = wilcoxon(d, new Array(60).fill(0));
    assert.deepEqual([tied.method, tied.n_used, tied.statistic], ['normal', 54, 454]);
    closeRel(tied.p, 0.01277272492757482);
  });

  it("returns p = 1 with method 'none' when every difference is zero", () => {
    assert.deepEqual(wilcoxon([0.7, 0.8], [0.7, 0.8]), { n: 2, n_used: 0, statistic: 0, p: 1, method: 'none' });
  });

  it('rejects unpaired or non-finite input', () => {
    assert.throws(() => wilcoxon([1, 2], [1]), DatasetError);
    assert.throws(() => wilcoxon([], []), /no patients/);
    assert.throws(() => wilcoxon([1, NaN], [1, 2]), /variant value at position 1/);
  });
});
