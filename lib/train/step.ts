/**
 * One training step: forward pass, per-task losses, task weighting, gradients of the weighted total with respect to
 * the network's trainable variables and the strategy's learnable weights, one optimizer update. GradNorm first
 * measures ||grad_W L_t|| at the last shared layer with one extra forward/backward pass per task (batch-norm
 * statistics are not updated by those passes) and its weights are updated in the same optimizer call as the network.
 * Use one optimizer per step function: tfjs optimizers keep their slots by the position of a variable in the list.
 * Every forward pass of a step (GradNorm's included) uses the step's dropout seed, so they see the same masks.
 *
 * Gradient methods (`weighting.gradients`: MGDA, PCGrad, ...) get every task's gradient on the shared parameters (the
 * encoder's variables), flattened, and return the shared update direction; each head gets its own task's gradient.
 * 'parameters' space: one forward/backward per task through the encoder and that task's head only (the first pass
 * updates the encoder's batch-norm statistics, each head's pass its own). 'features' space (rep-grad): one pass; an
 * identity op at the encoder's output features (all stages, flattened and concatenated) hands each head its own copy
 * and, in the backward pass, combines the tasks' feature gradients into the one the encoder receives. Either way one
 * optimizer call with the same variable list as every other step, and `diagnostics` reports the gradients' norms,
 * cosines and the method's weights. Strategies with `observeAfterUpdate` (FAMO) get the losses of one more forward
 * pass on the same batch after the update.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import type { TrainBatch } from '../data/slice-dataset';
import { LossConfig, LossConfigInput, TaskLosses, computeTaskLosses, resolveLossConfig } from '../losses/task-losses';
import type { ApplyOptions } from '../model/module';
import { ModelOutput, MultiTaskModel, TaskName } from '../model/multitask';
import { GradientDiagnostics, gradientDiagnostics } from './gradient-diagnostics';
import { Combination, GradientCombination, TaskNumbers, TaskWeighting } from '../weighting/strategy';

export interface StepResult {
  /** Raw (unweighted) loss of each task. */
  losses: TaskNumbers;
  /** The weight each task's loss had in this step's total. */
  taskWeights: TaskNumbers;
  /** The weighted total that was minimised. */
  total: number;
  /** Gradient methods only: the per-task gradients' norms and cosines on the shared parameters, and the weights. */
  diagnostics?: GradientDiagnostics;
}

export interface StepOptions {
  /** Seed of the step's dropout masks (ApplyOptions.dropoutSeed); without it each module's own stream is used. */
  dropoutSeed?: number;
}

export type TrainStep = (batch: TrainBatch, options?: StepOptions) => StepResult;

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
  // A run's config holds the resolved loss; resolving is idempotent, so a partial one from a caller works too.
  const config = resolveLossConfig(lossConfig);
  const tasks: TaskName[] = model.tasks;
  const variables = [...model.trainableVariables(), ...weighting.lossVariables()];
  const gradientStep = weighting.gradients ? createGradientStep(model, weighting, weighting.gradients, optimizer, config, variables) : null;
  return (batch: TrainBatch, options: StepOptions = {}): StepResult => {
    if (gradientStep) return gradientStep(batch, options);
    const measured = weighting.gradNorm ? sharedGradientNorms(model, batch, config, options) : null;
    const kept: TaskLosses = {};
    const { value, grads } = tf.variableGrads(() => {
      const losses = computeTaskLosses(model.apply(batch.image, { training: true, dropoutSeed: options.dropoutSeed }), batch, config);
      for (const t of tasks) kept[t] = tf.keep(losses[t]!);
      return weighting.combine(losses);
    }, variables);
    // Read after `combine` (which may set this step's weights: GLS, FAMO) and before the update (which moves learned ones).
    const taskWeights = weighting.current();
    const weightGrads = weighting.gradNorm && measured ? weighting.gradNorm.weightGradients(measured.norms, measured.losses) : {};
    // One call with the same variables every step: tfjs optimizers keep their slots by position in this list.
    optimizer.applyGradients({ ...grads, ...weightGrads });
    if (weighting.gradNorm) weighting.gradNorm.renormalise();
    const losses: TaskNumbers = {};
    for (const t of tasks) losses[t] = kept[t]!.dataSync()[0];
    const total = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads), ...Object.values(weightGrads), ...Object.values(kept)]);
    if (weighting.observeAfterUpdate) weighting.observeAfterUpdate(lossesAt(model, batch, config, options));
    weighting.observe(losses);
    return { losses, taskWeights, total };
  };
}

/** The raw task losses of a forward pass without gradients (statistics not updated, the step's dropout masks). */
function lossesAt(model: MultiTaskModel, batch: TrainBatch, config: LossConfig, options: StepOptions): TaskNumbers {
  return tf.tidy(() => {
    const losses = computeTaskLosses(model.apply(batch.image, { training: true, updateStatistics: false, dropoutSeed: options.dropoutSeed }), batch, config);
    return Object.fromEntries(model.tasks.map((t) => [t, losses[t]!.dataSync()[0]]));
  });
}

/** The head of `task` on the encoder's features. */
function headOutput(model: MultiTaskModel, task: TaskName, features: tf.Tensor4D[], options: ApplyOptions): ModelOutput {
  if (task === 'seg') {
    const out = model.decoder!.apply(features, options);
    return { seg: out.logits, segAux: out.aux, cls: null };
  }
  return { seg: null, segAux: [], cls: model.classifier!.apply(features[features.length - 1], features.slice(0, -1), options) };
}

/** Float32 copy of the concatenated values of `tensors` (missing ones as zeros of `sizes`). */
function flatten(tensors: (tf.Tensor | undefined)[], sizes: number[]): Float32Array {
  const out = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  tensors.forEach((t, i) => {
    if (t) out.set(t.dataSync() as Float32Array, offset);
    offset += sizes[i];
  });
  return out;
}

function createGradientStep(
  model: MultiTaskModel,
  weighting: TaskWeighting,
  method: GradientCombination,
  optimizer: tf.Optimizer,
  config: LossConfig,
  variables: tf.Variable[],
): TrainStep {
  const tasks = model.tasks;
  if (tasks.length < 2) throw new ConfigError(`weighting: ${weighting.kind} combines the gradients of several tasks; the model has one`);
  const shared = model.encoder.trainableVariables();
  const heads: Record<TaskName, tf.Variable[]> = {
    seg: model.decoder?.trainableVariables() ?? [],
    cls: model.classifier?.trainableVariables() ?? [],
  };
  const owned = new Set([...shared, ...tasks.flatMap((t) => heads[t])].map((v) => v.name));
  const stray = variables.filter((v) => !owned.has(v.name));
  if (stray.length > 0) throw new ConfigError(`weighting: ${weighting.kind} cannot place the variables ${stray.map((v) => v.name).join(', ')}`);
  const sharedSizes = shared.map((v) => v.size);

  return (batch: TrainBatch, options: StepOptions = {}): StepResult => {
    const train = (updateStatistics: boolean): ApplyOptions => ({ training: true, updateStatistics, dropoutSeed: options.dropoutSeed });
    const grads: tf.NamedTensorMap = {};
    const losses: TaskNumbers = {};
    let combination: Combination;
    let taskGrads: Float32Array[];
    let total = 0;
    if (method.space === 'parameters') {
      const perTask = tasks.map((task, k) => {
        let raw = 0;
        const { value, grads: g } = tf.variableGrads(() => {
          // The encoder keeps its outputs; like `model.apply`, dispose them once the head has used them.
          const { features } = model.encoder.apply(batch.image, train(k === 0));
          try {
            const loss = computeTaskLosses(headOutput(model, task, features, train(true)), batch, config)[task]!;
            raw = loss.dataSync()[0];
            return method.objective(task, loss);
          } finally {
            tf.dispose(features);
          }
        }, [...shared, ...heads[task]]);
        losses[task] = raw;
        total += value.dataSync()[0];
        value.dispose();
        return g;
      });
      taskGrads = perTask.map((g) => flatten(shared.map((v) => g[v.name]), sharedSizes));
      combination = method.combineGradients(taskGrads, tasks.map((t) => losses[t]!));
      let offset = 0;
      shared.forEach((v) => {
        if (perTask.some((g) => g[v.name])) grads[v.name] = tf.tensor(combination.direction.subarray(offset, offset + v.size), v.shape);
        offset += v.size;
      });
      tasks.forEach((task, k) => {
        for (const v of heads[task]) if (perTask[k][v.name]) grads[v.name] = perTask[k][v.name];
      });
      for (const g of perTask) for (const v of shared) g[v.name]?.dispose();
    } else {
      let seen: { grads: Float32Array[]; combination: Combination } | null = null;
      const kept: TaskLosses = {};
      const { value, grads: g } = tf.variableGrads(() => {
        const { features } = model.encoder.apply(batch.image, train(true));
        const shapes = features.map((f) => f.shape);
        const sizes = features.map((f) => f.size);
        const n = sizes.reduce((a, b) => a + b, 0);
        const fork = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
          value: tf.tile(tf.reshape(args[0] as tf.Tensor, [1, n]), [tasks.length, 1]),
          gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
            const all = (dy as tf.Tensor).dataSync() as Float32Array;
            const perTask = tasks.map((_, k) => all.slice(k * n, (k + 1) * n));
            const c = method.combineGradients(perTask, tasks.map((t) => kept[t]!.dataSync()[0]));
            seen = { grads: perTask, combination: c };
            return tf.tensor1d(c.direction);
          },
        }));
        const copies = fork(tf.concat(features.map((f) => tf.reshape(f, [-1])))) as tf.Tensor2D;
        tf.dispose(features);
        return tasks.reduce((acc: tf.Scalar, task, k) => {
          const row = tf.reshape(tf.slice(copies, [k, 0], [1, n]), [n]);
          const parts = tf.split(row, sizes).map((p, i) => tf.reshape(p, shapes[i]) as tf.Tensor4D);
          const loss = computeTaskLosses(headOutput(model, task, parts, train(true)), batch, config)[task]!;
          kept[task] = tf.keep(loss);
          return tf.add(acc, method.objective(task, loss));
        }, tf.scalar(0));
      }, variables);
      Object.assign(grads, g);
      total = value.dataSync()[0];
      for (const t of tasks) losses[t] = kept[t]!.dataSync()[0];
      tf.dispose([value, ...Object.values(kept)]);
      const result = seen as { grads: Float32Array[]; combination: Combination } | null;
      if (!result) throw new ConfigError(`weighting: ${weighting.kind}: no gradient reached the encoder's features`);
      taskGrads = result.grads;
      combination = result.combination;
    }
    // The same variables in the same order every step (tfjs optimizer slots are by position).
    const ordered: tf.NamedTensorMap = {};
    for (const v of variables) if (grads[v.name]) ordered[v.name] = grads[v.name];
    optimizer.applyGradients(ordered);
    tf.dispose(Object.values(grads));
    const weights = combination.taskWeights ?? combination.weights;
    const taskWeights: TaskNumbers = Object.fromEntries(tasks.map((t, i) => [t, weights ? weights[i] : 1]));
    const diagnostics = gradientDiagnostics(tasks, taskGrads, method.space, weights);
    if (weighting.observeAfterUpdate) weighting.observeAfterUpdate(lossesAt(model, batch, config, options));
    weighting.observe(losses);
    return { losses, taskWeights, total, diagnostics };
  };
}
