/**
 * The preprocessing configuration: how a case's volumes are put on the model grid (docs/model-spec.md, "Input").
 * Stored in a run's config.json, so a run prepares its test cases exactly as it prepared its training cases.
 */
import { ConfigError } from '../errors';

export interface PreprocessConfig {
  /** Slice height and width in pixels (the model's input size). */
  size: number;
  inPlaneSpacing: number | 'fit';
  /** Neighbouring slices on each side stacked as channels (2.5D); 0 for 2D. */
  context: number;
  /** Percentiles clipped before the z-score; null for none. */
  clip: [number, number] | null;
}

export const preprocessDefaults: PreprocessConfig = { size: 128, inPlaneSpacing: 'fit', context: 0, clip: [0.5, 99.5] };

export function resolvePreprocessConfig(input: Partial<PreprocessConfig> = {}): PreprocessConfig {
  const c = { ...preprocessDefaults, ...input };
  if (!Number.isInteger(c.size) || c.size < 1) throw new ConfigError(`preprocess: size must be a positive integer, got ${c.size}`);
  if (c.inPlaneSpacing !== 'fit' && !(c.inPlaneSpacing > 0)) {
    throw new ConfigError(`preprocess: inPlaneSpacing must be 'fit' or a positive number of mm, got ${c.inPlaneSpacing}`);
  }
  if (!Number.isInteger(c.context) || c.context < 0) throw new ConfigError(`preprocess: context must be a non-negative integer, got ${c.context}`);
  return c;
}

/**
 * Anisotropic inputs (thick slices). nnU-Net's rule: a volume is anisotropic when its largest spacing is more than
 * ANISOTROPY_THRESHOLD (3) times its smallest; its low-resolution axis is then resampled on its own (never
 * interpolated together with the in-plane axes: nearest neighbour across slices, higher order in-plane), and its 2D
 * configuration works slice by slice at the in-plane spacing only. egfr-gtv's network is 2D, so its model grid follows
 * that 2D rule for every volume, anisotropic or not: slices are resampled in-plane only and the slice axis keeps the
 * acquired slices, whatever their thickness (no interpolation across slices, which would invent slices a thick
 * acquisition never had and only blur them further). A prediction therefore comes back onto a thick-slice input
 * without any through-plane loss: the ceiling it leaves (the ground truth as the prediction, brought back to the input
 * grid) is the in-plane one, which scripts/quality.sh measures on every test cohort. With 2.5D context the
 * neighbouring channels are the acquired neighbours (thickness apart). What thick slices do to the image itself (the
 * partial-volume blur along z) is what training's scanner randomisation simulates (lib/data/scanner-randomisation.ts).
 */
export const ANISOTROPY_THRESHOLD = 3;

/** Slice spacing over the finest spacing of a volume, and whether it passes nnU-Net's anisotropy threshold. */
export function sliceAnisotropy(spacing: readonly [number, number, number]): { ratio: number; anisotropic: boolean } {
  const ratio = Math.max(...spacing) / Math.min(...spacing);
  return { ratio, anisotropic: ratio > ANISOTROPY_THRESHOLD };
}

/** Model input channels for a number of sequences. */
export function inputChannels(sequences: number, config: PreprocessConfig): number {
  return sequences * (2 * config.context + 1);
}
