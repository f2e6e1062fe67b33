/** Binary cross-entropy on logits. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean over pixels of -[w t log p + (1 - t) log(1 - p)], p = sigmoid(x), in the stable form
 * (1 - t) x + (1 + (w - 1) t) softplus(-x) (PyTorch's BCEWithLogits with pos_weight w, default 1).
 */
export function bceWithLogits(logits: tf.Tensor, target: tf.Tensor, positiveWeight = 1): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.cast(target, 'float32');
    const negPart = tf.mul(tf.sub(1, t), logits);
    const softplus = tf.softplus(tf.neg(logits));
    const weighted = positiveWeight === 1 ? softplus : tf.mul(tf.add(1, tf.mul(t, positiveWeight - 1)), softplus);
    return tf.mean(tf.add(negPart, weighted)) as tf.Scalar;
  });
}
