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
  /**
   * Set by the gradient methods (MGDA, PCGrad, ...): the train step computes every task's gradient on the shared
   * parameters (or at the shared representation) and the strategy combines them into the shared update.
   */
  readonly gradients?: GradientCombination;
  /**
   * Set by strategies that learn from the losses after the update on the same batch (FAMO): the train step then runs
   * one more forward pass (no gradients, statistics not updated, the step's dropout masks) and passes them here.
   */
  observeAfterUpdate?(losses: TaskNumbers): void;
  dispose(): void;
}

/**
 * Where the per-task gradients are taken: 'parameters', exactly on the encoder's variables (one backward pass per
 * task), or 'features', at the encoder's output features (LibMTL's rep_grad: one backward pass in all; the encoder then
 * receives the combined feature gradient).
 */
export type GradientSpace = 'parameters' | 'features';

/** What a gradient method makes of the task gradients g_1..g_T of one step. */
export interface Combination {
  /** The update direction of the shared parameters (or features): what their gradient is replaced with. */
  direction: Float32Array;
  /** w_t where direction = sum_t w_t g_t exactly (the method is such a combination); null otherwise. */
  weights: number[] | null;
  /**
   * The method's own per-task numbers when they are not coefficients of these gradients (GradDrop: the share of each
   * task's squared gradient norm kept; DB-MTL: its weights on the gradient averages); the step logs these or `weights`.
   */
  taskWeights?: number[];
}

/** The step-facing side of a gradient method. */
export interface GradientCombination {
  readonly space: GradientSpace;
  /** The scalar whose gradient is the task's gradient (the loss, or DB-MTL's log of it); in the tape. */
  objective(task: TaskName, loss: tf.Scalar): tf.Scalar;
  /** Combines the tasks' flattened gradients (in the strategy's task order) given the step's raw losses. */
  combineGradients(grads: Float32Array[], losses: number[]): Combination;
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
