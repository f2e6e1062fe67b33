/**
 * The reference U-Net of the bench (3 levels 16/32/64, two conv3x3+BN+ReLU per level, maxPool down, transposed
 * conv 2x2/s2 up, skip concatenation, 1x1 head to 2 classes, softmax cross-entropy, Adam), shared by the native
 * backend's leak test and its timing script.
 */
import * as tf from '@tensorflow/tfjs';

function convBlock(x: tf.SymbolicTensor, channels: number): tf.SymbolicTensor {
  let y = x;
  for (let i = 0; i < 2; i++) {
    y = tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  }
  return y;
}

export function referenceUnet(size: number, base = 16): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 1] });
  const e1 = convBlock(input, base);
  const e2 = convBlock(tf.layers.maxPooling2d({ poolSize: 2 }).apply(e1) as tf.SymbolicTensor, base * 2);
  const bottom = convBlock(tf.layers.maxPooling2d({ poolSize: 2 }).apply(e2) as tf.SymbolicTensor, base * 4);
  const up2 = tf.layers.conv2dTranspose({ filters: base * 2, kernelSize: 2, strides: 2 }).apply(bottom) as tf.SymbolicTensor;
  const d2 = convBlock(tf.layers.concatenate().apply([up2, e2]) as tf.SymbolicTensor, base * 2);
  const up1 = tf.layers.conv2dTranspose({ filters: base, kernelSize: 2, strides: 2 }).apply(d2) as tf.SymbolicTensor;
  const d1 = convBlock(tf.layers.concatenate().apply([up1, e1]) as tf.SymbolicTensor, base);
  const logits = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** One Adam step on softmax cross-entropy; returns the loss value. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor4D, labels: tf.Tensor4D): number {
  const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor4D), true);
  const value = (loss as tf.Scalar).dataSync()[0];
  loss?.dispose();
  return value;
}
