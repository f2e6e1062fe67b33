/**
 * Uncertainty weighting with a positive regulariser (Liebel and Koerner 2018):
 *   total = sum_t L_t / (2 sigma_t^2) + log(1 + sigma_t^2)
 * The regulariser log(1 + sigma^2) stays positive, so the total cannot go below 0 by shrinking sigma. Learned as
 * s_t = log sigma_t^2 (initial 0, sigma = 1) for stability, i.e. sum_t 0.5 exp(-s_t) L_t + softplus(s_t): the same
 * function of sigma. `current()` reports 1 / (2 sigma_t^2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskName } from '../model/multitask';
import { LogVarianceWeighting } from './log-variance';
import type { StrategyEntry } from './entry';

export interface PositiveUncertaintyWeightingConfig {
  kind: 'uncertainty-positive';
  /** Initial log sigma^2, default 0. */
  initLogVariance?: number;
}

export class PositiveUncertaintyWeighting extends LogVarianceWeighting {
  readonly kind = 'uncertainty-positive';

  constructor(tasks: TaskName[], config: Omit<PositiveUncertaintyWeightingConfig, 'kind'> = {}) {
    super(tasks, config.initLogVariance);
  }

  protected term(_task: TaskName, s: tf.Scalar, loss: tf.Scalar): tf.Scalar {
    return tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), 0.5), loss), tf.softplus(s));
  }

  protected weight(_task: TaskName, s: number): number {
    return 0.5 * Math.exp(-s);
  }
}

export const positiveUncertaintyStrategy: StrategyEntry<PositiveUncertaintyWeightingConfig> = {
  kind: 'uncertainty-positive',
  summary: 'uncertainty weighting with a positive regulariser (Liebel & Koerner 2018)',
  family: 'loss',
  create: (tasks, config) => new PositiveUncertaintyWeighting(tasks, config),
};
