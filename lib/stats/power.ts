import { ConfigError } from '../errors';
import { normalQuantile } from './normal';

export interface PowerOptions {
  /** Two-sided significance level. */
  alpha: number;
  /** Probability of detecting a true difference of the returned size. */
  power: number;
}

const defaults: PowerOptions = { alpha: 0.05, power: 0.8 };

/**
 * The multiplier z₁₋α/₂ + z_power of a standard error: a true difference of that many standard errors is detected
 * (two-sided test at level alpha) with probability `power`, ignoring the far tail on the wrong side.
 */
function detectableMultiple(options: Partial<PowerOptions>): number {
  const { alpha, power } = { ...defaults, ...options };
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new ConfigError(`power must be in (0, 1), got ${power}`);
  return normalQuantile(1 - alpha / 2) + normalQuantile(power);
}

/**
 * The minimum detectable effect of a paired comparison of a per-patient measure (e.g. Dice): the smallest true mean
 * difference that n patients whose differences have standard deviation sdDiff detect, under the normal
 * approximation, (z₁₋α/₂ + z_power)·sdDiff/√n; ≈ 2.8016·sdDiff/√n at alpha 0.05 and power 0.8. sdDiff is
 * `pairedDifference`'s sd_diff.
 */
export function minDetectablePairedDifference(sdDiff: number, n: number, options: Partial<PowerOptions> = {}): number {
  if (!(sdDiff >= 0 && Number.isFinite(sdDiff))) throw new ConfigError(`sd of the differences must be finite and >= 0, got ${sdDiff}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new ConfigError(`number of patients must be a positive integer, got ${n}`);
  return (detectableMultiple(options) * sdDiff) / Math.sqrt(n);
}

/**
 * The minimum detectable AUC difference of DeLong's test under the normal approximation: (z₁₋α/₂ + z_power)·se,
 * se the DeLong standard error of the difference (`delong`'s se), taken as the same under the alternative.
 */
export function minDetectableAucDifference(se: number, options: Partial<PowerOptions> = {}): number {
  if (!(se >= 0 && Number.isFinite(se))) throw new ConfigError(`standard error must be finite and >= 0, got ${se}`);
  return detectableMultiple(options) * se;
}
