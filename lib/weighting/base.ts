/**
 * The base class of every task-weighting strategy: the hooks most strategies leave empty (no learnable variables, no
 * observations, no state outside variables, nothing to dispose), so a strategy file holds only what it does. In the
 * spirit of LibMTL's `weighting/abstract_weighting.py`, with our typed configs and checkpointed state.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import type { TaskNumbers, TaskWeighting, WeightingState } from './strategy';

export abstract class BaseWeighting implements TaskWeighting {
  abstract readonly kind: string;

  constructor(readonly tasks: TaskName[]) {}

  abstract combine(losses: TaskLosses): tf.Scalar;

  abstract current(): TaskNumbers;

  /** None by default. */
  lossVariables(): tf.Variable[] {
    return [];
  }

  /** The learnable variables by default. */
  variables(): tf.Variable[] {
    return this.lossVariables();
  }

  observe(_losses: TaskNumbers): void {}

  endEpoch(): void {}

  exportState(): WeightingState {
    return {};
  }

  importState(_state: WeightingState, _file: string): void {}

  dispose(): void {}
}
