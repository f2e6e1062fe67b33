/**
 * Geometric loss strategy, GLS (Chennupati, Sistu, Yogamani and Rawashdeh, "MultiNet++: Multi-Stream Feature
 * Aggregation and Geometric Loss Strategy for Multi-Task Learning", CVPR Workshops 2019): the total is the geometric
 * mean of the task losses, (prod_t L_t)^(1/T), computed as exp(mean_t log L_t). Its gradient weights task t's
 * gradient by GLS / (T L_t): small losses weigh more. Stateless; invariant, up to a constant factor, to a positive
 * scaling of any one loss. `current()` reports the weights of the losses last combined (1 / T before).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { BaseWeighting } from './base';
import type { StrategyEntry } from './entry';
import { LossWeightsRule } from './gradient-method';
import { TaskNumbers, taskLoss } from './strategy';

export interface GlsWeightingConfig {
  kind: 'gls';
}

/** d GLS / d L_t = GLS / (T L_t). */
export function glsWeights(losses: number[]): number[] {
  const t = losses.length;
  const safe = losses.map((l) => Math.max(l, 1e-12));
  const geometric = Math.exp(safe.reduce((s, l) => s + Math.log(l), 0) / t);
  return safe.map((l) => geometric / (t * l));
}

export class GlsWeighting extends BaseWeighting {
  readonly kind = 'gls';
  private last: number[] | null = null;

  constructor(tasks: TaskName[]) {
    super(tasks);
  }

  combine(losses: TaskLosses): tf.Scalar {
    const values = this.tasks.map((t) => taskLoss(losses, t));
    this.last = glsWeights(values.map((v) => v.dataSync()[0]));
    return tf.tidy(() => tf.exp(tf.mean(tf.stack(values.map((v) => tf.log(tf.maximum(v, 1e-12))))))) as tf.Scalar;
  }

  current(): TaskNumbers {
    return Object.fromEntries(this.tasks.map((t, i) => [t, this.last?.[i] ?? 1 / this.tasks.length]));
  }
}

export const glsStrategy: StrategyEntry<GlsWeightingConfig> = {
  kind: 'gls',
  summary: 'GLS (Chennupati et al. 2019): geometric mean of the task losses',
  family: 'loss',
  create: (tasks) => new GlsWeighting(tasks),
  rule: (n) => new LossWeightsRule(n, glsWeights),
};
