/**
 * The training loop. Step s (0-based) draws its batch and its augmentation from the stream `Rng(seed).fork('step-s')`
 * and its learning rate from the warm-up + cosine schedule of s, so what a step does depends only on the seed, s
 * and the state the previous steps left (weights, optimizer moments, task weights and the weighting's observations).
 * The step's dropout masks come from the same stream (ApplyOptions.dropoutSeed), not from a stream that runs on across
 * steps. A checkpoint stores that state; resuming from it therefore continues exactly as if the run had never
 * stopped, on every bundled backend (native, wasm, cpu); on native the floats are the same for the same instruction
 * set and thread count (EGFR_NATIVE_THREADS), so a resume on another machine continues correctly but not bit for bit.
 *
 * An epoch is `stepsPerEpoch` steps; at its end the task weighting closes its window (DWA), the model is validated
 * (when a validation function is given), early stopping is updated, the logs are rewritten and a checkpoint is
 * written (when a run folder is given).
 */
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BalancedSliceSampler } from '../data/sampler';
import { loadModelFile } from '../engine/model-file';
import type { SliceDataset } from '../data/slice-dataset';
import { ConfigError, DatasetError } from '../errors';
import type { MultiTaskModel } from '../model/multitask';
import { saveModel } from '../model/file';
import { Rng } from '../util/rng';
import { createWeighting } from '../weighting/create';
import type { TaskWeighting } from '../weighting/strategy';
import { latestCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import type { TrainConfig } from './config';
import { initialEarlyStopping, updateEarlyStopping, type EarlyStoppingState } from './early-stopping';
import { AdamW } from './optimizer';
import type { EpochRow, StepRow, TrainCallbacks } from './progress';
import { runPaths, writeRunLogs } from './run-folder';
import { learningRateAt } from './schedule';
import { GradientDiagnosticsLog } from './gradient-diagnostics';
import { createTrainStep } from './step';

export type ValidateFn = (model: MultiTaskModel) => Promise<Record<string, number>>;

export interface TrainerOptions {
  /** A freshly built model (its config and seed define the initial weights); trained in place. */
  model: MultiTaskModel;
  dataset: SliceDataset;
  config: TrainConfig;
  /** Run folder for logs, checkpoints and the final model; without it nothing is written. */
  runDir?: string;
  /** Continue from the run folder's latest checkpoint (a fresh start when it has none). */
  resume?: boolean;
  validate?: ValidateFn;
  callbacks?: TrainCallbacks;
  /** Stop, with a checkpoint, once this many steps are done in total (an interruption on purpose, e.g. a time box). */
  stopAtStep?: number;
}

export interface TrainResult {
  /** Steps done in total (before an interruption included). */
  steps: number;
  /** False when stopped by `stopAtStep` before the end. */
  completed: boolean;
  stoppedEarly: boolean;
  bestEpoch: number | null;
  steplog: StepRow[];
  epochs: EpochRow[];
}

/** What a checkpoint stores besides tensors. */
interface TrainerState {
  step: number;
  seconds: number;
  steplog: StepRow[];
  epochs: EpochRow[];
  early: EarlyStoppingState;
}

/** The optimizer's variables under stable names: the model's trainable weights and the weighting's variables. */
function optimizerVariables(model: MultiTaskModel, weighting: TaskWeighting): { name: string; variable: tf.Variable }[] {
  return [
    ...model
      .weights()
      .filter((w) => w.trainable)
      .map((w) => ({ name: w.name, variable: w.variable })),
    ...weighting.variables().map((variable, i) => ({ name: `weighting/${i}`, variable })),
  ];
}

function cloneWeights(model: MultiTaskModel): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const w of model.weights()) out[w.name] = tf.clone(w.variable);
  return out;
}

function checkDataset(model: MultiTaskModel, dataset: SliceDataset): void {
  if (dataset.cases.length === 0) throw new DatasetError('no training case');
  const expected = model.config.input.channels;
  if (dataset.channels !== expected) {
    throw new ConfigError(`the model takes ${expected} input channels but the data give ${dataset.channels}`);
  }
  const { height, width } = model.config.input;
  if (dataset.config.size !== height || dataset.config.size !== width) {
    throw new ConfigError(`the model takes ${height}x${width} slices but the data are prepared at ${dataset.config.size}`);
  }
  if (model.tasks.includes('seg')) {
    const noMask = dataset.cases.find((c) => !c.mask);
    if (noMask) throw new DatasetError(`case ${noMask.id} has no GTV mask, which a segmenting model needs for training`);
  }
  if (model.tasks.includes('cls')) {
    const noLabel = dataset.cases.find((c) => c.label === undefined);
    if (noLabel) throw new DatasetError(`case ${noLabel.id} has no EGFR label, which a classifying model needs for training`);
  }
}

/** Everything one training needs besides its state: built once from the options. */
interface Session {
  options: TrainerOptions;
  weighting: TaskWeighting;
  optimizer: AdamW;
  trainStep: ReturnType<typeof createTrainStep>;
  sampler: BalancedSliceSampler;
  schedule: Parameters<typeof learningRateAt>[0];
  parts: { model: MultiTaskModel; optimizer: AdamW; weighting: TaskWeighting };
  diagnostics: GradientDiagnosticsLog | null;
  /** The best validated weights of this process (null until an epoch improves, or when resumed after the best). */
  bestWeights: Record<string, tf.Tensor> | null;
}

function openSession(options: TrainerOptions): Session {
  const { model, dataset, config } = options;
  const weighting = createWeighting(config.weighting, model.tasks);
  const optimizer = new AdamW(config.optimizer, optimizerVariables(model, weighting));
  return {
    options,
    weighting,
    optimizer,
    trainStep: createTrainStep(model, weighting, optimizer, config.loss),
    sampler: new BalancedSliceSampler(dataset.stats(), config.sampler),
    schedule: {
      peak: config.optimizer.learningRate,
      totalSteps: config.steps,
      warmupSteps: config.warmupSteps,
      floor: config.floorFactor * config.optimizer.learningRate,
    },
    parts: { model, optimizer, weighting },
    diagnostics: null,
    bestWeights: null,
  };
}

const endsEpoch = (config: TrainConfig, s: number) => (s + 1) % config.stepsPerEpoch === 0 || s + 1 === config.steps;

/** The state to start from: fresh, or the run folder's latest checkpoint when resuming. */
async function startingState(session: Session): Promise<TrainerState> {
  const { options, parts, weighting } = session;
  const fresh: TrainerState = { step: 0, seconds: 0, steplog: [], epochs: [], early: initialEarlyStopping() };
  if (!options.resume || !options.runDir) return fresh;
  const latest = await latestCheckpoint(runPaths(options.runDir).checkpoints);
  if (!latest) return fresh;
  const restored = await restoreCheckpoint<TrainerState>(latest.dir, parts);
  if (!restored.weightingState) {
    // A checkpoint written before the weighting's state was stored: DWA's windows are rebuilt by replaying what
    // it observed (GradNorm takes its initial losses again from the next step).
    for (const row of restored.state.steplog) {
      weighting.observe(row.losses);
      if (endsEpoch(options.config, row.step)) weighting.endEpoch();
    }
  }
  return restored.state;
}

/** Step s: its batch, augmentation and dropout from the stream (seed, s), one update, the step's log row. */
async function trainOneStep(session: Session, s: number): Promise<StepRow> {
  const { options, optimizer, sampler, trainStep } = session;
  const { dataset, config } = options;
  const lr = learningRateAt(session.schedule, s);
  optimizer.learningRate = lr;
  const rng = new Rng(config.seed).fork(`step-${s}`);
  const refs = sampler.sample(rng.fork('sample'), config.batchSize);
  const batch = dataset.batch(refs, config.augment.enabled ? { config: config.augment, rng: rng.fork('augment') } : undefined);
  let result;
  try {
    result = trainStep(batch, { dropoutSeed: rng.fork('dropout').nextUint32() });
  } finally {
    tf.dispose([batch.image, ...(batch.mask ? [batch.mask] : []), ...(batch.label ? [batch.label] : [])]);
  }
  if (!Number.isFinite(result.total)) {
    throw new ConfigError(`training diverged: the loss is ${result.total} at step ${s + 1}; lower the learning rate`);
  }
  const epoch = Math.floor(s / config.stepsPerEpoch) + 1;
  if (session.diagnostics && result.diagnostics) await session.diagnostics.append(s, epoch, result.diagnostics);
  return { step: s, epoch, lr, total: result.total, losses: result.losses, weights: result.taskWeights };
}

/**
 * The end of epoch `epoch`: the weighting closes its window, the model is validated when due, early stopping is
 * updated (keeping the best weights) and the epoch's row is added.
 */
async function closeEpoch(session: Session, state: TrainerState, epoch: number, lr: number, seconds: () => number): Promise<void> {
  const { options, weighting } = session;
  const { model, config, validate, runDir } = options;
  weighting.endEpoch();
  const rows = state.steplog.filter((r) => r.epoch === epoch);
  const mean = (f: (r: StepRow) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const due = config.validateEvery > 0 && (epoch % config.validateEvery === 0 || state.step === config.steps);
  const validation = validate && due ? await validate(model) : {};
  if (config.earlyStopping && Object.keys(validation).length > 0) {
    const update = updateEarlyStopping(state.early, config.earlyStopping, validation, epoch);
    state.early = update.state;
    if (update.improved) {
      if (session.bestWeights) tf.dispose(Object.values(session.bestWeights));
      session.bestWeights = cloneWeights(model);
      if (runDir) await saveModel(runPaths(runDir).bestModel, model, { epoch, step: state.step, validation });
    }
  }
  const epochRow: EpochRow = {
    epoch,
    step: state.step,
    lr,
    total: mean((r) => r.total),
    losses: Object.fromEntries(model.tasks.map((t) => [t, mean((r) => r.losses[t] ?? 0)])),
    validation,
    seconds: seconds(),
  };
  state.epochs.push(epochRow);
  state.seconds = epochRow.seconds;
  options.callbacks?.onEpoch?.(epochRow);
}

/** The logs and a checkpoint of the state so far (nothing without a run folder). */
async function persist(session: Session, state: TrainerState): Promise<void> {
  const { runDir, model } = session.options;
  if (!runDir) return;
  await writeRunLogs(runDir, model.tasks, state.steplog, state.epochs);
  await saveCheckpoint(runPaths(runDir).checkpoints, state.step, session.parts, state);
}

/** A finished run keeps its best validated weights (from memory, or from the run folder after a resume) and saves them. */
async function finish(session: Session, state: TrainerState): Promise<void> {
  const { model, config, runDir, callbacks } = session.options;
  if (config.earlyStopping && state.early.best !== null) {
    if (session.bestWeights) {
      model.loadWeights(session.bestWeights, 'best weights in memory');
    } else if (runDir) {
      // Resumed after the best epoch: the best weights live only in the run folder.
      const best = await loadModelFile(runPaths(runDir).bestModel);
      try {
        model.loadWeights(best.weights, runPaths(runDir).bestModel);
      } finally {
        tf.dispose(Object.values(best.weights));
      }
    }
  }
  if (runDir) await saveModel(runPaths(runDir).model, model, { steps: state.step, bestEpoch: state.early.bestEpoch });
  callbacks?.onEnd?.({ steps: state.step, stoppedEarly: state.early.stopped, bestEpoch: state.early.bestEpoch });
}

export async function trainModel(options: TrainerOptions): Promise<TrainResult> {
  const { model, dataset, config, runDir, callbacks } = options;
  checkDataset(model, dataset);
  if (options.resume && !runDir) throw new ConfigError('resume needs the run folder');
  if (runDir) await fs.mkdir(runDir, { recursive: true });
  const session = openSession(options);
  try {
    const state = await startingState(session);
    if (runDir && session.weighting.gradients) {
      session.diagnostics = await GradientDiagnosticsLog.open(runPaths(runDir).gradientDiagnostics, model.tasks, state.step);
    }
    const started = Date.now();
    const secondsBefore = state.seconds;
    const stepAtStart = state.step;
    const seconds = () => secondsBefore + (Date.now() - started) / 1000;
    const stopAt = Math.min(config.steps, options.stopAtStep ?? config.steps);
    while (state.step < stopAt && !state.early.stopped) {
      const s = state.step;
      const row = await trainOneStep(session, s);
      state.steplog.push(row);
      state.step = s + 1;
      state.seconds = seconds();
      const elapsed = (Date.now() - started) / 1000;
      const perStep = elapsed / (state.step - stepAtStart);
      callbacks?.onStep?.({ row, totalSteps: config.steps, elapsedSeconds: elapsed, etaSeconds: perStep * (config.steps - state.step) });
      if (endsEpoch(config, s)) {
        await closeEpoch(session, state, row.epoch, row.lr, seconds);
        await persist(session, state);
      } else if (state.step % config.checkpointEvery === 0 || state.step === stopAt) {
        await persist(session, state);
      }
    }
    const completed = state.step >= config.steps || state.early.stopped;
    if (completed) await finish(session, state);
    return {
      steps: state.step,
      completed,
      stoppedEarly: state.early.stopped,
      bestEpoch: state.early.bestEpoch,
      steplog: state.steplog,
      epochs: state.epochs,
    };
  } finally {
    if (session.bestWeights) tf.dispose(Object.values(session.bestWeights));
    session.optimizer.dispose();
    session.weighting.dispose();
  }
}
