/**
 * IMTL-G (Liu, Li, Kuang, Xue, Chen, Yang, Liao and Zhang, "Towards Impartial Multi-task Learning", ICLR 2021), the
 * gradient part of IMTL: the update d = sum_t a_t g_t, sum_t a_t = 1, has equal projections on every task's unit
 * gradient u_t = g_t / ||g_t|| (d . u_1 = d . u_t for all t). With D = [g_1 - g_t]_t and U = [u_1 - u_t]_t (t = 2..T),
 * a_{2..T} = g_1 U^T (D U^T)^-1 and a_1 = 1 - sum a_{2..T}. When D U^T is singular (equal gradients) any weights give
 * the same d and the rule takes equal ones. Exact parameter gradients by default; 'features' as in LibMTL.
 */
import { Matrix, solveLinear } from './gradient-math';
import { GramRule, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export interface ImtlGWeightingConfig {
  kind: 'imtl-g';
  space?: GradientSpace;
}

export class ImtlGRule extends GramRule {
  weights(g: Matrix): number[] {
    const t = g.length;
    const norm = g.map((_, i) => Math.sqrt(g[i][i]));
    if (norm.some((n) => !(n > 0))) return new Array<number>(t).fill(1 / t);
    // g_a . u_b = G_ab / ||g_b||.
    const gu = (a: number, b: number) => g[a][b] / norm[b];
    const rows = Array.from({ length: t - 1 }, (_, j) => j + 1);
    // (D U^T)_jk = (g_1 - g_j) . (u_1 - u_k); (g_1 U^T)_k = g_1 . (u_1 - u_k).
    const du = rows.map((j) => rows.map((k) => gu(0, 0) - gu(0, k) - gu(j, 0) + gu(j, k)));
    const a = rows.map((k) => gu(0, 0) - gu(0, k));
    // x (D U^T) = a  <=>  (D U^T)^T x^T = a^T.
    const transposed = du[0].map((_, c) => du.map((r) => r[c]));
    const x = solveLinear(transposed, a);
    if (!x) return new Array<number>(t).fill(1 / t);
    return [1 - x.reduce((s, v) => s + v, 0), ...x];
  }
}

export const imtlGStrategy = gradientEntry<ImtlGWeightingConfig>({
  kind: 'imtl-g',
  summary: 'IMTL-G (Liu et al. 2021): weights summing to 1 whose update projects equally on every unit task gradient',
  spaces: ['parameters', 'features'],
  rule: (n) => new ImtlGRule(n),
});
