/** Small models and batches shared by the model, loss, weighting and step tests (not a test file itself). */
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfigInput } from '../../lib/model/multitask';

/** A model config small enough to train in milliseconds: base 4 channels. */
export function tinyConfig(size = 16, overrides: ModelConfigInput = {}): ModelConfigInput {
  return {
    ...overrides,
    input: { height: size, width: size, channels: 1, ...overrides.input },
    encoder: { baseChannels: 4, ...overrides.encoder },
  };
}

/** A fixed batch of 4 slices: smooth random images and blob masks (tumour in every slice), labels 0, 1, 0, 1. */
export function tinyBatch(size = 16, channels = 1): { image: tf.Tensor4D; mask: tf.Tensor4D; label: tf.Tensor1D } {
  const image = tf.randomNormal([4, size, size, channels], 0, 1, 'float32', 7) as tf.Tensor4D;
  const mask = tf.tidy(() => {
    const smooth = tf.avgPool(tf.mean(image, 3, true) as tf.Tensor4D, 5, 1, 'same');
    return tf.cast(tf.greater(smooth, 0.2), 'float32') as tf.Tensor4D;
  });
  return { image, mask, label: tf.tensor1d([0, 1, 0, 1], 'int32') };
}

export function disposeBatch(batch: { image: tf.Tensor; mask: tf.Tensor; label: tf.Tensor }): void {
  tf.dispose([batch.image, batch.mask, batch.label]);
}

/** Largest absolute difference between two tensors (or a tensor and a constant). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor | number): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}
