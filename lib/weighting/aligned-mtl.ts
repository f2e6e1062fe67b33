/**
 * Aligned-MTL (Senushkin, Patakin, Kuznetsov and Konushin, "Independent Component Alignment for Multi-Task Learning",
 * CVPR 2023): the task gradients G = [g_1 .. g_T] are replaced by aligned ones with condition number one,
 * Ĝ = G B with B = sigma_min V Sigma^-1 V^T from the eigen-decomposition G^T G = V Sigma^2 V^T (only eigenvalues above
 * the rank tolerance max(lambda) T eps_float32 kept, as the authors do), so Ĝ^T Ĝ = sigma_min^2 I on the gradients'
 * span: orthogonal, equal-norm components. The update is Ĝ 1 = sum_t (B 1)_t g_t (equal task preferences).
 * Exact parameter gradients by default; 'features' as the paper's upper-bound variant.
 */
import { Matrix, symmetricEigen } from './gradient-math';
import { GramRule, gradientEntry } from './gradient-method';
import type { GradientSpace } from './strategy';

export interface AlignedMtlWeightingConfig {
  kind: 'aligned-mtl';
  space?: GradientSpace;
}

/** B = sigma_min V Sigma^-1 V^T (rank-truncated) for the Gram matrix; null when every gradient is zero. */
export function alignmentMatrix(g: Matrix): Matrix | null {
  const t = g.length;
  const { values, vectors } = symmetricEigen(g);
  const tolerance = Math.max(values[0], 0) * t * 1.1920929e-7;
  const keep = values.map((v, i) => (v > tolerance ? i : -1)).filter((i) => i >= 0);
  if (keep.length === 0 || !(values[0] > 0)) return null;
  const sigmaMin = Math.sqrt(values[keep[keep.length - 1]]);
  return Array.from({ length: t }, (_, i) =>
    Array.from({ length: t }, (_, j) => keep.reduce((s, k) => s + (sigmaMin * vectors[i][k] * vectors[j][k]) / Math.sqrt(values[k]), 0)),
  );
}

export class AlignedMtlRule extends GramRule {
  weights(g: Matrix): number[] {
    const b = alignmentMatrix(g);
    if (!b) return new Array<number>(g.length).fill(1);
    return b.map((row) => row.reduce((s, v) => s + v, 0));
  }
}

export const alignedMtlStrategy = gradientEntry<AlignedMtlWeightingConfig>({
  kind: 'aligned-mtl',
  summary: 'Aligned-MTL (Senushkin et al. 2023): align the task gradients to condition number one, then sum',
  spaces: ['parameters', 'features'],
  rule: (n) => new AlignedMtlRule(n),
});
