/**
 * Homoscedastic uncertainty weighting (Kendall, Gal and Cipolla, CVPR 2018), in the log-variance form:
 *   total = sum_t exp(-s_t) * c_t * L_t + s_t / 2,   s_t = log sigma_t^2 (learnable, initial value 0 by default)
 * c_t = 1/2 for a regression-like term (the paper's Gaussian likelihood; we apply it to the Dice + BCE segmentation
 * loss) and 1 for a classification likelihood (cross-entropy), both configurable. s_t / 2 = log sigma_t is the
 * regulariser of both likelihoods. The effective weight exp(-s_t) c_t is what `current()` reports. Note the total can
 * become negative once s_t < 0; only its gradient matters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskName } from '../model/multitask';
import { LogVarianceWeighting } from './log-variance';
import type { TaskNumbers } from './strategy';
import type { StrategyEntry } from './entry';

export interface UncertaintyWeightingConfig {
  kind: 'uncertainty';
  /** c_t per task; default seg 0.5, cls 1. */
  scale?: TaskNumbers;
  /** Initial s_t, default 0 (sigma = 1). */
  initLogVariance?: number;
}

export const uncertaintyScaleDefaults: Record<TaskName, number> = { seg: 0.5, cls: 1 };

export class UncertaintyWeighting extends LogVarianceWeighting {
  readonly kind = 'uncertainty';
  private readonly scale: Record<string, number>;

  constructor(tasks: TaskName[], config: Omit<UncertaintyWeightingConfig, 'kind'> = {}) {
    super(tasks, config.initLogVariance);
    this.scale = Object.fromEntries(tasks.map((t) => [t, config.scale?.[t] ?? uncertaintyScaleDefaults[t]]));
  }

  protected term(task: TaskName, s: tf.Scalar, loss: tf.Scalar): tf.Scalar {
    return tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), this.scale[task]), loss), tf.mul(s, 0.5));
  }

  protected weight(task: TaskName, s: number): number {
    return Math.exp(-s) * this.scale[task];
  }
}

export const uncertaintyStrategy: StrategyEntry<UncertaintyWeightingConfig> = {
  kind: 'uncertainty',
  summary: 'uncertainty weighting (Kendall et al. 2018): learned log-variances, default for mtl',
  family: 'loss',
  create: (tasks, config) => new UncertaintyWeighting(tasks, config),
};
