/**
 * FAMO (Liu, Liu, Stone and Liu, "FAMO: Fast Adaptive Multitask Optimization", NeurIPS 2023): task logits xi
 * (initial 0), z = softmax(xi), and the model minimises sum_t (z_t / c) log(L_t - m_t + eps) with c = sum_t z_t /
 * (L_t - m_t + eps) held constant (m_t: the losses' lower bounds, 0 here; eps 1e-8), so task t's loss gets the weight
 * z_t / (c (L_t + eps)). After the update, the losses on the same batch give the improvements
 * delta_t = log(L_t + eps) - log(L'_t + eps), and xi takes one Adam step (lr `lr` 0.025, L2 decay `gamma` 1e-3, the
 * paper's) along d xi = J_softmax^T delta: tasks that improved less gain weight. One extra forward pass per step (the
 * train step runs it for `observeAfterUpdate`). Stateful: xi and its Adam moments are checkpointed; its first step
 * weights every log-loss equally. `current()` reports z.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { BaseWeighting } from './base';
import type { StrategyEntry } from './entry';
import { LossWeightsRule, checkOption, stateCount } from './gradient-method';
import { TaskNumbers, WeightingState, stateList, taskLoss } from './strategy';

export interface FamoWeightingConfig {
  kind: 'famo';
  /** Adam learning rate of the logits, default 0.025. */
  lr?: number;
  /** L2 decay of the logits, default 1e-3. */
  gamma?: number;
}

const EPS = 1e-8;

function softmax(v: number[]): number[] {
  const top = Math.max(...v);
  const e = v.map((x) => Math.exp(x - top));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** The weights z_t / (c (L_t + eps)) of the losses for logits xi. */
export function famoWeights(logits: number[], losses: number[]): number[] {
  const z = softmax(logits);
  const c = z.reduce((s, v, t) => s + v / (losses[t] + EPS), 0);
  return z.map((v, t) => v / (c * (losses[t] + EPS)));
}

export class FamoWeighting extends BaseWeighting {
  readonly kind = 'famo';
  private readonly lr: number;
  private readonly gamma: number;
  private logits: number[];
  private m: number[];
  private v: number[];
  private t = 0;
  private before: number[] | null = null;

  constructor(tasks: TaskName[], config: Omit<FamoWeightingConfig, 'kind'> = {}) {
    super(tasks);
    this.lr = checkOption('FAMO', 'lr', config.lr ?? 0.025, (config.lr ?? 0.025) > 0, '> 0');
    this.gamma = checkOption('FAMO', 'gamma', config.gamma ?? 1e-3, (config.gamma ?? 1e-3) >= 0, '>= 0');
    this.logits = tasks.map(() => 0);
    this.m = tasks.map(() => 0);
    this.v = tasks.map(() => 0);
  }

  combine(losses: TaskLosses): tf.Scalar {
    const values = this.tasks.map((t) => taskLoss(losses, t));
    this.before = values.map((l) => l.dataSync()[0]);
    const z = softmax(this.logits);
    const c = z.reduce((s, v, t) => s + v / (this.before![t] + EPS), 0);
    return tf.tidy(() => values.reduce((acc: tf.Scalar, l, t) => tf.add(acc, tf.mul(tf.log(tf.add(l, EPS)), z[t] / c)), tf.scalar(0)));
  }

  current(): TaskNumbers {
    const z = softmax(this.logits);
    return Object.fromEntries(this.tasks.map((t, i) => [t, z[i]]));
  }

  /** One Adam step of the logits from the improvement of this step's losses on its batch. */
  observeAfterUpdate(after: TaskNumbers): void {
    if (!this.before) return;
    const before = this.before;
    const delta = this.tasks.map((t, i) => Math.log(before[i] + EPS) - Math.log((after[t] ?? before[i]) + EPS));
    const z = softmax(this.logits);
    const zd = z.reduce((s, v, i) => s + v * delta[i], 0);
    const grad = z.map((v, i) => v * (delta[i] - zd) + this.gamma * this.logits[i]);
    this.t += 1;
    const [b1, b2] = [0.9, 0.999];
    this.logits = this.logits.map((x, i) => {
      this.m[i] = b1 * this.m[i] + (1 - b1) * grad[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * grad[i] * grad[i];
      const mh = this.m[i] / (1 - b1 ** this.t);
      const vh = this.v[i] / (1 - b2 ** this.t);
      return x - (this.lr * mh) / (Math.sqrt(vh) + 1e-8);
    });
    this.before = null;
  }

  override exportState(): WeightingState {
    return { logits: this.logits.slice(), m: this.m.slice(), v: this.v.slice(), t: [this.t] };
  }

  override importState(state: WeightingState, file: string): void {
    const n = this.tasks.length;
    this.logits = stateList(state, 'logits', n, file);
    this.m = stateList(state, 'm', n, file);
    this.v = stateList(state, 'v', n, file);
    this.t = stateCount(state, 't', file);
  }
}

export const famoStrategy: StrategyEntry<FamoWeightingConfig> = {
  kind: 'famo',
  summary: 'FAMO (Liu et al. 2023): softmax task logits learned from each step\'s loss improvements; lr, gamma',
  family: 'loss',
  stateful: true,
  create: (tasks, config) => new FamoWeighting(tasks, config),
  rule: (n) => new LossWeightsRule(n, (losses) => famoWeights(new Array<number>(n).fill(0), losses)),
};
