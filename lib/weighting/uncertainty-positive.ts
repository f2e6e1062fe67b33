/**
 * Uncertainty weighting with a positive regulariser (Liebel and Koerner 2018):
 *   total = sum_t L_t / (2 sigma_t^2) + log(1 + sigma_t^2)
 * The regulariser log(1 + sigma^2) stays positive, so the total cannot go below 0 by shrinking sigma. Learned as
 * s_t = log sigma_t^2 (initial 0, sigma = 1) for stability, i.e. sum_t 0.5 exp(-s_t) L_t + softplus(s_t): the same
 * function of sigma. `current()` reports 1 / (2 sigma_t^2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { TaskNumbers, TaskWeighting, readScalars, taskLoss } from './strategy';

export interface PositiveUncertaintyWeightingConfig {
  kind: 'uncertainty-positive';
  /** Initial log sigma^2, default 0. */
  initLogVariance?: number;
}

export class PositiveUncertaintyWeighting implements TaskWeighting {
  readonly kind = 'uncertainty-positive';
  private readonly logVariance: tf.Variable[];

  constructor(
    readonly tasks: TaskName[],
    config: Omit<PositiveUncertaintyWeightingConfig, 'kind'> = {},
  ) {
    this.logVariance = tasks.map(() => tf.tidy(() => tf.variable(tf.scalar(config.initLogVariance ?? 0), true)));
  }

  lossVariables(): tf.Variable[] {
    return this.logVariance;
  }

  variables(): tf.Variable[] {
    return this.logVariance;
  }

  combine(losses: TaskLosses): tf.Scalar {
    return tf.tidy(() =>
      this.tasks.reduce((acc: tf.Scalar, t, i) => {
        const s = this.logVariance[i];
        const term = tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), 0.5), taskLoss(losses, t)), tf.softplus(s));
        return tf.add(acc, term);
      }, tf.scalar(0)),
    );
  }

  current(): TaskNumbers {
    return readScalars(this.tasks, this.logVariance, (s) => 0.5 * Math.exp(-s));
  }

  observe(): void {}

  endEpoch(): void {}

  dispose(): void {
    tf.dispose(this.logVariance);
  }
}
