/** Softmax cross-entropy with class weights, label smoothing and a per-sample mask. */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

export interface ClassificationLossOptions {
  /** Weight per class (length K); a sample counts with the weight of its true class. Default all 1. */
  classWeights?: number[];
  /** Per-sample mask [N] in {0, 1}: only samples with 1 count. Default all 1. */
  mask?: tf.Tensor1D;
}

/**
 * The weighted, masked mean sum_i m_i w_{y_i} l_i / sum_i m_i w_{y_i} (PyTorch's weighted mean). A batch where no
 * sample counts (all m_i = 0, e.g. no tumour slice) gives exactly 0 with a zero gradient, never NaN: the denominator
 * is clamped at 1e-8 and the numerator is then 0.
 */
export function maskedWeightedMean(
  perSample: tf.Tensor1D,
  labels: tf.Tensor1D,
  numClasses: number,
  options: ClassificationLossOptions,
): tf.Scalar {
  return tf.tidy(() => {
    const n = perSample.shape[0];
    let weight: tf.Tensor1D = options.mask ? tf.cast(options.mask, 'float32') : tf.ones([n]);
    if (options.classWeights) {
      if (options.classWeights.length !== numClasses) {
        throw new ConfigError(`loss: ${options.classWeights.length} class weights for ${numClasses} classes`);
      }
      weight = tf.mul(weight, tf.gather(tf.tensor1d(options.classWeights), tf.cast(labels, 'int32')));
    }
    return tf.div(tf.sum(tf.mul(perSample, weight)), tf.maximum(tf.sum(weight), 1e-8)) as tf.Scalar;
  });
}

export interface CrossEntropyOptions extends ClassificationLossOptions {
  /** Label smoothing eps: the target is (1 - eps) one-hot + eps / K. Default 0. */
  labelSmoothing?: number;
}

/** @param logits [N, K]; @param labels [N] class indices. */
export function crossEntropyLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, options: CrossEntropyOptions = {}): tf.Scalar {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new ConfigError(`loss: labelSmoothing must be in [0, 1), got ${eps}`);
  return tf.tidy(() => {
    const k = logits.shape[1];
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), k);
    const target = eps > 0 ? tf.add(tf.mul(oneHot, 1 - eps), eps / k) : oneHot;
    const perSample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
    return maskedWeightedMean(perSample, labels, k, options);
  });
}
