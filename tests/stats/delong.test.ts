import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { delong, type DelongResult } from '../../lib/stats/delong';
import { normalQuantile, normalSf } from '../../lib/stats/normal';
import { Rng } from '../../lib/util/rng';
import { rankAuc } from '../../lib/util/ranking';
import { closeRel } from './close';

/**
 * DeLong's test written out from the 1988 paper, in O(m·n): the kernel ψ over every (positive, negative) pair, the
 * structural components as its row and column means, the 2×2 covariance matrices S10 and S01 (denominators m - 1 and
 * n - 1) and var = L·(S10/m + S01/n)·Lᵀ with L = (1, -1). Independent of the mid-rank algorithm under test.
 */
function directDelong(labels: number[], a: number[], b: number[]): { aucA: number; aucB: number; se: number } {
  const pos = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const neg = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const m = pos.length;
  const n = neg.length;
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const components = (s: number[]) => ({
    v10: pos.map((i) => neg.reduce((t, j) => t + psi(s[i], s[j]), 0) / n),
    v01: neg.map((j) => pos.reduce((t, i) => t + psi(s[i], s[j]), 0) / m),
  });
  const ca = components(a);
  const cb = components(b);
  const mean = (v: number[]) => v.reduce((t, x) => t + x, 0) / v.length;
  const cov = (u: number[], v: number[]) => {
    const mu = mean(u);
    const mv = mean(v);
    return u.reduce((t, x, k) => t + (x - mu) * (v[k] - mv), 0) / (u.length - 1);
  };
  const s10 = [cov(ca.v10, ca.v10), cov(cb.v10, cb.v10), cov(ca.v10, cb.v10)];
  const s01 = [cov(ca.v01, ca.v01), cov(cb.v01, cb.v01), cov(ca.v01, cb.v01)];
  const variance = (s10[0] + s10[1] - 2 * s10[2]) / m + (s01[0] + s01[1] - 2 * s01[2]) / n;
  return { aucA: mean(ca.v10), aucB: mean(cb.v10), se: Math.sqrt(Math.max(0, variance)) };
}

const digits = (s: string) => [...s].map(Number);

/**
 * Compares with the hand-written numpy DeLong of the test's comment (delong_ref: ψ by broadcasting, np.cov,
 * L = (1, -1), scipy.stats.norm), the expected values being its repr() output.
 */
function assertMatches(res: DelongResult, want: Omit<DelongResult, 'n' | 'n_pos' | 'n_neg'>): void {
  closeRel(res.auc_variant, want.auc_variant, 1e-12);
  closeRel(res.auc_reference, want.auc_reference, 1e-12);
  closeRel(res.auc_diff, want.auc_diff, 1e-9);
  closeRel(res.se, want.se, 1e-9);
  closeRel(res.z, want.z, 1e-9);
  closeRel(res.p, want.p, 1e-9);
  closeRel(res.ci95[0], want.ci95[0], 1e-9);
  closeRel(res.ci95[1], want.ci95[1], 1e-9);
}

// The python reference (Debian python3-scipy 1.10.1, numpy 1.24.2), run by hand once:
//   def delong(labels, a, b):
//       labels = np.asarray(labels); S = np.vstack([a, b]).astype(float)
//       X = S[:, labels == 1]; Y = S[:, labels == 0]; m = X.shape[1]; n = Y.shape[1]
//       psi = (X[:, :, None] > Y[:, None, :]) + 0.5 * (X[:, :, None] == Y[:, None, :])
//       v10 = psi.mean(axis=2); v01 = psi.mean(axis=1); auc = v10.mean(axis=1)
//       cov = np.cov(v10) / m + np.cov(v01) / n; L = np.array([1.0, -1.0]); se = np.sqrt(L @ cov @ L)
//       diff = auc[0] - auc[1]; z = diff / se; h = norm.ppf(0.975) * se
//       return auc[0], auc[1], diff, se, z, 2 * norm.sf(abs(z)), diff - h, diff + h
describe('stats/delong', () => {
  it('matches the python DeLong on continuous scores with ties (n = 40)', () => {
    // rng = np.random.default_rng(2024); labels = (rng.random(40) < 0.4).astype(int)
    // a = np.round(labels * 0.9 + rng.normal(0, 0.7, 40), 2); b = np.round(labels * 0.5 + rng.normal(0, 0.7, 40), 1)
    const labels = digits('0110011111001010000110101101110101000001');
    const a = [0.85, 0.59, 0.63, -0.97, -1.47, 1.34, 0.08, 1.44, 2.19, 0.82, -0.79, 0.28, 1.43, -0.18, 0.91, 0.93, 0.89, 0.5, -0.61, 0.86,
      1.32, -0.15, 0.47, -0.54, 0.46, 0.43, -0.32, 1.7, 0.34, 1.52, 0.29, 1.0, -0.58, 0.58, 1.38, 0.07, 0.38, 0.46, 0.74, 0.73];
    const b = [-0.4, 0.5, 0.3, 0.6, 0.1, 0.7, 0.6, 1.4, 0.1, 0.2, 0.6, -0.1, 0.8, -0.5, 0.5, 0.3, -0.9, -0.5, 0.3, 2.1,
      0.8, 0, -0.1, 0.3, -1.3, 0.5, -0.2, 0.1, 2.1, -1.2, 0, 0.5, 0.3, -0.6, -0.3, -1.0, -0.1, 0.1, 0.1, 0.4];
    const res = delong(labels, a, b);
    assert.deepEqual([res.n, res.n_pos, res.n_neg], [40, 20, 20]);
    assertMatches(res, {
      auc_variant: 0.8262499999999999,
      auc_reference: 0.7350000000000001,
      auc_diff: 0.09124999999999983,
      se: 0.11185561063969454,
      z: 0.8157838438156777,
      p: 0.41462377521057703,
      ci95: [-0.12798296832253675, 0.3104829683225364],
    });
  });

  it('matches the python DeLong on a 5-point scale with heavy ties (n = 120)', () => {
    // rng = np.random.default_rng(7); labels = (rng.random(120) < 0.3).astype(int)
    // a = np.clip(np.round(1 + 2 * labels + rng.normal(0, 1.1, 120)), 1, 5)
    // b = np.clip(np.round(1.5 + 1.5 * labels + rng.normal(0, 1.1, 120)), 1, 5)
    const labels = digits('000100100001100000001101100000011101010110000010000010010000000101010100001000011001000001100000101100000000000010100100');
    const a = digits('111311312122411231112413211212123213111521131121211141121211111413142311223222225124233114212111313211112111111121331411');
    const b = digits('112321411111232113223324312131132532231332111331311153342211232312342311213121124125112114511121232432241112331122322312');
    assertMatches(delong(labels, a, b), {
      auc_variant: 0.914500683994528,
      auc_reference: 0.8621751025991792,
      auc_diff: 0.05232558139534882,
      se: 0.043113141945690645,
      z: 1.2136805399444797,
      p: 0.2248697382777859,
      ci95: [-0.03217462407856796, 0.1368257868692656],
    });
  });

  it('agrees with the direct O(m·n) DeLong and with rankAuc on random tied data', () => {
    const rng = new Rng('delong-direct');
    for (let trial = 0; trial < 20; trial++) {
      const n = rng.int(4, 90);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? 1 : i < 4 ? 0 : rng.bernoulli(0.35) ? 1 : 0));
      // Rounded to a coarse grid so that ties within and across classes are common.
      const a = labels.map((l) => Math.round(4 * rng.normal(l, 1)) / 4);
      const b = labels.map((l) => Math.round(10 * rng.normal(0.6 * l, 1)) / 10);
      const res = delong(labels, a, b);
      const want = directDelong(labels, a, b);
      closeRel(res.auc_variant, want.aucA, 1e-12);
      closeRel(res.auc_reference, want.aucB, 1e-12);
      closeRel(res.auc_variant, rankAuc(labels, a) as number, 1e-12);
      closeRel(res.se, want.se, 1e-9);
      closeRel(res.p, 2 * normalSf(Math.abs(res.auc_diff / res.se)), 1e-12);
      const half = normalQuantile(0.975) * res.se;
      closeRel(res.ci95[1] - res.ci95[0], 2 * half, 1e-12);
    }
  });

  it('gives z = 0 and p = 1 for equal AUCs reached by different rankings', () => {
    // delong([1,1,1,0,0,0], [0.9,0.8,0.3,0.5,0.2,0.1], [0.9,0.4,0.8,0.5,0.2,0.1]) in the python reference.
    assertMatches(delong([1, 1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.5, 0.2, 0.1], [0.9, 0.4, 0.8, 0.5, 0.2, 0.1]), {
      auc_variant: 0.8888888888888888,
      auc_reference: 0.8888888888888888,
      auc_diff: 0,
      se: 0.1924500897298753,
      z: 0,
      p: 1,
      ci95: [-0.3771952446920573, 0.3771952446920573],
    });
  });

  it('handles se = 0: p = 1 when the AUCs are equal, p = 0 when they differ', () => {
    const labels = [1, 1, 1, 0, 0, 0, 0];
    const perfect = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.05];
    // Both separate the classes perfectly.
    const both = delong(labels, perfect, [5, 6, 7, 1, 2, 3, 4]);
    assert.deepEqual([both.auc_diff, both.se, both.z, both.p, both.ci95], [0, 0, 0, 1, [0, 0]]);
    // The same ranking by a monotone transform: identical components.
    const same = delong(labels, [0.6, 0.9, 0.2, 0.4, 0.1, 0.7, 0.3], [0.36, 0.81, 0.04, 0.16, 0.01, 0.49, 0.09]);
    assert.deepEqual([same.auc_diff, same.se, same.p], [0, 0, 1]);
    // Perfect against uninformative (one constant score, AUC 0.5): the components differ by a constant.
    const apart = delong(labels, perfect, new Array(7).fill(0.5));
    assert.deepEqual([apart.auc_variant, apart.auc_reference, apart.se, apart.z, apart.p], [1, 0.5, 0, Infinity, 0]);
    assert.equal(delong(labels, new Array(7).fill(0.5), perfect).z, -Infinity);
  });

  it('throws a DatasetError for one class or a class of one patient, and for bad input', () => {
    assert.throws(() => delong([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]), DatasetError);
    assert.throws(() => delong([1, 0, 0, 0], [0.4, 0.1, 0.2, 0.3], [0.3, 0.2, 0.1, 0]), /at least two positives and two negatives, got 1 and 3/);
    assert.throws(() => delong([1, 0, 2, 0], [0, 0, 0, 0], [0, 0, 0, 0]), /label at position 2/);
    assert.throws(() => delong([1, 0, 1, 0], [0, 0, 0, 0], [0, 0, NaN, 0]), /score at position 2/);
    assert.throws(() => delong([1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0]), DatasetError);
  });
});
