/**
 * The training configuration: plain JSON with defaults, stored in a run folder's config.json so that a run can be
 * rebuilt and resumed exactly. Sizes are in optimiser steps; an epoch is `stepsPerEpoch` steps of the sampler (the
 * sampler draws with replacement, so an epoch is a reporting and validation period, not a pass over a fixed list).
 */
import { ConfigError } from '../errors';
import { resolveLossConfig, type LossConfig, type LossConfigInput } from '../losses/task-losses';
import type { ModelKind } from '../model/multitask';
import type { AugmentConfig } from '../data/augment';
import { resolveAugmentConfig } from '../data/augment';
import type { SamplerConfig } from '../data/sampler';
import { resolveSamplerConfig } from '../data/sampler';
import type { WeightingConfig } from '../weighting/create';
import { weightingKinds } from '../weighting/create';
import { strategyEntry } from '../weighting/registry';
import type { AdamWConfig } from './optimizer';
import { adamWDefaults } from './optimizer';

export interface EarlyStoppingConfig {
  /** Name of the validation metric (a key the validation function returns, e.g. 'dice', 'auc', 'score'). */
  metric: string;
  mode: 'max' | 'min';
  /** Validations without an improvement of more than `minDelta` before training stops. */
  patience: number;
  minDelta: number;
}

export interface TrainConfig {
  /** Master seed: sampling and augmentation of step s come from the stream (seed, s). */
  seed: number;
  batchSize: number;
  /** Total optimiser steps (the length of the schedule). */
  steps: number;
  stepsPerEpoch: number;
  optimizer: AdamWConfig;
  /** Linear warm-up steps, then cosine decay to `floorFactor` x the peak rate (lib/train/schedule.ts). */
  warmupSteps: number;
  floorFactor: number;
  weighting: WeightingConfig;
  loss: LossConfig;
  sampler: SamplerConfig;
  augment: AugmentConfig;
  /** Validate every this many epochs (and after the last step); 0 turns validation off. */
  validateEvery: number;
  /** Null: train all steps and keep the last weights. */
  earlyStopping: EarlyStoppingConfig | null;
  /** Write a checkpoint every this many steps (and at every epoch end). */
  checkpointEvery: number;
}

export type TrainConfigInput = Partial<Omit<TrainConfig, 'optimizer' | 'sampler' | 'augment' | 'loss'>> & {
  loss?: LossConfigInput;
  optimizer?: Partial<AdamWConfig>;
  sampler?: Partial<SamplerConfig>;
  augment?: Partial<AugmentConfig> | null;
  /** Sets `steps` to epochs x stepsPerEpoch when `steps` is not given. */
  epochs?: number;
};

/**
 * The defaults of every training, in one place: what `egfr-gtv train` with no option, the grids and the notebooks
 * train unless they say otherwise. They are the settings of the quality run (docs/model-spec.md, "Training"): 1600
 * steps of 8 slices at a peak learning rate of 2e-3, three tumour slices in four, validation every 200-step epoch and
 * the best validated epoch kept.
 */
export const trainDefaults = {
  seed: 0,
  batchSize: 8,
  steps: 1600,
  stepsPerEpoch: 200,
  learningRate: 2e-3,
  /** Share of the schedule spent in linear warm-up. */
  warmupShare: 0.05,
  floorFactor: 0.01,
  /** Share of tumour slices in a batch for models that segment; a classifier learns from tumour slices only. */
  tumourFraction: 0.75,
  validateEvery: 1,
} as const;

/**
 * Early stopping that never stops before the end but keeps the best validated epoch: the patience covers every
 * validation of the run. The default of a validated run (validateEvery > 0); the trainer ignores it when the run has
 * no validation patients.
 */
export function keepBestEpoch(steps: number, stepsPerEpoch: number, validateEvery: number): EarlyStoppingConfig {
  const validations = Math.ceil(steps / stepsPerEpoch / Math.max(1, validateEvery));
  return { metric: 'score', mode: 'max', patience: Math.max(1, validations), minDelta: 0 };
}

/** A random strategy (RLW, GradDrop) draws from the run's seed unless its config names its own. */
function withRunSeed(weighting: WeightingConfig, seed: number): WeightingConfig {
  if (!strategyEntry(weighting.kind)?.random || 'seed' in weighting) return weighting;
  return { ...weighting, seed } as WeightingConfig;
}

/**
 * Fills in the defaults for a model kind and checks every value. The kind matters for two defaults: classification
 * learns only from tumour slices (the EGFR label is the patient's), so a 'cls' model samples tumour slices only, and a
 * single-task model has nothing to weight, so its weighting is fixed. The loss config is resolved here too, so a run's
 * config.json holds every value the run used.
 */
export function resolveTrainConfig(input: TrainConfigInput, kind: ModelKind): TrainConfig {
  const d = trainDefaults;
  const stepsPerEpoch = input.stepsPerEpoch ?? d.stepsPerEpoch;
  const steps = input.steps ?? (input.epochs !== undefined ? input.epochs * stepsPerEpoch : d.steps);
  const validateEvery = input.validateEvery ?? d.validateEvery;
  const config: TrainConfig = {
    seed: input.seed ?? d.seed,
    batchSize: input.batchSize ?? d.batchSize,
    steps,
    stepsPerEpoch,
    optimizer: { ...adamWDefaults, learningRate: d.learningRate, ...input.optimizer },
    warmupSteps: input.warmupSteps ?? Math.min(steps, Math.round(d.warmupShare * steps)),
    floorFactor: input.floorFactor ?? d.floorFactor,
    weighting: withRunSeed(input.weighting ?? (kind === 'mtl' ? { kind: 'uncertainty' } : { kind: 'fixed' }), input.seed ?? d.seed),
    loss: resolveLossConfig(input.loss ?? {}),
    sampler: resolveSamplerConfig({ tumourFraction: kind === 'cls' ? 1 : d.tumourFraction, ...input.sampler }),
    augment: resolveAugmentConfig(input.augment === null ? { enabled: false } : (input.augment ?? {})),
    validateEvery,
    earlyStopping: input.earlyStopping !== undefined ? input.earlyStopping : validateEvery > 0 ? keepBestEpoch(steps, stepsPerEpoch, validateEvery) : null,
    checkpointEvery: input.checkpointEvery ?? stepsPerEpoch,
  };
  validateTrainConfig(config);
  return config;
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`train: ${name} must be a positive integer, got ${v}`);
}

export function validateTrainConfig(c: TrainConfig): void {
  if (!Number.isInteger(c.seed) || c.seed < 0) throw new ConfigError(`train: seed must be a non-negative integer, got ${c.seed}`);
  positiveInt('batch size', c.batchSize);
  positiveInt('steps', c.steps);
  positiveInt('steps per epoch', c.stepsPerEpoch);
  positiveInt('checkpoint interval', c.checkpointEvery);
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0 || c.warmupSteps > c.steps) {
    throw new ConfigError(`train: warm-up steps must be an integer in [0, ${c.steps}], got ${c.warmupSteps}`);
  }
  if (!(c.floorFactor >= 0 && c.floorFactor <= 1)) throw new ConfigError(`train: floor factor must be in [0, 1], got ${c.floorFactor}`);
  if (!(weightingKinds as readonly string[]).includes(c.weighting.kind)) {
    throw new ConfigError(`train: unknown weighting '${c.weighting.kind}' (expected ${weightingKinds.join(', ')})`);
  }
  if (!Number.isInteger(c.validateEvery) || c.validateEvery < 0) {
    throw new ConfigError(`train: validateEvery must be a non-negative integer, got ${c.validateEvery}`);
  }
  const es = c.earlyStopping;
  if (es) {
    if (es.mode !== 'max' && es.mode !== 'min') throw new ConfigError(`train: early-stopping mode must be max or min, got ${es.mode}`);
    if (!Number.isInteger(es.patience) || es.patience < 1) throw new ConfigError(`train: patience must be a positive integer, got ${es.patience}`);
    if (!(es.minDelta >= 0)) throw new ConfigError(`train: minDelta must be >= 0, got ${es.minDelta}`);
    if (c.validateEvery === 0) throw new ConfigError('train: early stopping needs validation (validateEvery > 0)');
  }
}
