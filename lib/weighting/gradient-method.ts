/**
 * The shared machinery of the gradient methods. A method is a `GradientRule`: plain numbers in, plain numbers out, for
 * any number of tasks (so `combineGradients` and the command line use it without a model). `GradientWeighting` wraps
 * a rule as a TaskWeighting for the train step, which computes the per-task gradients on the shared parameters (or at
 * the shared representation), hands them to `combineGradients` and applies the direction it returns; every head gets
 * its own task's gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ModelFileError } from '../errors';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { Rng } from '../util/rng';
import { BaseWeighting } from './base';
import { GradientRule } from './gradient-rule';
import type { StrategyEntry } from './entry';
import { Matrix, gram, linearCombination } from './gradient-math';
import { Combination, GradientCombination, GradientSpace, TaskNumbers, WeightingState, stateList, taskLoss } from './strategy';


/** A rule whose direction is sum_t w_t g_t with weights computed from the Gram matrix G_ij = g_i . g_j. */
export abstract class GramRule extends GradientRule {
  abstract weights(gram: Matrix, losses: number[]): number[];

  combine(grads: Float32Array[], losses: number[]): Combination {
    const w = this.weights(gram(grads), losses);
    return { direction: linearCombination(grads, w), weights: w };
  }
}

/** A rule that draws random numbers: from `seed` and the number of steps done, which is its checkpointed state. */
export abstract class RandomRule extends GradientRule {
  protected steps = 0;

  constructor(
    taskCount: number,
    private readonly seed: number,
    private readonly label: string,
  ) {
    super(taskCount);
  }

  /** The stream of the current step; call once per step, then `advance`. */
  protected stepRng(): Rng {
    return new Rng(`${this.label}:${this.seed}`).fork(`step-${this.steps}`);
  }

  protected advance(): void {
    this.steps += 1;
  }

  override exportState(): WeightingState {
    return { steps: [this.steps] };
  }

  override importState(state: WeightingState, file: string): void {
    this.steps = stateCount(state, 'steps', file);
  }
}

/** The single non-negative integer stored under `key` (a step count). */
export function stateCount(state: WeightingState, key: string, file: string): number {
  const [n] = stateList(state, key, 1, file);
  if (!Number.isInteger(n) || n < 0) throw new ModelFileError(`task-weighting state '${key}' must be a count, got ${n}`, file);
  return n;
}

export class GradientWeighting extends BaseWeighting implements GradientCombination {
  readonly gradients: GradientCombination = this;
  private last: number[] | null = null;

  constructor(
    readonly kind: string,
    tasks: TaskName[],
    readonly rule: GradientRule,
    readonly space: GradientSpace,
  ) {
    super(tasks);
  }

  objective(_task: TaskName, loss: tf.Scalar): tf.Scalar {
    return loss;
  }

  /** The sum of the task objectives (what the step reports as its total when the method has no weights). */
  combine(losses: TaskLosses): tf.Scalar {
    return tf.tidy(() => this.tasks.reduce((acc: tf.Scalar, t) => tf.add(acc, this.objective(t, taskLoss(losses, t))), tf.scalar(0)));
  }

  combineGradients(grads: Float32Array[], losses: number[]): Combination {
    const result = this.rule.combine(grads, losses);
    this.last = result.taskWeights ?? result.weights;
    return result;
  }

  /** The effective weights of the last step (1 each before the first). */
  current(): TaskNumbers {
    return Object.fromEntries(this.tasks.map((t, i) => [t, this.last?.[i] ?? 1]));
  }

  override exportState(): WeightingState {
    return { ...this.rule.exportState(), ...(this.last ? { lastWeights: this.last.slice() } : {}) };
  }

  override importState(state: WeightingState, file: string): void {
    this.rule.importState(state, file);
    this.last = state.lastWeights === undefined ? null : stateList(state, 'lastWeights', this.tasks.length, file);
  }
}

/** The objective of DB-MTL's loss-scale balancing: log(L + 1e-8). */
export class LogLossGradientWeighting extends GradientWeighting {
  override objective(_task: TaskName, loss: tf.Scalar): tf.Scalar {
    return tf.log(tf.add(loss, 1e-8)) as tf.Scalar;
  }
}

/** `space` of a config, checked against what the method supports. */
export function resolveSpace(kind: string, space: GradientSpace | undefined, supported: readonly GradientSpace[]): GradientSpace {
  const s = space ?? supported[0];
  if (!supported.includes(s)) {
    throw new ConfigError(`weighting: ${kind} takes its gradients at ${supported.join(' or ')}, not '${String(space)}'`);
  }
  return s;
}

/** The registry entry of a gradient method: its rule, wrapped for the train step. */
export function gradientEntry<C extends { kind: string; space?: GradientSpace }>(spec: {
  kind: C['kind'];
  summary: string;
  /** The supported spaces, the default first. */
  spaces: readonly GradientSpace[];
  stateful?: boolean;
  random?: boolean;
  /** Differentiate log(L + 1e-8) instead of L (DB-MTL). */
  logLoss?: boolean;
  rule(taskCount: number, config: C): GradientRule;
}): StrategyEntry<C> {
  const Wrapper = spec.logLoss ? LogLossGradientWeighting : GradientWeighting;
  return {
    kind: spec.kind,
    summary: spec.summary,
    family: 'gradient',
    stateful: spec.stateful,
    random: spec.random,
    create: (tasks, config) => new Wrapper(spec.kind, tasks, spec.rule(tasks.length, config), resolveSpace(spec.kind, config.space, spec.spaces)),
    rule: spec.rule,
  };
}

/** A rule from per-step weights of the losses (a loss method seen as a combination of its tasks' gradients). */
export class LossWeightsRule extends GradientRule {
  constructor(
    taskCount: number,
    private readonly weightsOf: (losses: number[]) => number[],
  ) {
    super(taskCount);
  }

  combine(grads: Float32Array[], losses: number[]): Combination {
    const w = this.weightsOf(losses);
    return { direction: linearCombination(grads, w), weights: w };
  }
}

/** Checks a numeric hyper-parameter: ConfigError unless `ok`. */
export function checkOption(kind: string, name: string, value: number, ok: boolean, expected: string): number {
  if (!ok || !Number.isFinite(value)) throw new ConfigError(`weighting: ${kind} ${name} must be ${expected}, got ${value}`);
  return value;
}
