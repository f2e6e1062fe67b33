/**
 * The reference U-Net of the bench (3 levels 16/32/64, two conv3x3+BN+ReLU per level, maxPool down, transposed
 * conv 2x2/s2 up, skip concatenation, 1x1 head to 2 classes, softmax cross-entropy, Adam), shared by the native
 * backend's leak test and its timing script.
 */
import * as tf from '@tensorflow/tfjs';

import { nativeBatchNormTraining } from '../../../lib/engine/native';

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

/** The bench network on plain ops with nativeBatchNormTraining (tf.moments + tf.batchNorm on other backends). */
class PlainUnet extends tf.layers.Layer {
  static className = 'PlainUnet';
  private weightsOf: tf.LayerVariable[] = [];
  constructor(private readonly channels: number[]) {
    super({});
  }
  override build(): void {
    const add = (shape: number[]): tf.LayerVariable => {
      const v = this.addWeight(`w${this.weightsOf.length}`, shape, 'float32', tf.initializers.heNormal({ seed: this.weightsOf.length }));
      this.weightsOf.push(v);
      return v;
    };
    let cin = 1;
    for (const c of this.channels) {
      add([3, 3, cin, c]); add([3, 3, c, c]);
      cin = c;
    }
    for (let l = this.channels.length - 2; l >= 0; l--) {
      const c = this.channels[l];
      add([2, 2, c, this.channels[l + 1]]); add([3, 3, 2 * c, c]); add([3, 3, c, c]);
    }
    add([1, 1, this.channels[0], 2]);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const w = this.weightsOf.map((v) => v.read());
    let k = 0;
    const block = (x: tf.Tensor4D): tf.Tensor4D => {
      const y = tf.conv2d(x, w[k++] as tf.Tensor4D, 1, 'same');
      const c = y.shape[3];
      const gamma = tf.ones([c]) as tf.Tensor1D, beta = tf.zeros([c]) as tf.Tensor1D;
      const fast = nativeBatchNormTraining(y, gamma, beta, 1e-5);
      if (fast) return tf.relu(fast.y) as tf.Tensor4D;
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      return tf.relu(tf.batchNorm(y, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D;
    };
    const skips: tf.Tensor4D[] = [];
    let h = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    for (let l = 0; l < this.channels.length; l++) {
      if (l > 0) h = tf.maxPool(h, 2, 2, 'valid');
      h = block(block(h));
      skips.push(h);
    }
    for (let i = 0; i < this.channels.length - 1; i++) {
      const skip = skips[this.channels.length - 2 - i];
      const up = tf.conv2dTranspose(h, w[k++] as tf.Tensor4D, skip.shape, 2, 'same');
      h = block(block(tf.concat([up, skip], 3)));
    }
    return tf.conv2d(h, w[k] as tf.Tensor4D, 1, 'same');
  }
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
    return [s[0], s[1], s[2], 2];
  }
}

export function plainUnet(size: number, channels = [16, 32, 64]): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 1] });
  return tf.model({ inputs: input, outputs: new PlainUnet(channels).apply(input) as tf.SymbolicTensor });
}
