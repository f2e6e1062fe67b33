/** Fixed task weights (equal by default). */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { TaskNumbers, TaskWeighting, WeightingState, weightedSum } from './strategy';

export interface FixedWeightingConfig {
  kind: 'fixed';
  /** Weight per task, default 1 each. */
  weights?: TaskNumbers;
}

export class FixedWeighting implements TaskWeighting {
  readonly kind = 'fixed';
  private readonly weights: TaskNumbers;

  constructor(
    readonly tasks: TaskName[],
    config: Omit<FixedWeightingConfig, 'kind'> = {},
  ) {
    this.weights = Object.fromEntries(tasks.map((t) => [t, config.weights?.[t] ?? 1]));
    for (const t of tasks) {
      const w = this.weights[t]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new ConfigError(`weighting: fixed weight of '${t}' must be >= 0, got ${w}`);
    }
  }

  lossVariables(): tf.Variable[] {
    return [];
  }

  variables(): tf.Variable[] {
    return [];
  }

  combine(losses: TaskLosses): tf.Scalar {
    return weightedSum(losses, this.tasks, this.weights);
  }

  current(): TaskNumbers {
    return { ...this.weights };
  }

  observe(): void {}

  endEpoch(): void {}

  exportState(): WeightingState {
    return {};
  }

  importState(): void {}

  dispose(): void {}
}
