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

/** Model input channels for a number of sequences. */
export function inputChannels(sequences: number, config: PreprocessConfig): number {
  return sequences * (2 * config.context + 1);
}
