import { ConfigError, DatasetError } from '../errors';

/**
 * How per-slice EGFR probabilities of one patient become one patient probability (docs/model-spec.md, "Prediction:
 * slices back into a patient"). Slices "with tumour" are those whose predicted tumour area is > `minTumourArea`.
 * - 'area-weighted' (the default): Σ pᵢ·aᵢ / Σ aᵢ over slices with tumour, aᵢ the predicted tumour area, so slices
 *   showing more of the tumour count more and a sliver at the tumour's edge counts little;
 * - 'max': the largest slice probability over slices with tumour;
 * - 'tumour-mean': the plain mean of the slice probabilities over slices with tumour.
 * When no slice has tumour, every method falls back to the plain mean over all slices: the classifier still gives an
 * answer for each slice, and a patient with a missed tumour keeps a probability instead of none.
 */
export type SliceAggregation = 'area-weighted' | 'max' | 'tumour-mean';

export const sliceAggregations: readonly SliceAggregation[] = ['area-weighted', 'max', 'tumour-mean'];

export interface AggregateOptions {
  method: SliceAggregation;
  /** A slice counts as having tumour when its predicted area (same unit as the areas passed) exceeds this. */
  minTumourArea: number;
}

export const defaultAggregateOptions: AggregateOptions = { method: 'area-weighted', minTumourArea: 0 };

/** The aggregated probability and how it was obtained. */
export interface PatientProbability {
  probability: number;
  method: SliceAggregation;
  /** Slices with tumour that entered the aggregate; 0 when the all-slice mean fallback was used. */
  tumourSlices: number;
  fallback: boolean;
}

/**
 * One patient's probability from its slice probabilities and the predicted tumour area of each slice (voxels or
 * mm², any unit, both arrays in slice order). Throws a `DatasetError` for no slices, unequal lengths, a probability
 * outside [0, 1] or a negative or non-finite area.
 */
export function aggregateSliceProbabilities(
  probabilities: ArrayLike<number>,
  areas: ArrayLike<number>,
  options: Partial<AggregateOptions> = {},
): PatientProbability {
  const o = { ...defaultAggregateOptions, ...options };
  if (!sliceAggregations.includes(o.method)) {
    throw new ConfigError(`unknown slice aggregation '${o.method}'; expected one of ${sliceAggregations.join(', ')}`);
  }
  const n = probabilities.length;
  if (n === 0) throw new DatasetError('no slice probabilities to aggregate');
  if (areas.length !== n) throw new DatasetError(`${n} slice probabilities but ${areas.length} slice areas`);
  let sumAll = 0;
  let sumP = 0;
  let sumPA = 0;
  let sumA = 0;
  let max = -Infinity;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i];
    const a = areas[i];
    if (!(p >= 0 && p <= 1)) throw new DatasetError(`slice ${i} has probability ${p}, not in [0, 1]`);
    if (!(a >= 0 && Number.isFinite(a))) throw new DatasetError(`slice ${i} has tumour area ${a}, not a finite area >= 0`);
    sumAll += p;
    if (a <= o.minTumourArea) continue;
    count++;
    sumP += p;
    sumPA += p * a;
    sumA += a;
    if (p > max) max = p;
  }
  if (count === 0) return { probability: sumAll / n, method: o.method, tumourSlices: 0, fallback: true };
  const probability = o.method === 'area-weighted' ? sumPA / sumA : o.method === 'max' ? max : sumP / count;
  return { probability, method: o.method, tumourSlices: count, fallback: false };
}
