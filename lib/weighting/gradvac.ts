/**
 * GradVac (Wang, Tsvetkov, Firat and Cao, "Gradient Vaccine: Investigating and Improving Multi-task Optimization in
 * Massively Multilingual Models", ICLR 2021): every task pair (i, j) keeps a target cosine phi_ij, an exponential
 * moving average of the cosines seen (phi <- (1 - beta) phi + beta cos, initial 0). Where the cosine between task i's
 * (running, altered) gradient and g_j is below the target, g_i gets the multiple of g_j that raises it to the target:
 *   g_i += ||g_i|| (phi sqrt(1 - cos^2) - cos sqrt(1 - phi^2)) / (||g_j|| sqrt(1 - phi^2)) g_j.
 * The update is the sum. Other tasks are visited in task order (the paper shuffles them; the same for two tasks).
 * beta default 0.5 (LibMTL's; the paper used 1e-2). Stateful: phi is checkpointed; its first step (phi = 0) is PCGrad.
 * Whole-model granularity, exact parameter gradients only.
 */
import { ConfigError } from '../errors';
import { Matrix, quadratic } from './gradient-math';
import { GramRule, checkOption, gradientEntry } from './gradient-method';
import { dotWith } from './pcgrad';
import { GradientSpace, WeightingState, stateList } from './strategy';

export interface GradVacWeightingConfig {
  kind: 'gradvac';
  /** EMA rate of the target cosines, in (0, 1], default 0.5. */
  beta?: number;
  space?: GradientSpace;
}

export class GradVacRule extends GramRule {
  private readonly beta: number;
  /** phi_ij, row-major T x T. */
  private targets: number[];

  constructor(taskCount: number, config: Omit<GradVacWeightingConfig, 'kind'> = {}) {
    super(taskCount);
    this.beta = checkOption('GradVac', 'beta', config.beta ?? 0.5, (config.beta ?? 0.5) > 0 && (config.beta ?? 0.5) <= 1, 'in (0, 1]');
    this.targets = new Array<number>(taskCount * taskCount).fill(0);
  }

  weights(g: Matrix): number[] {
    const t = g.length;
    if (t !== this.taskCount) throw new ConfigError(`weighting: GradVac was built for ${this.taskCount} tasks, got ${t} gradients`);
    const total = new Array<number>(t).fill(0);
    for (let i = 0; i < t; i++) {
      const c = g.map((_, k) => (k === i ? 1 : 0));
      for (let j = 0; j < t; j++) {
        if (j === i || !(g[j][j] > 0)) continue;
        const normI = Math.sqrt(Math.max(quadratic(g, c), 0));
        const normJ = Math.sqrt(g[j][j]);
        if (!(normI > 0)) continue;
        // Rounding can put a cosine of opposed gradients just below -1; the target then reaches -1 and the update's
        // 1 / sqrt(1 - phi^2) would divide by zero. A target of exactly +-1 leaves no finite update to make.
        const cos = Math.min(1, Math.max(-1, dotWith(g, c, j) / (normI * normJ)));
        const phi = this.targets[i * t + j];
        const sinPhi = Math.sqrt(Math.max(1 - phi * phi, 0));
        if (cos < phi && sinPhi > 0) {
          c[j] += (normI * (phi * Math.sqrt(Math.max(1 - cos * cos, 0)) - cos * sinPhi)) / (normJ * sinPhi);
        }
        this.targets[i * t + j] = (1 - this.beta) * phi + this.beta * cos;
      }
      c.forEach((v, k) => (total[k] += v));
    }
    return total;
  }

  override exportState(): WeightingState {
    return { targets: this.targets.slice() };
  }

  override importState(state: WeightingState, file: string): void {
    this.targets = stateList(state, 'targets', this.taskCount * this.taskCount, file);
  }
}

export const gradvacStrategy = gradientEntry<GradVacWeightingConfig>({
  kind: 'gradvac',
  summary: 'GradVac (Wang et al. 2021): raise each pair\'s gradient cosine to its moving-average target; beta (0.5)',
  spaces: ['parameters'],
  stateful: true,
  rule: (n, c) => new GradVacRule(n, c),
});
