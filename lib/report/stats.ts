/**
 * Statistics the figures need beyond the metrics module: a pointwise bootstrap band of a ROC curve and reliability
 * bins of predicted probabilities.
 */
import { ConfigError } from '../errors';
import { rocCurve, type RocPoint } from '../metrics/classification';
import { Rng } from '../util/rng';

/** TPR of a ROC curve at a given FPR: the highest TPR reached at that FPR (the curve's upper envelope). */
export function tprAt(points: readonly RocPoint[], fpr: number): number {
  let best = 0;
  for (const p of points) if (p.fpr <= fpr + 1e-12 && p.tpr > best) best = p.tpr;
  return best;
}

export interface RocBand {
  x: number[];
  lower: number[];
  upper: number[];
  level: number;
}

/**
 * A pointwise percentile band of the ROC curve: patients resampled with replacement within each class (so every
 * replicate has both), the curve's TPR read on an FPR grid, and the (1 - level)/2 and (1 + level)/2 quantiles taken
 * at each grid point. Null when a class is missing.
 */
export function rocBootstrapBand(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: { replicates?: number; seed?: number; level?: number; gridPoints?: number } = {},
): RocBand | null {
  const replicates = options.replicates ?? 1000;
  const level = options.level ?? 0.95;
  const gridPoints = options.gridPoints ?? 51;
  if (!(Number.isInteger(replicates) && replicates > 1)) throw new ConfigError(`ROC band: replicates must be an integer > 1, got ${replicates}`);
  if (!(level > 0 && level < 1)) throw new ConfigError(`ROC band: level must be in (0, 1), got ${level}`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(scores[i]);
  if (pos.length === 0 || neg.length === 0) return null;
  const x = Array.from({ length: gridPoints }, (_, i) => i / (gridPoints - 1));
  const tprs = x.map(() => new Float64Array(replicates));
  const rng = new Rng(options.seed ?? 0);
  const l = new Array<number>(pos.length + neg.length);
  const s = new Array<number>(pos.length + neg.length);
  for (let r = 0; r < replicates; r++) {
    let o = 0;
    for (let i = 0; i < pos.length; i++, o++) {
      l[o] = 1;
      s[o] = pos[rng.int(0, pos.length - 1)];
    }
    for (let i = 0; i < neg.length; i++, o++) {
      l[o] = 0;
      s[o] = neg[rng.int(0, neg.length - 1)];
    }
    const curve = rocCurve(l, s)!;
    x.forEach((f, g) => (tprs[g][r] = tprAt(curve, f)));
  }
  const q = (values: Float64Array, p: number) => {
    const sorted = Float64Array.from(values).sort();
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
  };
  return { x, lower: tprs.map((v) => q(v, (1 - level) / 2)), upper: tprs.map((v) => q(v, (1 + level) / 2)), level };
}

export interface ReliabilityBin {
  meanPredicted: number;
  observedRate: number;
  count: number;
}

/**
 * Equal-width probability bins (empty ones dropped) and the expected calibration error: the count-weighted mean of
 * |observed rate - mean predicted| over bins.
 */
export function reliabilityBins(labels: ArrayLike<number>, probabilities: ArrayLike<number>, bins = 5): { bins: ReliabilityBin[]; ece: number } {
  if (!(Number.isInteger(bins) && bins > 0)) throw new ConfigError(`calibration: bins must be a positive integer, got ${bins}`);
  if (labels.length !== probabilities.length) throw new ConfigError(`calibration: ${labels.length} labels but ${probabilities.length} probabilities`);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i];
    if (!(p >= 0 && p <= 1)) throw new ConfigError(`calibration: probability ${p} is not in [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sumP[b] += p;
    sumY[b] += labels[i] > 0 ? 1 : 0;
    count[b]++;
  }
  const out: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    const bin = { meanPredicted: sumP[b] / count[b], observedRate: sumY[b] / count[b], count: count[b] };
    out.push(bin);
    ece += (count[b] / labels.length) * Math.abs(bin.observedRate - bin.meanPredicted);
  }
  return { bins: out, ece };
}
