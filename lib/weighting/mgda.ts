/**
 * MGDA (Sener and Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018): the shared update is
 * the min-norm point of the convex hull of the task gradients, d = sum_t a_t g_t with a on the simplex minimising
 * ||d||^2 (closed form for two tasks, Frank-Wolfe beyond). d is a common descent direction of every task, or 0 at a
 * Pareto-stationary point. Optional gradient normalisation before the solve (the paper's section 3.3 / appendix):
 * 'l2' g / ||g||, 'loss' g / L, 'loss+' g / (L ||g||); 'none' (default). The weights reported are those of the raw
 * gradients (a_t times the normalisation). `space: 'features'` takes the gradients at the encoder's output (the
 * paper's MGDA-UB upper bound).
 */
import { ConfigError } from '../errors';
import { Matrix, minNormWeights, scaleGram } from './gradient-math';
import { GramRule, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export type MgdaNormalisation = 'none' | 'l2' | 'loss' | 'loss+';

export interface MgdaWeightingConfig {
  kind: 'mgda';
  /** Gradient normalisation before the min-norm solve, default 'none'. */
  normalisation?: MgdaNormalisation;
  /** 'parameters' (default, exact) or 'features' (MGDA-UB). */
  space?: GradientSpace;
}

const normalisations: MgdaNormalisation[] = ['none', 'l2', 'loss', 'loss+'];

export class MgdaRule extends GramRule {
  private readonly normalisation: MgdaNormalisation;

  constructor(taskCount: number, config: Omit<MgdaWeightingConfig, 'kind'> = {}) {
    super(taskCount);
    this.normalisation = config.normalisation ?? 'none';
    if (!normalisations.includes(this.normalisation)) {
      throw new ConfigError(`weighting: MGDA normalisation must be one of ${normalisations.join(', ')}, got '${this.normalisation}'`);
    }
  }

  weights(g: Matrix, losses: number[]): number[] {
    const norm = (t: number) => Math.sqrt(g[t][t]) || 1;
    const loss = (t: number) => (losses[t] > 0 ? losses[t] : 1);
    const scale = g.map((_, t) =>
      this.normalisation === 'l2' ? 1 / norm(t) : this.normalisation === 'loss' ? 1 / loss(t) : this.normalisation === 'loss+' ? 1 / (loss(t) * norm(t)) : 1,
    );
    const a = minNormWeights(scaleGram(g, scale));
    return a.map((v, t) => v * scale[t]);
  }
}

export const mgdaStrategy = gradientEntry<MgdaWeightingConfig>({
  kind: 'mgda',
  summary: 'MGDA (Sener & Koltun 2018): min-norm point of the task gradients; normalisation none|l2|loss|loss+',
  spaces: ['parameters', 'features'],
  rule: (n, c) => new MgdaRule(n, c),
});
