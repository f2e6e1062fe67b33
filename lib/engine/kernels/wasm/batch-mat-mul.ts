import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs } from '@tensorflow/tfjs-core';
import { composedKernel } from '../composed';
import { runStockKernel } from '../install';

/**
 * Matrix products on wasm, rearranged toward XNNPACK's fast cases (timings on the project machine, stock -> here):
 * - transposeA/transposeB: the stock kernel is about ten times slower per flop than a plain [M, K] x [K, N]
 *   product (2D [4096,64] x [256,64]^T: 65 -> 8 ms), so the operand is transposed explicitly (a cheap copy);
 * - a batch with a small inner dimension and a wide output (attention scores Q K^T, [16,1024,16] x [16,16,1024]):
 *   one 2D product per batch entry instead of the stock batched call (386 -> 123 ms). With a long inner dimension
 *   (P V) the stock batched call is faster than 2D products, so it keeps it.
 * Batch shapes that broadcast other than "equal or 1" go to the stock kernel unchanged.
 */
export const batchMatMulWasm = composedKernel<BatchMatMulAttrs>('BatchMatMul', (inputs, attrs) => {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  const batchA = batchShapeA.reduce((x, y) => x * y, 1);
  const batchB = batchShapeB.reduce((x, y) => x * y, 1);
  const batchShape = batchA >= batchB ? batchShapeA : batchShapeB;
  const sameBatch = batchShapeA.length === batchShapeB.length && batchShapeA.every((d, i) => d === batchShapeB[i]);
  if (!sameBatch && batchA !== 1 && batchB !== 1) return runStockKernel('BatchMatMul', { a, b }, attrs);
  const ra = a.shape[a.rank - 2];
  const ca = a.shape[a.rank - 1];
  const rb = b.shape[b.rank - 2];
  const cb = b.shape[b.rank - 1];
  let a3 = tf.reshape(a, [batchA, ra, ca]) as tf.Tensor3D;
  let b3 = tf.reshape(b, [batchB, rb, cb]) as tf.Tensor3D;
  if (transposeA) a3 = tf.transpose(a3, [0, 2, 1]);
  if (transposeB) b3 = tf.transpose(b3, [0, 2, 1]);
  const m = a3.shape[1];
  const k = a3.shape[2];
  const n = b3.shape[2];
  const plain = { transposeA: false, transposeB: false };
  const batch = Math.max(batchA, batchB);
  if (batch === 1 || 4 * k > n || batchA !== batchB) {
    return tf.reshape(runStockKernel('BatchMatMul', { a: a3, b: b3 }, plain), [...batchShape, m, n]);
  }
  const products: tf.Tensor[] = [];
  for (let i = 0; i < batch; i++) {
    const ai = tf.slice(a3, [i, 0, 0], [1, m, k]);
    const bi = tf.slice(b3, [i, 0, 0], [1, k, n]);
    products.push(runStockKernel('BatchMatMul', { a: ai, b: bi }, plain));
  }
  return tf.reshape(tf.concat(products, 0), [...batchShape, m, n]);
});
