import { ConfigError } from '../errors';

/**
 * Run mode of notebooks and long jobs. EGFR_GTV_FAST=1 asks for the reduced experiment (a few cases, a few steps)
 * that CI can afford in minutes; otherwise the real one runs. A notebook reads it once and sizes its experiment with
 * `byMode`, so the fast path is the same code as the real one, just smaller.
 */

export const fastModeVariable = 'EGFR_GTV_FAST';

/** True when EGFR_GTV_FAST is '1' or 'true'; false when unset, empty, '0' or 'false'; anything else is a mistake. */
export function isFastMode(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[fastModeVariable];
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '' || v === '0' || v === 'false') return false;
  throw new ConfigError(`environment variable ${fastModeVariable} must be 1 or 0, got '${raw}'`);
}

/** Picks the fast or the full value of a setting according to the run mode. */
export function byMode<T>(choices: { fast: T; full: T }, env: NodeJS.ProcessEnv = process.env): T {
  return isFastMode(env) ? choices.fast : choices.full;
}
