/**
 * GradNorm (Chen, Badrinarayanan, Lee and Rabinovich, ICML 2018). Task weights w_t (initial 1) scale the losses in
 * the network's total sum_t w_t L_t and are learned from a separate objective at the last shared layer W:
 *   G_t = || grad_W (w_t L_t) || = w_t ||grad_W L_t||,   r_t = (L_t / L_t(0)) / mean_j (L_j / L_j(0))
 *   L_grad = sum_t | G_t - mean_j(G_j) * r_t^alpha |      (the target term held constant, as in the paper)
 * One step of the network's optimizer on L_grad per training step (together with the network's update), then the
 * weights are clamped at `minWeight` and
 * renormalised to sum to the number of tasks. L_t(0) are the losses of the first step seen (part of the exported
 * state, so a resumed run keeps them). alpha default 1.5.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { BaseWeighting } from './base';
import { GradNormUpdate, TaskNumbers, WeightingState, readScalars, stateList, taskLoss } from './strategy';
import type { StrategyEntry } from './entry';

export interface GradNormWeightingConfig {
  kind: 'gradnorm';
  /** Restoring-force strength alpha, default 1.5. */
  alpha?: number;
  /** Lower bound of a weight before renormalisation, default 1e-3 (keeps every task in play). */
  minWeight?: number;
}

export class GradNormWeighting extends BaseWeighting implements GradNormUpdate {
  readonly kind = 'gradnorm';
  readonly gradNorm: GradNormUpdate = this;
  private readonly alpha: number;
  private readonly minWeight: number;
  private readonly w: tf.Variable[];
  private initialLosses: number[] | null = null;

  constructor(tasks: TaskName[], config: Omit<GradNormWeightingConfig, 'kind'> = {}) {
    super(tasks);
    this.alpha = config.alpha ?? 1.5;
    this.minWeight = config.minWeight ?? 1e-3;
    if (!(this.alpha >= 0)) throw new ConfigError(`weighting: GradNorm alpha must be >= 0, got ${this.alpha}`);
    if (!(this.minWeight > 0)) throw new ConfigError(`weighting: GradNorm minWeight must be > 0, got ${this.minWeight}`);
    this.w = tasks.map(() => tf.tidy(() => tf.variable(tf.scalar(1), true)));
  }

  override variables(): tf.Variable[] {
    return this.w;
  }

  combine(losses: TaskLosses): tf.Scalar {
    // The weights enter the network's loss as constants: they are not in the network's variable list.
    return tf.tidy(() => this.tasks.reduce((acc: tf.Scalar, t, i) => tf.add(acc, tf.mul(this.w[i], taskLoss(losses, t))), tf.scalar(0)));
  }

  current(): TaskNumbers {
    return readScalars(this.tasks, this.w, (v) => v);
  }

  weightGradients(norms: TaskNumbers, losses: TaskNumbers): tf.NamedTensorMap {
    const n = this.tasks.map((t) => norms[t] ?? 0);
    const l = this.tasks.map((t) => losses[t] ?? 0);
    if (!this.initialLosses) this.initialLosses = l.map((v) => Math.max(v, 1e-12));
    const relative = l.map((v, i) => v / this.initialLosses![i]);
    const meanRelative = relative.reduce((a, b) => a + b, 0) / relative.length;
    const w = this.w.map((v) => v.dataSync()[0]);
    const meanG = w.reduce((acc, wi, i) => acc + wi * n[i], 0) / w.length;
    const target = relative.map((r) => meanG * (meanRelative > 0 ? r / meanRelative : 1) ** this.alpha);
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => this.w.reduce((acc: tf.Scalar, wi, i) => tf.add(acc, tf.abs(tf.sub(tf.mul(wi, n[i]), target[i]))), tf.scalar(0))),
      this.w,
    );
    value.dispose();
    return grads;
  }

  renormalise(): void {
    const clamped = this.w.map((v) => Math.max(v.dataSync()[0], this.minWeight));
    const total = clamped.reduce((a, b) => a + b, 0);
    this.w.forEach((v, i) => tf.tidy(() => v.assign(tf.scalar((this.tasks.length * clamped[i]) / total))));
  }

  /** L_t(0), once the first step has set them (the weights themselves are variables). */
  override exportState(): WeightingState {
    return this.initialLosses ? { initialLosses: this.initialLosses.slice() } : {};
  }

  override importState(state: WeightingState, file: string): void {
    this.initialLosses = state.initialLosses === undefined ? null : stateList(state, 'initialLosses', this.tasks.length, file);
  }

  override dispose(): void {
    tf.dispose(this.w);
  }
}

export const gradNormStrategy: StrategyEntry<GradNormWeightingConfig> = {
  kind: 'gradnorm',
  summary: 'GradNorm (Chen et al. 2018): weights balancing gradient norms at the last shared layer; alpha',
  family: 'loss',
  stateful: true,
  create: (tasks, config) => new GradNormWeighting(tasks, config),
};
