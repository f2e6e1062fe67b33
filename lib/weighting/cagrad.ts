/**
 * CAGrad (Liu, Liu, Jin, Stone and Liu, "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS 2021):
 * the update maximises the worst task's improvement within a ball around the average gradient g_0 = mean_t g_t,
 *   max_d min_t g_t . d   subject to ||d - g_0|| <= c ||g_0||,
 * solved through its dual on the simplex: w* = argmin_w g_w . g_0 + sqrt(phi) ||g_w||, phi = c^2 ||g_0||^2,
 * g_w = sum_t w_t g_t, and d = g_0 + (sqrt(phi) / ||g_w*||) g_w* (the paper's Algorithm 1). c = 0.5 by default.
 * `rescale` divides d by 1 + c^2 (1) or 1 + c (2) as the authors' code can; 0 (default) is the paper's d. Exact
 * parameter gradients only, as in LibMTL.
 */
import { Matrix, matVec, minimiseOnSimplex, quadratic } from './gradient-math';
import { GramRule, checkOption, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export interface CaGradWeightingConfig {
  kind: 'cagrad';
  /** c >= 0, default 0.5 (0 is plain averaging). */
  c?: number;
  /** 0 (default): d as defined; 1: d / (1 + c^2); 2: d / (1 + c). */
  rescale?: 0 | 1 | 2;
  space?: GradientSpace;
}

export class CaGradRule extends GramRule {
  readonly c: number;
  private readonly rescale: number;

  constructor(taskCount: number, config: Omit<CaGradWeightingConfig, 'kind'> = {}) {
    super(taskCount);
    this.c = checkOption('CAGrad', 'c', config.c ?? 0.5, (config.c ?? 0.5) >= 0, '>= 0');
    this.rescale = checkOption('CAGrad', 'rescale', config.rescale ?? 0, [0, 1, 2].includes(config.rescale ?? 0), '0, 1 or 2');
  }

  /** The dual's minimiser w* on the simplex. */
  dualWeights(g: Matrix): number[] {
    const t = g.length;
    const mean = new Array<number>(t).fill(1 / t);
    const gMean = matVec(g, mean);
    const sqrtPhi = this.c * Math.sqrt(Math.max(quadratic(g, mean), 0));
    const f = (w: number[]) => w.reduce((s, v, i) => s + v * gMean[i], 0) + sqrtPhi * Math.sqrt(Math.max(quadratic(g, w), 0) + 1e-30);
    const grad = (w: number[]) => {
      const gw = matVec(g, w);
      const norm = Math.sqrt(Math.max(quadratic(g, w), 0) + 1e-30);
      return gMean.map((v, i) => v + (sqrtPhi * gw[i]) / norm);
    };
    return minimiseOnSimplex(f, grad, t);
  }

  weights(g: Matrix): number[] {
    const t = g.length;
    const mean = new Array<number>(t).fill(1 / t);
    const sqrtPhi = this.c * Math.sqrt(Math.max(quadratic(g, mean), 0));
    const w = this.dualWeights(g);
    const normW = Math.sqrt(Math.max(quadratic(g, w), 0));
    const lambda = normW > 0 ? sqrtPhi / normW : 0;
    const divisor = this.rescale === 1 ? 1 + this.c ** 2 : this.rescale === 2 ? 1 + this.c : 1;
    return w.map((v) => (1 / t + lambda * v) / divisor);
  }
}

export const cagradStrategy = gradientEntry<CaGradWeightingConfig>({
  kind: 'cagrad',
  summary: 'CAGrad (Liu et al. 2021): best worst-task improvement near the mean gradient; c (0.5), rescale 0|1|2',
  spaces: ['parameters'],
  rule: (n, c) => new CaGradRule(n, c),
});
