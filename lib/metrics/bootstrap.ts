import { ConfigError, DatasetError } from '../errors';
import { Rng } from '../util/rng';
import { percentile } from '../util/percentile';

export interface BootstrapOptions {
  /** Number of resamples. */
  replicates: number;
  /** Seed of the project's `Rng`: the same seed gives the same interval. */
  seed: number | string;
  /** Coverage of the interval; 0.95 gives the 2.5th and 97.5th percentiles. */
  level: number;
}

export const defaultBootstrapOptions: BootstrapOptions = { replicates: 2000, seed: 0, level: 0.95 };

export interface ConfidenceInterval {
  lower: number;
  upper: number;
  level: number;
  /** Replicates whose statistic was defined and entered the percentiles. */
  replicates: number;
  /** Replicates whose statistic was null or NaN, left out. */
  undefinedReplicates: number;
}

/**
 * Percentile bootstrap confidence interval of a statistic over n cases, seeded and stratified: each replicate draws,
 * with replacement, as many cases from each stratum (e.g. each class label) as the stratum holds, so every replicate
 * keeps the class balance of the data and a class-dependent statistic such as AUC stays defined. The interval is the
 * (1 - level)/2 and (1 + level)/2 percentiles (numpy linear interpolation) of the replicate statistics.
 *
 * `statistic(indices)` receives the resampled case indices. Replicates where it returns null or NaN are left out and
 * counted; the result is null when no replicate is defined.
 */
export function bootstrapCi(
  strata: ArrayLike<number>,
  statistic: (indices: Int32Array) => number | null,
  options: Partial<BootstrapOptions> = {},
): ConfidenceInterval | null {
  const o = { ...defaultBootstrapOptions, ...options };
  if (!Number.isInteger(o.replicates) || o.replicates < 1) throw new ConfigError(`bootstrap replicates must be a positive integer, got ${o.replicates}`);
  if (!(o.level > 0 && o.level < 1)) throw new ConfigError(`bootstrap level must be in (0, 1), got ${o.level}`);
  const n = strata.length;
  if (n === 0) throw new DatasetError('no cases to bootstrap');
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(strata[i]);
    if (g) g.push(i);
    else groups.set(strata[i], [i]);
  }
  const members = [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k) as number[]);
  const rng = new Rng(o.seed);
  const stats: number[] = [];
  const indices = new Int32Array(n);
  for (let r = 0; r < o.replicates; r++) {
    let w = 0;
    for (const g of members) for (let t = 0; t < g.length; t++) indices[w++] = g[Math.floor(rng.next() * g.length)];
    const s = statistic(indices);
    if (s !== null && !Number.isNaN(s)) stats.push(s);
  }
  if (stats.length === 0) return null;
  return {
    lower: percentile(stats, (100 * (1 - o.level)) / 2),
    upper: percentile(stats, (100 * (1 + o.level)) / 2),
    level: o.level,
    replicates: stats.length,
    undefinedReplicates: o.replicates - stats.length,
  };
}

/** `bootstrapCi` of a statistic of (labels, scores), stratified by label. */
export function bootstrapBinaryCi(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  statistic: (labels: Float64Array, scores: Float64Array) => number | null,
  options: Partial<BootstrapOptions> = {},
): ConfidenceInterval | null {
  if (labels.length !== scores.length) throw new DatasetError(`${labels.length} labels but ${scores.length} scores`);
  const l = new Float64Array(labels.length);
  const s = new Float64Array(labels.length);
  return bootstrapCi(
    labels,
    (idx) => {
      for (let i = 0; i < idx.length; i++) {
        l[i] = labels[idx[i]];
        s[i] = scores[idx[i]];
      }
      return statistic(l, s);
    },
    options,
  );
}
