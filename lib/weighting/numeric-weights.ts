/**
 * The part shared by the strategies whose weights are plain numbers the optimiser never sees (fixed, DWA): they own
 * no variables, and the loss is the weighted sum of the task losses with the current numbers.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { BaseWeighting } from './base';
import { TaskNumbers, weightedSum } from './strategy';

export abstract class NumericWeights extends BaseWeighting {
  constructor(
    tasks: TaskName[],
    protected weights: TaskNumbers,
  ) {
    super(tasks);
  }

  combine(losses: TaskLosses): tf.Scalar {
    return weightedSum(losses, this.tasks, this.weights);
  }

  current(): TaskNumbers {
    return { ...this.weights };
  }
}
