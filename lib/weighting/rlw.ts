/**
 * Random loss weighting, RLW (Lin, Ye, Xu, Shi, Zhang and Kwok, "Reasonable Effectiveness of Random Weighting: A
 * Litmus Test for Multi-Task Learning", TMLR 2022): every step draws z ~ N(0, I) and weights the losses with
 * softmax(z), total = sum_t softmax(z)_t L_t. The draws come from `seed` and the step count (checkpointed), so a
 * resumed run draws the same weights.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { Rng } from '../util/rng';
import { BaseWeighting } from './base';
import type { StrategyEntry } from './entry';
import { LossWeightsRule, stateCount } from './gradient-method';
import { TaskNumbers, WeightingState, weightedSum } from './strategy';

export interface RlwWeightingConfig {
  kind: 'rlw';
  /** Seed of the weight draws, default 0. */
  seed?: number;
}

/** softmax(z), z ~ N(0, I) from the stream of step `step`. */
export function rlwWeights(taskCount: number, seed: number, step: number): number[] {
  const rng = new Rng(`rlw:${seed}`).fork(`step-${step}`);
  const z = Array.from({ length: taskCount }, () => rng.normal());
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export class RlwWeighting extends BaseWeighting {
  readonly kind = 'rlw';
  private readonly seed: number;
  private steps = 0;

  constructor(tasks: TaskName[], config: Omit<RlwWeightingConfig, 'kind'> = {}) {
    super(tasks);
    this.seed = config.seed ?? 0;
  }

  /** This step's weights (drawn again from the same stream until `observe` closes the step). */
  current(): TaskNumbers {
    const w = rlwWeights(this.tasks.length, this.seed, this.steps);
    return Object.fromEntries(this.tasks.map((t, i) => [t, w[i]]));
  }

  combine(losses: TaskLosses): tf.Scalar {
    return weightedSum(losses, this.tasks, this.current());
  }

  override observe(): void {
    this.steps += 1;
  }

  override exportState(): WeightingState {
    return { steps: [this.steps] };
  }

  override importState(state: WeightingState, file: string): void {
    this.steps = stateCount(state, 'steps', file);
  }
}

export const rlwStrategy: StrategyEntry<RlwWeightingConfig> = {
  kind: 'rlw',
  summary: 'RLW (Lin et al. 2022): random loss weights softmax(z), z ~ N(0, I) every step; seed',
  family: 'loss',
  stateful: true,
  random: true,
  create: (tasks, config) => new RlwWeighting(tasks, config),
  rule: (n, config) => new LossWeightsRule(n, () => rlwWeights(n, config.seed ?? 0, 0)),
};
