/**
 * Homoscedastic uncertainty weighting (Kendall, Gal and Cipolla, CVPR 2018), in the log-variance form:
 *   total = sum_t exp(-s_t) * c_t * L_t + s_t / 2,   s_t = log sigma_t^2 (learnable, initial value 0 by default)
 * c_t = 1/2 for a regression-like term (the paper's Gaussian likelihood; we apply it to the Dice + BCE segmentation
 * loss) and 1 for a classification likelihood (cross-entropy), both configurable. s_t / 2 = log sigma_t is the
 * regulariser of both likelihoods. The effective weight exp(-s_t) c_t is what `current()` reports. Note the total can
 * become negative once s_t < 0; only its gradient matters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { TaskNumbers, TaskWeighting, readScalars, taskLoss } from './strategy';

export interface UncertaintyWeightingConfig {
  kind: 'uncertainty';
  /** c_t per task; default seg 0.5, cls 1. */
  scale?: TaskNumbers;
  /** Initial s_t, default 0 (sigma = 1). */
  initLogVariance?: number;
}

export const uncertaintyScaleDefaults: Record<TaskName, number> = { seg: 0.5, cls: 1 };

export class UncertaintyWeighting implements TaskWeighting {
  readonly kind = 'uncertainty';
  private readonly logVariance: tf.Variable[];
  private readonly scale: Record<string, number>;

  constructor(
    readonly tasks: TaskName[],
    config: Omit<UncertaintyWeightingConfig, 'kind'> = {},
  ) {
    this.scale = Object.fromEntries(tasks.map((t) => [t, config.scale?.[t] ?? uncertaintyScaleDefaults[t]]));
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
        const term = tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), this.scale[t]), taskLoss(losses, t)), tf.mul(s, 0.5));
        return tf.add(acc, term);
      }, tf.scalar(0)),
    );
  }

  current(): TaskNumbers {
    const s = readScalars(this.tasks, this.logVariance, (v) => v);
    return Object.fromEntries(this.tasks.map((t) => [t, Math.exp(-s[t]!) * this.scale[t]]));
  }

  /** s_t = log sigma_t^2 per task. */
  logVariances(): TaskNumbers {
    return readScalars(this.tasks, this.logVariance, (s) => s);
  }

  observe(): void {}

  endEpoch(): void {}

  dispose(): void {
    tf.dispose(this.logVariance);
  }
}
