/**
 * Training-mode batch norm over the channels-last axis in four passes over the activation on the native backend:
 * moments (two reads), the normalisation (one write), and in backprop the per-channel sums (one read) and the input
 * gradient (one write), where composing tf ops takes a dozen or more full-size passes.
 * dx = gamma / s * (dy - mean(dy) - xhat * mean(dy * xhat)), s = sqrt(var + eps), xhat = (x - mean) / s,
 * dgamma = sum(dy * xhat), dbeta = sum(dy).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from './addon';
import { floatValues, NATIVE_BACKEND_NAME, outputArray } from './kernel-util';
import { BATCH_NORM_STATS_KERNEL } from './gradients';

export const CHANNEL_MOMENTS_KERNEL = 'EgfrNativeChannelMoments';
export const BATCH_NORM_DX_KERNEL = 'EgfrNativeBatchNormDx';

type Args = Parameters<tf.KernelFunc>[0];

function channelMoments(addon: NativeAddon, args: Args): tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const xv = floatValues(backend, x);
  if (xv === undefined) throw new Error(`${CHANNEL_MOMENTS_KERNEL} needs a float32 input`);
  const channels = x.shape[x.shape.length - 1];
  const mean = new Float32Array(channels), variance = new Float32Array(channels);
  addon.channelMoments(xv, channels, mean, variance);
  return [backend.makeTensorInfo([channels], 'float32', mean), backend.makeTensorInfo([channels], 'float32', variance)];
}

/** dx = a * dy + b * x + d per channel. */
function batchNormDx(addon: NativeAddon, args: Args): tf.TensorInfo {
  const backend = args.backend as MathBackendCPU;
  const { x, dy, a, b, d } = args.inputs as Record<string, tf.TensorInfo>;
  const [xv, dyv, av, bv, dv] = [x, dy, a, b, d].map((t) => floatValues(backend, t));
  if (!xv || !dyv || !av || !bv || !dv) throw new Error(`${BATCH_NORM_DX_KERNEL} needs float32 inputs`);
  const out = outputArray(backend, tf.util.sizeFromShape(x.shape));
  addon.channelAffine2(dyv, xv, x.shape[x.shape.length - 1], av, bv, dv, out);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

export function batchNormKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: CHANNEL_MOMENTS_KERNEL, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => channelMoments(addon, a) },
    { kernelName: BATCH_NORM_DX_KERNEL, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => batchNormDx(addon, a) },
  ];
}

/** The normalised tensor and the batch statistics it used (no gradient flows through the statistics). */
export interface NativeBatchNormResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch norm in training mode (batch statistics) when the native backend is active and x is float32 and
 * channels-last with per-channel gamma and beta; undefined otherwise, so that the caller uses its portable version.
 */
export function nativeBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): NativeBatchNormResult | undefined {
  const channels = x.shape[x.rank - 1];
  if (tf.getBackend() !== NATIVE_BACKEND_NAME || x.rank < 2 || x.dtype !== 'float32' || gamma.size !== channels ||
      beta.size !== channels || x.size === 0) return undefined;
  const count = x.size / channels;
  let stats: tf.Tensor[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [mean, variance] = tf.engine().runKernel(CHANNEL_MOMENTS_KERNEL, { x: xIn }) as tf.Tensor[];
    // The forward runs in its own scope: keep the statistics for the caller and the backward pass.
    stats = [tf.keep(mean), tf.keep(variance)];
    save([xIn, mean, variance, g]);
    return {
      value: tf.batchNorm(xIn, mean, variance, b, g, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, v, gam] = saved;
        const [s1, s2] = tf.engine().runKernel(BATCH_NORM_STATS_KERNEL, { x: xs, dy, mean: m }) as tf.Tensor[];
        const inv = tf.rsqrt(tf.add(v, epsilon));
        const a = tf.mul(gam, inv);
        const bCoef = tf.neg(tf.div(tf.mul(tf.mul(a, tf.square(inv)), s2), count));
        const d = tf.sub(tf.neg(tf.div(tf.mul(a, s1), count)), tf.mul(bCoef, m));
        const dx = tf.engine().runKernel(BATCH_NORM_DX_KERNEL, { x: xs, dy, a, b: bCoef, d }) as tf.Tensor;
        return [dx, tf.mul(s2, inv), s1];
      },
    };
  });
  const y = op(x, gamma, beta);
  const [mean, variance] = stats.map((t) => tf.clone(t) as tf.Tensor1D);
  tf.dispose(stats);
  return { y, mean, variance };
}
