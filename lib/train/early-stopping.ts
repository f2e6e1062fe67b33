/**
 * Early stopping on a validation metric: a value improves on the best so far when it is better by more than
 * `minDelta` (larger for mode 'max', smaller for 'min'); after `patience` validations in a row without improvement,
 * training stops. A missing or non-finite metric (e.g. an AUC with one class in the validation set) never improves.
 * The state is plain JSON so a checkpoint carries it.
 */
import { ConfigError } from '../errors';
import type { EarlyStoppingConfig } from './config';

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  /** Validations since the last improvement. */
  stale: number;
  stopped: boolean;
}

export function initialEarlyStopping(): EarlyStoppingState {
  return { best: null, bestEpoch: null, stale: 0, stopped: false };
}

/** The state after one validation, and whether this validation is the new best. */
export function updateEarlyStopping(
  state: EarlyStoppingState,
  config: EarlyStoppingConfig,
  metrics: Record<string, number>,
  epoch: number,
): { state: EarlyStoppingState; improved: boolean } {
  if (!(config.metric in metrics)) {
    throw new ConfigError(`early stopping: validation gave no metric '${config.metric}' (it gave ${Object.keys(metrics).join(', ') || 'none'})`);
  }
  const value = metrics[config.metric];
  const improved =
    Number.isFinite(value) &&
    (state.best === null || (config.mode === 'max' ? value > state.best + config.minDelta : value < state.best - config.minDelta));
  const next: EarlyStoppingState = improved
    ? { best: value, bestEpoch: epoch, stale: 0, stopped: false }
    : { ...state, stale: state.stale + 1, stopped: state.stale + 1 >= config.patience };
  return { state: next, improved };
}
