/** Softmax over the last axis (the attention weights), and the kernel its native gradient uses. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

export const SOFTMAX_GRAD_KERNEL = 'EgfrNativeSoftmaxGrad';

type Args = Parameters<tf.KernelFunc>[0];

function softmax(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { logits } = args.inputs as Record<string, tf.TensorInfo>;
  const { dim } = args.attrs as { dim: number };
  const xv = floatValues(backend, logits);
  const rank = logits.shape.length;
  const cols = logits.shape[rank - 1];
  if (xv === undefined || rank === 0 || (dim !== -1 && dim !== rank - 1) || cols === 0) return cpuFallback(tf.Softmax, args);
  const y = outputArray(backend, tf.util.sizeFromShape(logits.shape));
  if (y.length > 0) addon.softmax(xv.length === y.length ? xv : xv.subarray(0, y.length), cols, y);
  return backend.makeTensorInfo(logits.shape, 'float32', y);
}

/** Inputs dy and y (the softmax output), softmax over the last axis. */
function softmaxGrad(addon: NativeAddon, args: Args): tf.TensorInfo {
  const backend = args.backend as MathBackendCPU;
  const { dy, y } = args.inputs as Record<string, tf.TensorInfo>;
  const dyv = floatValues(backend, dy), yv = floatValues(backend, y);
  if (dyv === undefined || yv === undefined) throw new Error(`${SOFTMAX_GRAD_KERNEL} needs float32 inputs`);
  const dx = outputArray(backend, tf.util.sizeFromShape(y.shape));
  if (dx.length > 0) addon.softmaxGrad(dyv, yv, y.shape[y.shape.length - 1], dx);
  return backend.makeTensorInfo(y.shape, 'float32', dx);
}

export function softmaxKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.Softmax, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => softmax(addon, a) },
    { kernelName: SOFTMAX_GRAD_KERNEL, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => softmaxGrad(addon, a) },
  ];
}
