/**
 * Nash-MTL (Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik and Fetaya, "Multi-Task Learning as a Bargaining
 * Game", ICML 2022): the update d = sum_t a_t g_t is the Nash bargaining solution, a > 0 with
 *   (G^T G a)_t = 1 / a_t  for every task t      (G = [g_1 .. g_T], so G^T G is the Gram matrix),
 * i.e. g_t . d = 1 / a_t. We solve it exactly as the minimiser of the strictly convex 1/2 a^T M a - sum_t log a_t
 * (its gradient is M a - 1/a) by damped Newton steps, on M / ||M|| for conditioning (then a scales by ||M||^-1/2),
 * instead of the authors' sequence of convex approximations. The direction is invariant to a positive scaling of any
 * one task's loss (a_t scales inversely) and ||d||^2 = T. Exactly opposed gradients have no solution: the rule then
 * adds a ridge of 1e-8 ||M|| to M. Exact parameter gradients only, as in LibMTL.
 */
import { Matrix, matVec, quadratic, solveLinear } from './gradient-math';
import { GramRule, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export interface NashMtlWeightingConfig {
  kind: 'nash-mtl';
  space?: GradientSpace;
}

/** a > 0 with (M a)_t = 1 / a_t, or null when Newton does not converge. */
export function bargainingSolution(m: Matrix): number[] | null {
  const t = m.length;
  const objective = (a: number[]) => 0.5 * quadratic(m, a) - a.reduce((s, v) => s + Math.log(v), 0);
  let a = m.map((row, i) => 1 / Math.sqrt(Math.max(row[i], 1e-30)));
  let f = objective(a);
  for (let it = 0; it < 200; it++) {
    const ma = matVec(m, a);
    const grad = ma.map((v, i) => v - 1 / a[i]);
    if (grad.every((v, i) => Math.abs(v * a[i]) < 1e-13)) return a;
    const hessian = m.map((row, i) => row.map((v, j) => v + (i === j ? 1 / (a[i] * a[i]) : 0)));
    const step = solveLinear(hessian, grad.map((v) => -v));
    if (!step) return null;
    let s = 1;
    // Stay in a > 0, then backtrack on the objective.
    for (let i = 0; i < t; i++) if (step[i] < 0) s = Math.min(s, (-0.99 * a[i]) / step[i]);
    let next = a.map((v, i) => v + s * step[i]);
    let fn = objective(next);
    const slope = grad.reduce((acc, v, i) => acc + v * step[i], 0);
    while (fn > f + 1e-4 * s * slope && s > 1e-12) {
      s /= 2;
      next = a.map((v, i) => v + s * step[i]);
      fn = objective(next);
    }
    if (!next.every((v) => v > 0 && Number.isFinite(v))) return null;
    a = next;
    f = fn;
  }
  const ma = matVec(m, a);
  return ma.every((v, i) => Math.abs(v * a[i] - 1) < 1e-6) ? a : null;
}

export class NashMtlRule extends GramRule {
  weights(g: Matrix): number[] {
    const t = g.length;
    const scale = Math.sqrt(g.flat().reduce((s, v) => s + v * v, 0));
    if (!(scale > 0)) return new Array<number>(t).fill(0);
    const m = g.map((row) => row.map((v) => v / scale));
    const a = bargainingSolution(m) ?? bargainingSolution(m.map((row, i) => row.map((v, j) => v + (i === j ? 1e-8 : 0))));
    if (!a) return new Array<number>(t).fill(1 / Math.sqrt(t * scale));
    return a.map((v) => v / Math.sqrt(scale));
  }
}

export const nashMtlStrategy = gradientEntry<NashMtlWeightingConfig>({
  kind: 'nash-mtl',
  summary: 'Nash-MTL (Navon et al. 2022): the bargaining solution G^T G a = 1/a; scale-invariant',
  spaces: ['parameters'],
  rule: (n) => new NashMtlRule(n),
});
