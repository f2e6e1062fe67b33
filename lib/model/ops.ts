/** Tensor helpers shared by the layers: a matMul whose gradient avoids transposed matMuls, GELU, activations. */
import * as tf from '@tensorflow/tfjs-core';

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
export function transposeLast<T extends tf.Tensor>(x: T): T {
  return (x.rank === 2 ? tf.transpose(x, [1, 0]) : tf.transpose(x, [0, 2, 1])) as T;
}

/**
 * a [.., M, K] x b [.., K, N] (rank 2 or batched rank 3). tfjs's own MatMul gradient uses transposeA/transposeB,
 * which are about 15x slower than a plain matMul on the wasm backend; this one transposes explicitly instead.
 */
const matMulExplicit = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor3D, transposeLast(saved[1]) as tf.Tensor3D),
      tf.matMul(transposeLast(saved[0]) as tf.Tensor3D, dy as tf.Tensor3D),
    ],
  };
});

export function matMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return matMulExplicit(a, b) as T;
}

export type Activation = 'relu' | 'leakyRelu' | 'gelu' | 'silu';

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's default), written with ops every backend has. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T);
}

export function activate<T extends tf.Tensor>(x: T, kind: Activation): T {
  switch (kind) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.01);
    case 'gelu':
      return gelu(x);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x)) as T;
  }
}
