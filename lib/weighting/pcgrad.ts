/**
 * PCGrad (Yu, Kumar, Gupta, Levine, Hausman and Finn, "Gradient Surgery for Multi-Task Learning", NeurIPS 2020):
 * for every task i, its gradient is projected onto the normal plane of every other task's gradient g_j it conflicts
 * with, g_i <- g_i - (g_i . g_j / ||g_j||^2) g_j when g_i . g_j < 0, visiting the other tasks in turn; the update is
 * the sum of the projected gradients. The paper visits the others in a random order; we visit them in task order (the
 * same for two tasks, and deterministic beyond). Every projection is a multiple of an original gradient, so the
 * update is sum_t w_t g_t and the weights are exact. Exact parameter gradients only, as in LibMTL.
 */
import { Matrix } from './gradient-math';
import { GramRule, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export interface PcGradWeightingConfig {
  kind: 'pcgrad';
  space?: GradientSpace;
}

/** Coefficients c (on the original gradients) of a projected gradient, and its dot products through the Gram matrix. */
export function dotWith(g: Matrix, c: number[], j: number): number {
  return c.reduce((s, v, k) => s + v * g[k][j], 0);
}

export class PcGradRule extends GramRule {
  weights(g: Matrix): number[] {
    const t = g.length;
    const total = new Array<number>(t).fill(0);
    for (let i = 0; i < t; i++) {
      const c = g.map((_, k) => (k === i ? 1 : 0));
      for (let j = 0; j < t; j++) {
        if (j === i || !(g[j][j] > 0)) continue;
        const d = dotWith(g, c, j);
        if (d < 0) c[j] -= d / g[j][j];
      }
      c.forEach((v, k) => (total[k] += v));
    }
    return total;
  }
}

export const pcgradStrategy = gradientEntry<PcGradWeightingConfig>({
  kind: 'pcgrad',
  summary: 'PCGrad (Yu et al. 2020): project each task gradient off the ones it conflicts with, then sum',
  spaces: ['parameters'],
  rule: (n) => new PcGradRule(n),
});
