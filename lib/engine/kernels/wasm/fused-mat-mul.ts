import * as tf from '@tensorflow/tfjs-core';
import type { _FusedMatMulAttrs } from '@tensorflow/tfjs-core';
import { composedKernel } from '../composed';
import { runStockKernel } from '../install';

/**
 * `tf.fused.matMul` (matMul + bias + activation) on wasm with transposeA/transposeB: the operand is transposed
 * explicitly and the stock kernel runs untransposed, for the same reason as in batch-mat-mul.ts (about ten times
 * faster for 2D products).
 */
export const fusedMatMulWasm = composedKernel<_FusedMatMulAttrs>('_FusedMatMul', (inputs, attrs) => {
  const { a, b, ...rest } = inputs;
  if (!attrs.transposeA && !attrs.transposeB) return runStockKernel('_FusedMatMul', inputs, attrs);
  const swapLast = (t: tf.Tensor) => tf.transpose(t, [...t.shape.keys()].map((i) => (i < t.rank - 2 ? i : 2 * t.rank - 3 - i)));
  return runStockKernel(
    '_FusedMatMul',
    { a: attrs.transposeA ? swapLast(a) : a, b: attrs.transposeB ? swapLast(b) : b, ...rest },
    { ...attrs, transposeA: false, transposeB: false },
  );
});
