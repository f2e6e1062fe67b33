/**
 * Primitive layers on [N, H, W, C] feature maps and [B, T, D] token sequences: convolutions, dense, norms and the
 * 2x2/stride-2 up-convolution. Blocks in ./blocks compose them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../engine/ops/batch-norm';
import { ConfigError } from '../errors';
import { ApplyOptions, Init, Module, expectNHWC } from './module';
import { matMul } from './ops';

export interface Conv2DConfig {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  /** 'same' (default) or 'valid' (used by the 2x2/stride-2 patch embedding). */
  padding?: 'same' | 'valid';
  /** Off when a norm follows (its shift makes a bias redundant and the bias would get no gradient). */
  bias?: boolean;
  init?: Init;
}

export class Conv2D extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  private readonly stride: number;
  private readonly padding: 'same' | 'valid';

  constructor(
    name: string,
    seed: number,
    readonly config: Conv2DConfig,
  ) {
    super(name, seed);
    const { inChannels, outChannels, kernel } = config;
    this.stride = config.stride ?? 1;
    this.padding = config.padding ?? 'same';
    this.kernel = this.addWeight('kernel', [kernel, kernel, inChannels, outChannels], config.init ?? 'he');
    this.bias = config.bias ? this.addWeight('bias', [outChannels], 'zeros') : null;
  }

  outputShape(input: number[]): number[] {
    expectNHWC(this.name, input, this.config.inChannels);
    const k = this.config.kernel;
    const size = (n: number) => (this.padding === 'same' ? Math.ceil(n / this.stride) : Math.floor((n - k) / this.stride) + 1);
    return [input[0], size(input[1]), size(input[2]), this.config.outChannels];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, this.padding);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** Depthwise 3x3 (or k x k) convolution, one filter per channel, optional stride (spatial reduction). */
export class DepthwiseConv2D extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    name: string,
    seed: number,
    readonly channels: number,
    readonly size: number,
    readonly stride = 1,
    bias = false,
  ) {
    super(name, seed);
    this.kernel = this.addWeight('kernel', [size, size, channels, 1], 'he', true, true);
    this.bias = bias ? this.addWeight('bias', [channels], 'zeros') : null;
  }

  outputShape(input: number[]): number[] {
    expectNHWC(this.name, input, this.channels);
    return [input[0], Math.ceil(input[1] / this.stride), Math.ceil(input[2] / this.stride), this.channels];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = tf.depthwiseConv2d(x, this.kernel as tf.Tensor4D, this.stride, 'same');
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** Fully connected layer on the last axis of a tensor of any rank >= 2. */
export class Dense extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    name: string,
    seed: number,
    readonly inFeatures: number,
    readonly outFeatures: number,
    init: Init = 'glorot',
  ) {
    super(name, seed);
    this.kernel = this.addWeight('kernel', [inFeatures, outFeatures], init);
    this.bias = this.addWeight('bias', [outFeatures], 'zeros');
  }

  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      if (x.shape[x.rank - 1] !== this.inFeatures) {
        throw new ConfigError(`${this.name}: expects ${this.inFeatures} features, got input [${x.shape}]`);
      }
      const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      const y = tf.add(matMul(flat, this.kernel as tf.Tensor2D), this.bias);
      return tf.reshape(y, [...lead, this.outFeatures]) as T;
    });
  }
}

/**
 * Normalisation of [N, H, W, C] maps. 'batch': batch statistics in training (the engine's `batchNormTraining`, whose
 * analytic backward pass takes a few passes where the tape of elementwise ops takes about twenty, and which runs
 * fused on the native backend), moving averages at inference (momentum 0.9, eps 1e-5);
 * 'group': GroupNorm (Wu and He 2018) with `groups` groups (fewer when C is smaller); 'instance': one group per
 * channel; 'layer': over H, W and C of each sample (one group); 'none': identity.
 */
export type NormKind = 'batch' | 'group' | 'instance' | 'layer' | 'none';

export class Norm2D extends Module {
  private readonly gamma: tf.Variable | null = null;
  private readonly beta: tf.Variable | null = null;
  private readonly movingMean: tf.Variable | null = null;
  private readonly movingVar: tf.Variable | null = null;
  private readonly groups: number;
  static readonly momentum = 0.9;
  static readonly epsilon = 1e-5;

  constructor(
    name: string,
    seed: number,
    readonly kind: NormKind,
    readonly channels: number,
    groups = 8,
  ) {
    super(name, seed);
    this.groups = kind === 'instance' ? channels : kind === 'layer' ? 1 : Math.min(groups, channels);
    if (kind === 'group' && channels % this.groups !== 0) {
      throw new ConfigError(`${name}: ${channels} channels cannot be split into ${this.groups} groups`);
    }
    if (kind === 'none') return;
    this.gamma = this.addWeight('gamma', [channels], 'ones');
    this.beta = this.addWeight('beta', [channels], 'zeros');
    if (kind === 'batch') {
      this.movingMean = this.addWeight('moving_mean', [channels], 'zeros', false);
      this.movingVar = this.addWeight('moving_variance', [channels], 'ones', false);
    }
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor4D {
    if (this.kind === 'none') return x;
    return tf.tidy(() => {
      const eps = Norm2D.epsilon;
      if (this.kind === 'batch') {
        if (options.training) {
          const { y, mean, variance } = batchNormTraining(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, eps);
          if (options.updateStatistics !== false) this.updateMoving(mean, variance, x.size / x.shape[3]);
          return y as tf.Tensor4D;
        }
        // One fused kernel instead of four element-wise passes over the activations: inference is memory-bound here.
        return tf.batchNorm4d(x, this.movingMean as tf.Tensor1D, this.movingVar as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, eps);
      }
      const [n, h, w, c] = x.shape;
      const normed = tf.reshape(standardise(tf.reshape(x, [n, h, w, this.groups, c / this.groups]), [1, 2, 4], eps), x.shape);
      return tf.add(tf.mul(normed, this.gamma!), this.beta!);
    });
  }

  private updateMoving(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = Norm2D.momentum;
    // Unbiased variance for the running estimate, as PyTorch keeps it. Assignments are not recorded by the gradient tape.
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    this.movingMean!.assign(tf.add(tf.mul(this.movingMean!, m), tf.mul(mean, 1 - m)));
    this.movingVar!.assign(tf.add(tf.mul(this.movingVar!, m), tf.mul(unbiased, 1 - m)));
  }
}

/** (x - mean) / sqrt(variance + eps) with the (biased) statistics over `axes`: the core of group and layer norm. */
function standardise<T extends tf.Tensor>(x: T, axes: number[], eps: number): T {
  const centred = tf.sub(x, tf.mean(x, axes, true));
  const variance = tf.mean(tf.square(centred), axes, true);
  return tf.mul(centred, tf.rsqrt(tf.add(variance, eps))) as T;
}

/** LayerNorm over the last axis (tokens [B, T, D], or the channels of [N, H, W, C] maps), eps 1e-5. */
export class LayerNorm extends Module {
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;

  constructor(
    name: string,
    seed: number,
    readonly features: number,
  ) {
    super(name, seed);
    this.gamma = this.addWeight('gamma', [features], 'ones');
    this.beta = this.addWeight('beta', [features], 'zeros');
  }

  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      return tf.add(tf.mul(standardise(x, [x.rank - 1], 1e-5), this.gamma), this.beta) as T;
    });
  }
}

/**
 * Transposed convolution with a 2x2 kernel and stride 2 (U-Net up-convolution), computed as one matMul and an
 * interleaving reshape: each input pixel writes a 2x2 output patch, so no overlap-add is needed. Exact, and its
 * gradient is a matMul too, which every backend does fast.
 */
export class UpConv2x2 extends Module {
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(
    name: string,
    seed: number,
    readonly inChannels: number,
    readonly outChannels: number,
  ) {
    super(name, seed);
    // Laid out [in, (row, column, out)]; fan-in of one output pixel is `inChannels`, as for a 2x2/s2 transposed conv.
    this.kernel = this.addWeight('kernel', [inChannels, 4 * outChannels], 'glorot');
    this.bias = this.addWeight('bias', [outChannels], 'zeros');
  }

  outputShape(input: number[]): number[] {
    expectNHWC(this.name, input, this.inChannels);
    return [input[0], input[1] * 2, input[2] * 2, this.outChannels];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = x.shape;
      const co = this.outChannels;
      const y = matMul(tf.reshape(x, [n * h * w, this.inChannels]) as tf.Tensor2D, this.kernel as tf.Tensor2D);
      // [n*h, w, row, (column, out)] -> [n*h, row, w, (column, out)] keeps the transpose at rank 4.
      const interleaved = tf.transpose(tf.reshape(y, [n * h, w, 2, 2 * co]), [0, 2, 1, 3]);
      return tf.add(tf.reshape(interleaved, [n, 2 * h, 2 * w, co]), this.bias) as tf.Tensor4D;
    });
  }
}
