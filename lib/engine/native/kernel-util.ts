/** Helpers shared by the native kernel groups: typed-array access on the cpu backend and the cpu fallbacks. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { Geometry } from './addon';
import { NativeBackend } from './native-backend';

/** The name the native backend is registered under. */
export const NATIVE_BACKEND_NAME = 'native';

/** The float32 values of a tensor held by the (native) cpu backend, without copying; undefined for other dtypes. */
export function floatValues(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/**
 * A float32 output array of `size` elements, recycled from the backend's pool when it is the native backend: the
 * kernel must write every element.
 */
export function outputArray(backend: MathBackendCPU, size: number): Float32Array {
  return backend instanceof NativeBackend ? backend.pool.take(size) : new Float32Array(size);
}

/** Runs the cpu backend's implementation of a kernel: the path for attributes the native code does not cover. */
export function cpuFallback(kernelName: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const config = tf.getKernel(kernelName, 'cpu');
  if (config === undefined) throw new Error(`no cpu kernel ${kernelName} to fall back on`);
  return config.kernelFunc(args) as tf.TensorInfo | tf.TensorInfo[];
}

/** Geometry of a convolution or pooling in the order the addon reads it (see Geometry). */
export function convGeometry(info: tf.backend_util.Conv2DInfo, channelArg: number): Geometry {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, channelArg,
    info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ]);
}

/** True when every size of the geometry is positive (empty tensors go to the cpu kernels). */
export function nonEmpty(info: tf.backend_util.Conv2DInfo): boolean {
  return info.batchSize > 0 && info.inHeight > 0 && info.inWidth > 0 && info.inChannels > 0 &&
    info.outHeight > 0 && info.outWidth > 0 && info.outChannels > 0;
}
