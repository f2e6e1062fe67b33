/**
 * The part shared by the strategies whose weights are plain numbers the optimiser never sees (fixed, DWA): they own
 * no variables, and the loss is the weighted sum of the task losses with the current numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { TaskNumbers, weightedSum } from './strategy';

export abstract class NumericWeights {
  constructor(
    readonly tasks: TaskName[],
    protected weights: TaskNumbers,
  ) {}

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

  dispose(): void {}
}
