/**
 * The task-weighting interface: every strategy turns the per-task losses of a step into the total the network is
 * trained on, and reports the weight it currently gives each task (plain numbers, for the step log).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ModelFileError } from '../errors';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';

export type TaskNumbers = Partial<Record<TaskName, number>>;

/** A strategy's state outside its variables, as plain JSON: named lists of numbers. */
export type WeightingState = Record<string, number[]>;

export interface TaskWeighting {
  readonly kind: string;
  readonly tasks: TaskName[];
  /** Learnable variables trained by the network's optimizer through the gradient of `combine` (may be empty). */
  lossVariables(): tf.Variable[];
  /** Every variable the strategy owns (for checkpoints), including ones trained otherwise (GradNorm). */
  variables(): tf.Variable[];
  /** The total loss to minimise, called inside the gradient tape. */
  combine(losses: TaskLosses): tf.Scalar;
  /** The multiplier each task's loss currently gets. */
  current(): TaskNumbers;
  /** Called after every step with its raw task losses (DWA averages them). */
  observe(losses: TaskNumbers): void;
  /** Called at the end of every epoch. */
  endEpoch(): void;
  /**
   * What the strategy has observed outside its variables (DWA's loss windows, GradNorm's initial losses), for
   * checkpoints; empty for strategies that keep everything in variables.
   */
  exportState(): WeightingState;
  /** Restores a state written by `exportState` of a strategy of the same kind and tasks; ModelFileError naming `file`. */
  importState(state: WeightingState, file: string): void;
  /** Set by strategies that need the per-task gradient norms at the last shared layer (GradNorm). */
  readonly gradNorm?: GradNormUpdate;
  dispose(): void;
}

export interface GradNormUpdate {
  /**
   * The gradient of GradNorm's objective with respect to the task weights (keyed by tfjs variable name), from the
   * unweighted gradient norms ||grad_W L_t|| at the last shared layer W and the raw losses L_t of this step. The train
   * step applies it with the network's gradients in one optimizer call (tfjs optimizers keep their slots by position
   * in the gradient list, so one optimizer must always see the same variables); the caller disposes it.
   */
  weightGradients(norms: TaskNumbers, losses: TaskNumbers): tf.NamedTensorMap;
  /** Clamps the weights at their floor and rescales them to sum to the number of tasks (after the update). */
  renormalise(): void;
}

/** The loss of `task`, or ConfigError when the model did not produce it. */
export function taskLoss(losses: TaskLosses, task: TaskName): tf.Scalar {
  const loss = losses[task];
  if (!loss) throw new ConfigError(`weighting: no loss for task '${task}' (the model's tasks and the strategy's differ)`);
  return loss;
}

/** sum_t w_t L_t with constant weights. */
export function weightedSum(losses: TaskLosses, tasks: TaskName[], weights: TaskNumbers): tf.Scalar {
  return tf.tidy(() => tasks.reduce((acc: tf.Scalar, t) => tf.add(acc, tf.mul(taskLoss(losses, t), weights[t] ?? 1)), tf.scalar(0)));
}

/** Reads scalar variables as numbers by task. */
export function readScalars(tasks: TaskName[], values: tf.Variable[], map: (v: number) => number): TaskNumbers {
  const out: TaskNumbers = {};
  tasks.forEach((t, i) => (out[t] = map(values[i].dataSync()[0])));
  return out;
}

/** The list `key` of a stored state, checked to hold `length` finite numbers. */
export function stateList(state: WeightingState, key: string, length: number, file: string): number[] {
  const list = state[key];
  if (!Array.isArray(list) || list.length !== length || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ModelFileError(`task-weighting state '${key}' must be ${length} finite numbers`, file);
  }
  return list.slice();
}
