/** FusedBatchNorm (inference form and the forward pass of training) over the channels-last axis. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];

function batchNorm(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { varianceEpsilon } = args.attrs as { varianceEpsilon?: number };
  if (x === undefined || mean === undefined || variance === undefined || x.shape.length === 0) return cpuFallback(tf.FusedBatchNorm, args);
  const channels = x.shape[x.shape.length - 1];
  // Statistics must be per channel (or scalars): other broadcasts go to the cpu kernel.
  const perChannel = (t: tf.TensorInfo | undefined): boolean => {
    if (t === undefined) return true;
    const size = tf.util.sizeFromShape(t.shape);
    return (size === 1 || (size === channels && t.shape[t.shape.length - 1] === channels));
  };
  const xv = floatValues(backend, x), mv = floatValues(backend, mean), vv = floatValues(backend, variance);
  const ov = offset ? floatValues(backend, offset) : null, sv = scale ? floatValues(backend, scale) : null;
  if (xv === undefined || mv === undefined || vv === undefined || ov === undefined || sv === undefined || channels === 0 ||
      tf.util.sizeFromShape(x.shape) === 0 || ![mean, variance, offset, scale].every(perChannel)) {
    return cpuFallback(tf.FusedBatchNorm, args);
  }
  const y = outputArray(backend, tf.util.sizeFromShape(x.shape));
  addon.batchNorm(xv, channels, mv, vv, ov, sv, varianceEpsilon ?? 0.001, y);
  return backend.makeTensorInfo(x.shape, 'float32', y);
}

export function normKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [{ kernelName: tf.FusedBatchNorm, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => batchNorm(addon, a) }];
}
