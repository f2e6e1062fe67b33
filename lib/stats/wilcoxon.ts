import { midranks } from './midranks';
import { normalSf } from './normal';
import { pairedDifferences } from './paired-input';

export interface WilcoxonResult {
  /** Patients (pairs). */
  n: number;
  /** Pairs with a non-zero difference, the ones ranked. */
  n_used: number;
  /** min(W+, W-): the smaller of the rank sums of the positive and of the negative differences (scipy's two-sided statistic). */
  statistic: number;
  /** Two-sided p-value. */
  p: number;
  /** How p was obtained; 'none' when every difference is zero (n_used = 0), where p is 1 by convention. */
  method: 'exact' | 'normal' | 'none';
}

/** Largest n_used with the exact null distribution; its 2^50 sign patterns are still exact integers in a double. */
const EXACT_MAX_N = 50;

/**
 * Two-sided Wilcoxon signed-rank test of d = variant - reference (symmetric about 0 under the null), on the same
 * patients. Differences that are exactly 0 are dropped (scipy's zero_method='wilcox'); the others are ranked by |d|
 * with average ranks for ties (exact equality: a difference of differences that should tie may not after rounding).
 * W+ and W- are the rank sums of the positive and the negative differences, statistic = min(W+, W-), and:
 * - 'exact' when n_used ≤ 50 and no two |d| tie: p = min(1, 2·P(W ≤ statistic)) under the null distribution of W,
 *   the rank sum of a uniformly random sign pattern of the ranks 1..n_used (counted exactly by dynamic programming);
 *   scipy.stats.wilcoxon(d[d != 0], method='exact').
 * - 'normal' otherwise: z = (statistic - μ - ½·sign(statistic - μ)) / σ with μ = n(n+1)/4 and
 *   σ² = (n(n+1)(2n+1) - ½·Σ(t³ - t)) / 24, t the size of each group of tied |d| (tie correction) and ½ the continuity
 *   correction, n = n_used; p = 2·Q(|z|). scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True,
 *   method='approx') (scipy 1.10, the Debian version the tests were computed with; later renamed 'asymptotic').
 * - 'none' when n_used = 0: no pair carries information, statistic = 0 and p = 1 (scipy raises an error instead).
 * The choice is scipy's method='auto' wherever scipy's p is exact (at most 50 differences, none zero, no ties).
 * Elsewhere scipy departs: it counts the zeros in its threshold of 50 and leaves the exact distribution when there
 * are zeros (1.10: for the normal approximation; the current main branch: for a permutation test when n ≤ 13), and
 * 1.10 applies the exact table even to the non-integer statistics of tied ranks. Here the zeros are dropped first
 * and the exact distribution of the remaining ranks is used whenever they are untied.
 */
export function wilcoxon(variant: ArrayLike<number>, reference: ArrayLike<number>): WilcoxonResult {
  const all = pairedDifferences(variant, reference);
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) return { n: all.length, n_used: 0, statistic: 0, p: 1, method: 'none' };
  const { ranks, tieSizes } = midranks(d.map(Math.abs));
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i] > 0) wPlus += ranks[i];
  const statistic = Math.min(wPlus, (n * (n + 1)) / 2 - wPlus);
  if (n <= EXACT_MAX_N && tieSizes.length === 0) {
    return { n: all.length, n_used: n, statistic, p: Math.min(1, 2 * exactLowerTail(n, statistic)), method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  let ties = 0;
  for (const t of tieSizes) ties += t ** 3 - t;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1) - ties / 2) / 24);
  const z = (statistic - mean - 0.5 * Math.sign(statistic - mean)) / sd;
  return { n: all.length, n_used: n, statistic, p: 2 * normalSf(Math.abs(z)), method: 'normal' };
}

/**
 * P(W ≤ w) for W the signed-rank sum of n untied ranks under the null: counts[s] is the number of the 2^n subsets of
 * {1..n} with sum s, built one rank at a time (counts'[s] = counts[s] + counts[s - k]); all integers below 2^53.
 */
function exactLowerTail(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s] += counts[s - k];
  let below = 0;
  for (let s = 0; s <= w; s++) below += counts[s];
  return below / 2 ** n;
}
