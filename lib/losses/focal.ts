/** Focal loss (Lin et al. 2017) on softmax logits. */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { ClassificationLossOptions, maskedWeightedMean } from './cross-entropy';

export interface FocalOptions extends ClassificationLossOptions {
  /** Focusing parameter gamma, default 2 (gamma 0 is cross-entropy). Class weights play the role of alpha. */
  gamma?: number;
}

/** -(1 - p_y)^gamma log p_y per sample, then the weighted, masked mean of cross-entropy.ts. */
export function focalLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, options: FocalOptions = {}): tf.Scalar {
  const gamma = options.gamma ?? 2;
  if (!(gamma >= 0)) throw new ConfigError(`loss: focal gamma must be >= 0, got ${gamma}`);
  return tf.tidy(() => {
    const k = logits.shape[1];
    const logP = tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), k), tf.logSoftmax(logits)), 1);
    const focus = tf.pow(tf.sub(1, tf.exp(logP)), gamma);
    const perSample = tf.neg(tf.mul(focus, logP)) as tf.Tensor1D;
    return maskedWeightedMean(perSample, labels, k, options);
  });
}
