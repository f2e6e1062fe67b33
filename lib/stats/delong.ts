import { DatasetError } from '../errors';
import { assertBinaryInput } from '../metrics/classification';
import { midranks } from './midranks';
import { normalQuantile, normalSf } from './normal';

export interface DelongResult {
  /** Patients, and how many of them are positive (label 1) and negative (label 0). */
  n: number;
  n_pos: number;
  n_neg: number;
  /** ROC AUC of each variant (the Mann-Whitney statistic, ties counting one half). */
  auc_variant: number;
  auc_reference: number;
  /** auc_variant - auc_reference. */
  auc_diff: number;
  /** DeLong standard error of auc_diff. */
  se: number;
  /** auc_diff ± z₀.₉₇₅·se, z₀.₉₇₅ = Φ⁻¹(0.975) ≈ 1.959964. */
  ci95: [number, number];
  /** auc_diff / se. */
  z: number;
  /** Two-sided p-value, 2·Q(|z|). */
  p: number;
}

/**
 * DeLong's test (DeLong, DeLong & Clarke-Pearson, Biometrics 1988) of the difference between the ROC AUCs of two
 * scores of the same patients (variant - reference), which are correlated because the patients are shared.
 *
 * With m positives X and n negatives Y, and ψ(x, y) = 1 if x > y, ½ if x = y, 0 otherwise, each score has the
 * structural components V10(Xᵢ) = (1/n)·Σⱼ ψ(Xᵢ, Yⱼ) and V01(Yⱼ) = (1/m)·Σᵢ ψ(Xᵢ, Yⱼ), whose means are its AUC. They
 * are computed in O((m + n) log(m + n)) from mid-ranks, by the algorithm of Sun & Xu (IEEE Signal Processing Letters
 * 2014): with Tz the mid-ranks in the pooled scores, Tx within the positives and Ty within the negatives,
 * V10(Xᵢ) = (Tz(Xᵢ) - Tx(Xᵢ)) / n, V01(Yⱼ) = 1 - (Tz(Yⱼ) - Ty(Yⱼ)) / m, AUC = (Σᵢ Tz(Xᵢ) - m(m+1)/2) / (m·n).
 * The variance of the difference is DeLong's S10/m + S01/n contracted with (1, -1), written directly as
 * se² = var(V10ᵥ - V10ᵣ)/m + var(V01ᵥ - V01ᵣ)/n (sample variances, denominators m - 1 and n - 1), which is the same
 * quantity and cannot come out negative by rounding. z = auc_diff / se and p = 2·Q(|z|) under the normal
 * approximation, as pROC's roc.test(method='delong').
 *
 * se = 0 happens when the components agree exactly, e.g. both scores separate the classes perfectly, or rank the
 * patients identically: then z and p are those of an infinitely precise estimate, p = 1 (z = 0) when auc_diff = 0 and
 * p = 0 (z = ±Infinity) otherwise, and the interval is the single point auc_diff.
 *
 * Labels must be 0 or 1 and scores finite (`assertBinaryInput`). Throws a `DatasetError` when there are fewer than
 * two positives or two negatives: with one class there is no AUC, and with a single patient in a class its
 * components' variance (denominator m - 1 or n - 1) is undefined.
 */
export function delong(labels: ArrayLike<number>, variant: ArrayLike<number>, reference: ArrayLike<number>): DelongResult {
  assertBinaryInput(labels, variant);
  assertBinaryInput(labels, reference);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(i);
  const m = pos.length;
  const n = neg.length;
  if (m < 2 || n < 2) throw new DatasetError(`DeLong's test needs at least two positives and two negatives, got ${m} and ${n}`);
  const v = structuralComponents(variant, pos, neg);
  const r = structuralComponents(reference, pos, neg);
  const diff = v.auc - r.auc;
  const se = Math.sqrt(sampleVariance(v.v10, r.v10) / m + sampleVariance(v.v01, r.v01) / n);
  const z = se > 0 ? diff / se : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  const half = normalQuantile(0.975) * se;
  return {
    n: m + n,
    n_pos: m,
    n_neg: n,
    auc_variant: v.auc,
    auc_reference: r.auc,
    auc_diff: diff,
    se,
    ci95: [diff - half, diff + half],
    z,
    p: 2 * normalSf(Math.abs(z)),
  };
}

/** Sun & Xu's mid-rank form of DeLong's structural components V10 (per positive) and V01 (per negative) and the AUC. */
function structuralComponents(scores: ArrayLike<number>, pos: number[], neg: number[]): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = pos.length;
  const n = neg.length;
  const x = pos.map((i) => scores[i]);
  const y = neg.map((i) => scores[i]);
  const tx = midranks(x).ranks;
  const ty = midranks(y).ranks;
  const tz = midranks([...x, ...y]).ranks;
  const v10 = Float64Array.from({ length: m }, (_, i) => (tz[i] - tx[i]) / n);
  const v01 = Float64Array.from({ length: n }, (_, j) => 1 - (tz[m + j] - ty[j]) / m);
  let rankSum = 0;
  for (let i = 0; i < m; i++) rankSum += tz[i];
  return { auc: (rankSum - (m * (m + 1)) / 2) / (m * n), v10, v01 };
}

/** Sample variance (denominator length - 1) of the element-wise difference a - b. */
function sampleVariance(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += a[i] - b[i];
  const mean = sum / k;
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (a[i] - b[i] - mean) ** 2;
  return ss / (k - 1);
}
