/**
 * One training step: forward pass, per-task losses, task weighting, gradients of the weighted total with respect to
 * the network's trainable variables and the strategy's learnable weights, one optimizer update. GradNorm first
 * measures ||grad_W L_t|| at the last shared layer with one extra forward/backward pass per task (batch-norm
 * statistics are not updated by those passes) and its weights are updated in the same optimizer call as the network.
 * Use one optimizer per step function: tfjs optimizers keep their slots by the position of a variable in the list.
 * Every forward pass of a step (GradNorm's included) uses the step's dropout seed, so they see the same masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainBatch } from '../data/slice-dataset';
import { LossConfig, LossConfigInput, TaskLosses, computeTaskLosses, resolveLossConfig } from '../losses/task-losses';
import { MultiTaskModel, TaskName } from '../model/multitask';
import { TaskNumbers, TaskWeighting } from '../weighting/strategy';

export interface StepResult {
  /** Raw (unweighted) loss of each task. */
  losses: TaskNumbers;
  /** The weight each task's loss had in this step's total. */
  taskWeights: TaskNumbers;
  /** The weighted total that was minimised. */
  total: number;
}

export interface StepOptions {
  /** Seed of the step's dropout masks (ApplyOptions.dropoutSeed); without it each module's own stream is used. */
  dropoutSeed?: number;
}

export type TrainStep = (batch: TrainBatch, options?: StepOptions) => StepResult;

function isResolved(config: LossConfig | LossConfigInput): config is LossConfig {
  const c = config as Partial<LossConfig>;
  return c.seg?.dice !== undefined && c.cls?.kind !== undefined && c.cls?.slices !== undefined;
}

/** Unweighted gradient norm of every task's loss at the model's last shared layer, and those losses. */
export function sharedGradientNorms(
  model: MultiTaskModel,
  batch: TrainBatch,
  lossConfig: LossConfig,
  options: StepOptions = {},
): { norms: TaskNumbers; losses: TaskNumbers } {
  const norms: TaskNumbers = {};
  const losses: TaskNumbers = {};
  const shared = model.lastSharedLayer();
  for (const task of model.tasks) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(batch.image, { training: true, updateStatistics: false, dropoutSeed: options.dropoutSeed });
        return computeTaskLosses(out, batch, lossConfig)[task]!;
      }, shared);
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      norms[task] = Math.sqrt(tf.addN(squares).dataSync()[0]);
      losses[task] = value.dataSync()[0];
    });
  }
  return { norms, losses };
}

/**
 * Returns a function that trains `model` on one batch and reports plain numbers. The batch tensors stay the caller's;
 * every tensor the step creates is disposed (the optimizer's own slots excepted).
 */
export function createTrainStep(
  model: MultiTaskModel,
  weighting: TaskWeighting,
  optimizer: tf.Optimizer,
  lossConfig: LossConfig | LossConfigInput = {},
): TrainStep {
  const config = isResolved(lossConfig) ? lossConfig : resolveLossConfig(lossConfig);
  const tasks: TaskName[] = model.tasks;
  const variables = [...model.trainableVariables(), ...weighting.lossVariables()];
  return (batch: TrainBatch, options: StepOptions = {}): StepResult => {
    const measured = weighting.gradNorm ? sharedGradientNorms(model, batch, config, options) : null;
    const taskWeights = weighting.current();
    const kept: TaskLosses = {};
    const { value, grads } = tf.variableGrads(() => {
      const losses = computeTaskLosses(model.apply(batch.image, { training: true, dropoutSeed: options.dropoutSeed }), batch, config);
      for (const t of tasks) kept[t] = tf.keep(losses[t]!);
      return weighting.combine(losses);
    }, variables);
    const weightGrads = weighting.gradNorm && measured ? weighting.gradNorm.weightGradients(measured.norms, measured.losses) : {};
    // One call with the same variables every step: tfjs optimizers keep their slots by position in this list.
    optimizer.applyGradients({ ...grads, ...weightGrads });
    if (weighting.gradNorm) weighting.gradNorm.renormalise();
    const losses: TaskNumbers = {};
    for (const t of tasks) losses[t] = kept[t]!.dataSync()[0];
    const total = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads), ...Object.values(weightGrads), ...Object.values(kept)]);
    weighting.observe(losses);
    return { losses, taskWeights, total };
  };
}
