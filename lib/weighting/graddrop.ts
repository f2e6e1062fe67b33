/**
 * GradDrop (Chen, Ngiam, Huang, Luong, Kretzschmar, Chai and Anguelov, "Just Pick a Sign: Optimizing Deep Multitask
 * Models with Gradient Sign Dropout", NeurIPS 2020), at the shared representation as the paper applies it: per
 * element, the sign purity P = (1 + sum_t g_t / sum_t |g_t|) / 2, one uniform draw U, and each task keeps its
 * gradient where it has the chosen sign: M_t = [P > U][g_t > 0] + [P < U][g_t < 0]; the update is sum_t M_t g_t
 * (`leak` l in [0, 1] keeps l of every gradient besides: sum_t (l + (1 - l) M_t) g_t). Random: U comes from `seed` and
 * the step count (checkpointed). Not a linear combination of the gradients; the weights reported are each task's kept
 * share of its squared gradient norm, ||M_t g_t||^2 / ||g_t||^2.
 */
import { Rng } from '../util/rng';
import { checkOption, gradientEntry, RandomRule } from './gradient-method';
import type { Combination, GradientSpace } from './strategy';

export interface GradDropWeightingConfig {
  kind: 'graddrop';
  /** Seed of the per-step uniform draws, default 0. */
  seed?: number;
  /** Share of every gradient kept regardless of sign, default 0. */
  leak?: number;
  /** 'features' (default; the paper's) or 'parameters'. */
  space?: GradientSpace;
}

/** GradDrop's direction with the uniform draws from `rng`. */
export function gradDrop(grads: Float32Array[], rng: Rng, leak = 0): Combination {
  const n = grads[0].length;
  const direction = new Float32Array(n);
  const kept = grads.map(() => 0);
  const total = grads.map(() => 0);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let abs = 0;
    for (const g of grads) {
      sum += g[i];
      abs += Math.abs(g[i]);
    }
    const p = 0.5 * (1 + sum / (abs + 1e-7));
    const u = rng.next();
    let d = 0;
    grads.forEach((g, t) => {
      const v = g[i];
      const keep = (p > u && v > 0) || (p < u && v < 0) ? 1 : 0;
      const m = leak + (1 - leak) * keep;
      d += m * v;
      kept[t] += m * m * v * v;
      total[t] += v * v;
    });
    direction[i] = d;
  }
  return { direction, weights: null, taskWeights: kept.map((k, t) => (total[t] > 0 ? k / total[t] : 0)) };
}

export class GradDropRule extends RandomRule {
  private readonly leak: number;

  constructor(taskCount: number, config: Omit<GradDropWeightingConfig, 'kind'> = {}) {
    super(taskCount, config.seed ?? 0, 'graddrop');
    this.leak = checkOption('GradDrop', 'leak', config.leak ?? 0, (config.leak ?? 0) >= 0 && (config.leak ?? 0) <= 1, 'in [0, 1]');
  }

  combine(grads: Float32Array[]): Combination {
    const result = gradDrop(grads, this.stepRng(), this.leak);
    this.advance();
    return result;
  }
}

export const graddropStrategy = gradientEntry<GradDropWeightingConfig>({
  kind: 'graddrop',
  summary: 'GradDrop (Chen et al. 2020): per element keep the gradients of one sign, chosen by sign purity; seed',
  spaces: ['features', 'parameters'],
  stateful: true,
  random: true,
  rule: (n, c) => new GradDropRule(n, c),
});
