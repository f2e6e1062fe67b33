/** Multi-head scaled dot-product attention on token sequences, shared by the CSA module and the Transformer block. */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../errors';
import { AttentionRecord } from '../module';
import { matMul } from '../ops';

export interface AttentionInputs {
  /** Queries [B, N, C], keys and values [B, M, C]; C is split into `heads` heads of C / heads features. */
  q: tf.Tensor3D;
  k: tf.Tensor3D;
  v: tf.Tensor3D;
  heads: number;
}

/**
 * softmax(Q K^T / sqrt(d)) V per head, heads concatenated back to [B, N, C]. Keys are transposed explicitly (no
 * transposeB matMul, slow on wasm). When `record` is given the attention weights [B, heads, N, M] are kept and
 * pushed there under `name`.
 */
export function multiHeadAttention(
  inputs: AttentionInputs,
  record?: { sink: AttentionRecord[]; name: string; queryGrid: [number, number] | null; keyGrid: [number, number] | null },
  dropout?: (weights: tf.Tensor3D) => tf.Tensor3D,
): tf.Tensor3D {
  const { q, k, v, heads } = inputs;
  const [b, n, c] = q.shape;
  const m = k.shape[1];
  if (c % heads !== 0) throw new ConfigError(`attention: ${c} channels cannot be split into ${heads} heads`);
  const d = c / heads;
  return tf.tidy(() => {
    const qh = tf.reshape(tf.transpose(tf.reshape(tf.mul(q, 1 / Math.sqrt(d)), [b, n, heads, d]), [0, 2, 1, 3]), [
      b * heads,
      n,
      d,
    ]) as tf.Tensor3D;
    const kt = tf.reshape(tf.transpose(tf.reshape(k, [b, m, heads, d]), [0, 2, 3, 1]), [b * heads, d, m]) as tf.Tensor3D;
    const vh = tf.reshape(tf.transpose(tf.reshape(v, [b, m, heads, d]), [0, 2, 1, 3]), [b * heads, m, d]) as tf.Tensor3D;
    const weights = tf.softmax(matMul(qh, kt)) as tf.Tensor3D;
    if (record) {
      record.sink.push({
        name: record.name,
        weights: tf.keep(tf.reshape(weights, [b, heads, n, m]) as tf.Tensor4D),
        queryGrid: record.queryGrid,
        keyGrid: record.keyGrid,
      });
    }
    const out = matMul(dropout ? dropout(weights) : weights, vh);
    return tf.reshape(tf.transpose(tf.reshape(out, [b, heads, n, d]), [0, 2, 1, 3]), [b, n, c]) as tf.Tensor3D;
  });
}
