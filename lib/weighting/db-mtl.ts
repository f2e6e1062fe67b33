/**
 * DB-MTL (Lin, Ye, Zhang and Kwok, "Dual-Balancing for Multi-Task Learning", 2023): loss-scale balancing by taking
 * every task's gradient of log(L_t + 1e-8) (the heads too), and gradient-magnitude balancing of the shared update:
 * each task's gradient is averaged over steps, ĝ_t <- g_t + beta_k (ĝ_t - g_t) with beta_k = beta / k^sigma at step k
 * (ĝ = 0 before the first step; LibMTL's schedule, beta 0.9, sigma 0.5), and the update is
 *   d = sum_t (max_s ||ĝ_s|| / ||ĝ_t||) ĝ_t,
 * every task's averaged gradient scaled to the largest norm. Stateful: the averages (T x the shared parameter count)
 * and k are checkpointed. Not a linear combination of this step's gradients after the first step: the weights
 * reported are those of the averages. Given plain gradients (`combineGradients`), they are taken as the gradients
 * of the log-losses. Exact parameter gradients only, as in LibMTL.
 */
import { ConfigError, ModelFileError } from '../errors';
import { dot } from './gradient-math';
import { GradientRule } from './gradient-rule';
import { checkOption, gradientEntry, stateCount } from './gradient-method';
import { Combination, GradientSpace, WeightingState, stateList } from './strategy';

export interface DbMtlWeightingConfig {
  kind: 'db-mtl';
  /** beta in [0, 1), default 0.9. */
  beta?: number;
  /** sigma >= 0, default 0.5. */
  betaSigma?: number;
  space?: GradientSpace;
}

export class DbMtlRule extends GradientRule {
  private readonly beta: number;
  private readonly sigma: number;
  private steps = 0;
  private buffer: Float32Array[] | null = null;

  constructor(taskCount: number, config: Omit<DbMtlWeightingConfig, 'kind'> = {}) {
    super(taskCount);
    this.beta = checkOption('DB-MTL', 'beta', config.beta ?? 0.9, (config.beta ?? 0.9) >= 0 && (config.beta ?? 0.9) < 1, 'in [0, 1)');
    this.sigma = checkOption('DB-MTL', 'betaSigma', config.betaSigma ?? 0.5, (config.betaSigma ?? 0.5) >= 0, '>= 0');
  }

  combine(grads: Float32Array[]): Combination {
    const n = grads[0].length;
    if (this.buffer && this.buffer[0].length !== n) {
      throw new ConfigError(`weighting: DB-MTL's gradient averages have ${this.buffer[0].length} values, this step's gradients ${n}`);
    }
    this.steps += 1;
    const b = this.beta / this.steps ** this.sigma;
    const buffer = grads.map((g, t) => {
      const old = this.buffer?.[t];
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = g[i] + b * ((old ? old[i] : 0) - g[i]);
      return out;
    });
    this.buffer = buffer;
    const norms = buffer.map((v) => Math.sqrt(dot(v, v)));
    const largest = Math.max(...norms);
    const alpha = norms.map((v) => largest / (v + 1e-8));
    const direction = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < buffer.length; t++) s += alpha[t] * buffer[t][i];
      direction[i] = s;
    }
    // The first step's averages are (1 - beta) g: then d is a combination of this step's gradients.
    return { direction, weights: this.steps === 1 ? alpha.map((a) => a * (1 - b)) : null, taskWeights: alpha };
  }

  override exportState(): WeightingState {
    return this.buffer ? { steps: [this.steps], averages: this.buffer.flatMap((v) => Array.from(v)) } : { steps: [this.steps] };
  }

  override importState(state: WeightingState, file: string): void {
    this.steps = stateCount(state, 'steps', file);
    if (state.averages === undefined) {
      this.buffer = null;
      return;
    }
    const length = state.averages.length / this.taskCount;
    if (!Number.isInteger(length) || length === 0) throw new ModelFileError(`task-weighting state 'averages' must hold ${this.taskCount} equal lists`, file);
    const flat = stateList(state, 'averages', length * this.taskCount, file);
    this.buffer = Array.from({ length: this.taskCount }, (_, t) => Float32Array.from(flat.slice(t * length, (t + 1) * length)));
  }
}

export const dbMtlStrategy = gradientEntry<DbMtlWeightingConfig>({
  kind: 'db-mtl',
  summary: 'DB-MTL (Lin et al. 2023): log-losses, and moving-average task gradients scaled to the largest norm',
  spaces: ['parameters'],
  stateful: true,
  logLoss: true,
  rule: (n, c) => new DbMtlRule(n, c),
});
