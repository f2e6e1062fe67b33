/** MaxPool forward and gradient, NHWC, on the native addon. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { convGeometry, cpuFallback, floatValues, nonEmpty, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface PoolAttrs {
  filterSize: number | [number, number]; strides: number | [number, number];
  pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(x: tf.TensorInfo, attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

function maxPool(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const info = poolInfo(x, args.attrs as unknown as PoolAttrs);
  const xv = floatValues(backend, x);
  if (xv === undefined || !nonEmpty(info)) return cpuFallback(tf.MaxPool, args);
  const y = outputArray(backend, tf.util.sizeFromShape(info.outShape));
  addon.maxPool(xv, y, convGeometry(info, 1));
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

function maxPoolGrad(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { dy, input } = args.inputs as Record<string, tf.TensorInfo>;
  const info = poolInfo(input, args.attrs as unknown as PoolAttrs);
  const xv = floatValues(backend, input), dyv = floatValues(backend, dy);
  if (xv === undefined || dyv === undefined || !nonEmpty(info)) return cpuFallback(tf.MaxPoolGrad, args);
  const dx = outputArray(backend, tf.util.sizeFromShape(input.shape));
  addon.maxPoolGrad(xv, dyv, dx, convGeometry(info, 1));
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

export function poolKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.MaxPool, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => maxPool(addon, a) },
    { kernelName: tf.MaxPoolGrad, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => maxPoolGrad(addon, a) },
  ];
}
