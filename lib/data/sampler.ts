/**
 * The training batch sampler. Tumour slices are rare (a few percent of a brain's axial slices) and the EGFR classes
 * may be unbalanced, so batches are composed, not drawn uniformly:
 * - round(batch x tumourFraction) slices come from slices with tumour, the rest from slices without tumour that show
 *   enough of the brain (foreground fraction >= minForeground), so the segmentation sees both and the classifier,
 *   which learns from tumour slices, sees enough of them;
 * - with `balanceClasses`, the tumour slices cycle through the EGFR classes present (starting at a random class), so
 *   every class has the same share up to one slice per batch; then a slice is drawn uniformly within the class;
 * - the batch order is shuffled.
 * The sampler keeps no state: a batch depends only on the generator it is given. The trainer passes a generator
 * derived from the seed and the step index, which is what makes a resumed run draw the same batches.
 */
import { ConfigError, DatasetError } from '../errors';
import type { Rng } from '../util/rng';

export interface SamplerConfig {
  /** Share of tumour slices in a batch, in [0, 1]. */
  tumourFraction: number;
  balanceClasses: boolean;
  /** A slice without tumour is sampled only when this fraction of it is foreground (brain). */
  minForeground: number;
}

export const samplerDefaults: SamplerConfig = { tumourFraction: 0.5, balanceClasses: true, minForeground: 0.05 };

export function resolveSamplerConfig(input: Partial<SamplerConfig> = {}): SamplerConfig {
  const c = { ...samplerDefaults, ...input };
  if (!(c.tumourFraction >= 0 && c.tumourFraction <= 1)) throw new ConfigError(`sampler: tumourFraction must be in [0, 1], got ${c.tumourFraction}`);
  if (!(c.minForeground >= 0 && c.minForeground <= 1)) throw new ConfigError(`sampler: minForeground must be in [0, 1], got ${c.minForeground}`);
  return c;
}

/** A slice of a case. */
export interface SliceRef {
  caseIndex: number;
  slice: number;
}

/** What the sampler needs to know about a case: per slice its tumour area and foreground fraction, and the label. */
export interface SliceStats {
  tumourArea: ArrayLike<number>;
  foreground: ArrayLike<number>;
  /** Class index; undefined for a case without label (its tumour slices count as one extra group). */
  label?: number;
}

export class BalancedSliceSampler {
  readonly config: SamplerConfig;
  /** Tumour slices grouped by class (in class order), and the slices without tumour. */
  readonly tumourGroups: SliceRef[][];
  readonly background: SliceRef[];

  constructor(cases: readonly SliceStats[], config: Partial<SamplerConfig> = {}) {
    this.config = resolveSamplerConfig(config);
    const groups = new Map<number, SliceRef[]>();
    const background: SliceRef[] = [];
    cases.forEach((c, caseIndex) => {
      for (let slice = 0; slice < c.tumourArea.length; slice++) {
        if (c.tumourArea[slice] > 0) {
          const key = this.config.balanceClasses ? (c.label ?? -1) : 0;
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key)!.push({ caseIndex, slice });
        } else if (c.foreground[slice] >= this.config.minForeground) {
          background.push({ caseIndex, slice });
        }
      }
    });
    this.tumourGroups = [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
    this.background = background;
    if (this.tumourGroups.length === 0 && background.length === 0) {
      throw new DatasetError('sampler: no slice to sample (no tumour, and no slice with enough foreground)');
    }
    if (this.tumourGroups.length === 0 && this.config.tumourFraction === 1) {
      throw new DatasetError('sampler: tumour slices only were asked for, but no case has a tumour slice');
    }
  }

  /** How many of a batch of `n` are tumour slices (all or none when one of the two pools is empty). */
  tumourCount(n: number): number {
    if (this.tumourGroups.length === 0) return 0;
    if (this.background.length === 0) return n;
    return Math.round(n * this.config.tumourFraction);
  }

  /** One batch of `n` slices. */
  sample(rng: Rng, n: number): SliceRef[] {
    const tumour = this.tumourCount(n);
    const out: SliceRef[] = [];
    const start = rng.int(0, Math.max(0, this.tumourGroups.length - 1));
    for (let i = 0; i < tumour; i++) out.push(rng.pick(this.tumourGroups[(start + i) % this.tumourGroups.length]));
    for (let i = tumour; i < n; i++) out.push(rng.pick(this.background));
    return rng.shuffle(out);
  }
}
