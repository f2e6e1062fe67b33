/**
 * Dynamic weight average (Liu, Johns and Davison, CVPR 2019):
 *   w_t(k) = T_tasks * exp(r_t(k-1) / tau) / sum_j exp(r_j(k-1) / tau),   r_t(k-1) = L_t(k-1) / L_t(k-2)
 * where L_t(k) is task t's mean loss over window k (an epoch by default, or a fixed number of steps) and tau the
 * temperature (default 2). Weights are 1 until two windows have been seen. Nothing is learned.
 */
import { ConfigError, ModelFileError } from '../errors';
import type { TaskName } from '../model/multitask';
import { NumericWeights } from './numeric-weights';
import { TaskNumbers, WeightingState, stateList } from './strategy';
import type { StrategyEntry } from './entry';

export interface DwaWeightingConfig {
  kind: 'dwa';
  /** tau, default 2. */
  temperature?: number;
  /** 'epoch' (default: `endEpoch` closes a window) or a number of steps per window. */
  window?: 'epoch' | number;
}

export class DwaWeighting extends NumericWeights {
  readonly kind = 'dwa';
  private readonly temperature: number;
  private readonly window: 'epoch' | number;
  private sums: number[];
  private count = 0;
  /** Mean losses of the last two closed windows, oldest first. */
  private history: number[][] = [];

  constructor(tasks: TaskName[], config: Omit<DwaWeightingConfig, 'kind'> = {}) {
    super(tasks, Object.fromEntries(tasks.map((t) => [t, 1])));
    this.temperature = config.temperature ?? 2;
    this.window = config.window ?? 'epoch';
    if (!(this.temperature > 0)) throw new ConfigError(`weighting: DWA temperature must be > 0, got ${this.temperature}`);
    if (this.window !== 'epoch' && !(Number.isInteger(this.window) && this.window > 0)) {
      throw new ConfigError(`weighting: DWA window must be 'epoch' or a positive number of steps, got ${this.window}`);
    }
    this.sums = tasks.map(() => 0);
  }

  override observe(losses: TaskNumbers): void {
    this.tasks.forEach((t, i) => (this.sums[i] += losses[t] ?? 0));
    this.count += 1;
    if (this.window !== 'epoch' && this.count >= this.window) this.closeWindow();
  }

  override endEpoch(): void {
    if (this.window === 'epoch') this.closeWindow();
  }

  /** The current weights, the open window's sums and count, and the closed windows' means (flattened, oldest first). */
  override exportState(): WeightingState {
    return {
      weights: this.tasks.map((t) => this.weights[t]!),
      sums: this.sums.slice(),
      count: [this.count],
      history: this.history.flat(),
    };
  }

  override importState(state: WeightingState, file: string): void {
    const n = this.tasks.length;
    const weights = stateList(state, 'weights', n, file);
    const sums = stateList(state, 'sums', n, file);
    const [count] = stateList(state, 'count', 1, file);
    const windows = (state.history?.length ?? -1) / n;
    if (!Number.isInteger(count) || count < 0 || !(windows === 0 || windows === 1 || windows === 2)) {
      throw new ModelFileError(`task-weighting state of DWA is inconsistent (count ${count}, ${state.history?.length} history values for ${n} tasks)`, file);
    }
    const history = stateList(state, 'history', windows * n, file);
    this.weights = Object.fromEntries(this.tasks.map((t, i) => [t, weights[i]]));
    this.sums = sums;
    this.count = count;
    this.history = Array.from({ length: windows }, (_, k) => history.slice(k * n, (k + 1) * n));
  }

  private closeWindow(): void {
    if (this.count === 0) return;
    this.history.push(this.sums.map((s) => s / this.count));
    if (this.history.length > 2) this.history.shift();
    this.sums = this.tasks.map(() => 0);
    this.count = 0;
    if (this.history.length < 2) return;
    const [previous, last] = this.history;
    // A zero previous loss (a task that was already perfect) gives ratio 1 rather than a division by zero.
    const ratios = last.map((l, i) => (previous[i] > 0 ? l / previous[i] : 1));
    const exps = ratios.map((r) => Math.exp(r / this.temperature));
    const sum = exps.reduce((a, b) => a + b, 0);
    this.weights = Object.fromEntries(this.tasks.map((t, i) => [t, (this.tasks.length * exps[i]) / sum]));
  }
}

export const dwaStrategy: StrategyEntry<DwaWeightingConfig> = {
  kind: 'dwa',
  summary: 'dynamic weight average (Liu et al. 2019): weights from the rate of loss descent; temperature, window',
  family: 'loss',
  stateful: true,
  create: (tasks, config) => new DwaWeighting(tasks, config),
};
