/** Soft Dice loss on GTV logits. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * 1 - (2 sum(p t) + s) / (sum(p) + sum(t) + s) per sample, p = sigmoid(logits), averaged over the batch. Per sample
 * (not over the whole batch) so that a slice with a small lesion counts as much as one with a large lesion; the
 * smoothing s (default 1) makes a slice without tumour and without prediction score 0 loss instead of 0/0.
 * @param logits [N, H, W, 1]; @param target [N, H, W, 1] in {0, 1} (or soft labels in [0, 1]).
 */
export function softDiceLoss(logits: tf.Tensor4D, target: tf.Tensor4D, smooth = 1): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const t = tf.cast(target, 'float32');
    const axes = [1, 2, 3];
    const intersection = tf.sum(tf.mul(p, t), axes);
    const denominator = tf.add(tf.add(tf.sum(p, axes), tf.sum(t, axes)), smooth);
    const dice = tf.div(tf.add(tf.mul(intersection, 2), smooth), denominator);
    return tf.mean(tf.sub(1, dice)) as tf.Scalar;
  });
}
