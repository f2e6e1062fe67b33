import { bootstrapCi } from '../metrics/bootstrap';
import { pairedDifferences } from './paired-input';

export interface PairedDifferenceOptions {
  /** Bootstrap resamples of the patients. */
  replicates: number;
  /** Seed of the project's `Rng`: the same seed gives the same interval. */
  seed: number | string;
  /** Coverage of the interval. */
  level: number;
}

export interface PairedDifference {
  /** Patients (pairs). */
  n: number;
  /** Mean of d = variant - reference over the patients. */
  mean_diff: number;
  /** Sample standard deviation of d (n - 1 denominator, numpy's ddof=1); null for one patient, where it is undefined. */
  sd_diff: number | null;
  /** Percentile bootstrap interval of mean_diff at `level` (named after the default level, 0.95). */
  ci95: [number, number];
  level: number;
}

/**
 * The mean paired difference of a per-patient measurement (e.g. Dice) between two model variants evaluated on the
 * same patients, d[i] = variant[i] - reference[i]: positive when the variant scores higher. Note the order: the
 * variant first, the reference second.
 *
 * The interval is a percentile bootstrap that resamples patients, i.e. whole pairs, so it keeps the correlation
 * between the two variants: `replicates` times, n patients are drawn with replacement with the seeded `Rng`, and the
 * (1 - level)/2 and (1 + level)/2 percentiles (numpy's linear interpolation) of the resampled means are taken
 * (`bootstrapCi` of metrics/, with one stratum). Deterministic for a seed.
 */
export function pairedDifference(
  variant: ArrayLike<number>,
  reference: ArrayLike<number>,
  options: Partial<PairedDifferenceOptions> = {},
): PairedDifference {
  const o: PairedDifferenceOptions = { replicates: 10000, seed: 0, level: 0.95, ...options };
  const d = pairedDifferences(variant, reference);
  const n = d.length;
  let sum = 0;
  for (const v of d) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  // A mean of finite differences is defined in every replicate, so the interval always exists (hence the `!`).
  const ci = bootstrapCi(
    new Float64Array(n),
    (idx) => {
      let s = 0;
      for (const i of idx) s += d[i];
      return s / n;
    },
    o,
  )!;
  return { n, mean_diff: mean, sd_diff: n > 1 ? Math.sqrt(ss / (n - 1)) : null, ci95: [ci.lower, ci.upper], level: o.level };
}
