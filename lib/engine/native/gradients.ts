/**
 * Leaner gradients for the ops that dominate a batch-norm (or attention) network's backward pass on the native backend.
 * tfjs composes these gradients from many full-size element-wise ops (the batch-norm gradient alone makes about ten
 * passes over the activations); each of these memory-bound passes costs as much as a small convolution. The
 * replacements give the same values in one or two passes. Gradients are registered globally in tfjs, so each
 * replacement checks the active backend and hands every other backend (and every case it does not cover) to the
 * original gradient, unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { registerOwnGradient } from '../gradients';
import { RELU_GRAD_OP, type NativeAddon } from './addon';
import { floatValues, NATIVE_BACKEND_NAME, outputArray } from './kernel-util';
import { SOFTMAX_GRAD_KERNEL } from './kernels/softmax';

/** Kernels that exist only on the native backend, used by the gradients below. */
export const RELU_GRAD_KERNEL = 'EgfrNativeReluGrad';
export const BATCH_NORM_STATS_KERNEL = 'EgfrNativeBatchNormGradStats';

type Args = Parameters<tf.KernelFunc>[0];

function reluGrad(addon: NativeAddon, args: Args): tf.TensorInfo {
  const backend = args.backend as MathBackendCPU;
  const { dy, x } = args.inputs as Record<string, tf.TensorInfo>;
  const dyv = floatValues(backend, dy), xv = floatValues(backend, x);
  if (dyv === undefined || xv === undefined) throw new Error(`${RELU_GRAD_KERNEL} needs float32 inputs`);
  const shape = Int32Array.from(x.shape);
  const out = outputArray(backend, tf.util.sizeFromShape(x.shape));
  addon.binary(RELU_GRAD_OP, dyv, shape, xv, shape, out, shape);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

function batchNormStats(addon: NativeAddon, args: Args): tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, dy, mean } = args.inputs as Record<string, tf.TensorInfo>;
  const xv = floatValues(backend, x), dyv = floatValues(backend, dy), mv = floatValues(backend, mean);
  if (xv === undefined || dyv === undefined || mv === undefined) throw new Error(`${BATCH_NORM_STATS_KERNEL} needs float32 inputs`);
  const channels = mean.shape[0];
  const s1 = new Float32Array(channels), s2 = new Float32Array(channels);
  addon.batchNormGradStats(xv, dyv, channels, mv, s1, s2);
  return [backend.makeTensorInfo([channels], 'float32', s1), backend.makeTensorInfo([channels], 'float32', s2)];
}

export function gradientKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: RELU_GRAD_KERNEL, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => reluGrad(addon, a) },
    { kernelName: BATCH_NORM_STATS_KERNEL, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => batchNormStats(addon, a) },
  ];
}

function onNative(...tensors: (tf.Tensor | undefined)[]): boolean {
  return tf.getBackend() === NATIVE_BACKEND_NAME && tensors.every((t) => t === undefined || t.dtype === 'float32');
}

const nativeWrappers = new WeakSet<tf.GradConfig>();

/** Registers `wrap(current gradient)` unless the current gradient is already one of these wrappers. */
function wrapGradient(kernelName: string, wrap: (original: tf.GradConfig) => tf.GradConfig): void {
  const current = tf.getGradient(kernelName);
  if (!current || nativeWrappers.has(current)) return;
  const wrapper = wrap(current);
  nativeWrappers.add(wrapper);
  registerOwnGradient(wrapper);
}

/**
 * Replaces the Relu, Mean, Softmax and FusedBatchNorm gradients by backend-checking versions that wrap whatever is
 * registered (the engine's fixes included). Idempotent, and a refresher of the engine's gradient fixes: when stock
 * gradients come back (another tfjs copy loaded), the next `initEngine` wraps them again.
 */
export function installNativeGradients(): void {
  wrapGradient(tf.Softmax, (softmax) => ({
    ...softmax,
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const { dim } = attrs as unknown as tf.SoftmaxAttrs;
      if (!onNative(dy as tf.Tensor, y) || (dim !== -1 && dim !== y.rank - 1)) return softmax.gradFunc(dy, saved, attrs);
      // One pass per row instead of multiply, sum, multiply and subtract over the whole tensor.
      return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy: dy as tf.Tensor, y }) as tf.Tensor };
    },
  }));

  wrapGradient(tf.Relu, (relu) => ({
    ...relu,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (!onNative(dy as tf.Tensor, x)) return relu.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  }));

  wrapGradient(tf.Mean, (mean) => ({
    ...mean,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (!onNative(dy as tf.Tensor, x)) return mean.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
      const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      // One broadcast pass instead of multiplying by a tensor of ones and dividing.
      return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, expanded), reduceSize), x.shape) };
    },
  }));

  wrapGradient(tf.FusedBatchNorm, (batchNorm) => ({
    ...batchNorm,
    gradFunc: (dy, saved, attrs) => {
      const [x, m, variance, scale] = saved;
      const g = dy as tf.Tensor;
      const channels = m.rank === 1 ? m.shape[0] : -1;
      const perChannel = x.rank >= 2 && x.shape[x.rank - 1] === channels && variance.rank === 1 &&
        variance.shape[0] === channels && (scale == null || (scale.rank === 1 && scale.shape[0] === channels));
      if (!perChannel || !onNative(g, x, m, variance, scale ?? undefined)) return batchNorm.gradFunc(dy, saved, attrs);
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      // One pass over x and dy gives every per-channel sum the five derivatives need.
      const [s1, s2] = tf.engine().runKernel(BATCH_NORM_STATS_KERNEL, { x, dy: g, mean: m }) as tf.Tensor[];
      const inv = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
      const scaled = scale == null ? inv : tf.mul(inv, scale);
      return {
        x: () => tf.mul(g, scaled),
        mean: () => tf.neg(tf.mul(scaled, s1)),
        variance: () => tf.mul(tf.mul(tf.mul(tf.square(inv), scaled), s2), tf.scalar(-0.5)),
        scale: () => tf.mul(s2, inv),
        offset: () => tf.clone(s1),
      };
    },
  }));
}
