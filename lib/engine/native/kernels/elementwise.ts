/** Float32 element-wise kernels: binary ops with NumPy broadcasting, and unary ops. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { BINARY_OPS, UNARY_OPS, type NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];

function binary(addon: NativeAddon, args: Args, kernelName: keyof typeof BINARY_OPS): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { a, b } = args.inputs as Record<string, tf.TensorInfo>;
  const av = floatValues(backend, a), bv = floatValues(backend, b);
  if (av === undefined || bv === undefined) return cpuFallback(kernelName, args);
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = outputArray(backend, tf.util.sizeFromShape(outShape));
  addon.binary(BINARY_OPS[kernelName], av, Int32Array.from(a.shape), bv, Int32Array.from(b.shape), out, Int32Array.from(outShape));
  return backend.makeTensorInfo(outShape, 'float32', out);
}

function unary(addon: NativeAddon, args: Args, kernelName: keyof typeof UNARY_OPS): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const xv = floatValues(backend, x);
  if (xv === undefined) return cpuFallback(kernelName, args);
  const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0;
  const size = tf.util.sizeFromShape(x.shape);
  const out = outputArray(backend, size);
  addon.unary(UNARY_OPS[kernelName], xv.length === size ? xv : xv.subarray(0, size), out, alpha);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

export function elementwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  const binaries = (Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]).map((name) => ({
    kernelName: name, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a: Args) => binary(addon, a, name),
  }));
  const unaries = (Object.keys(UNARY_OPS) as (keyof typeof UNARY_OPS)[]).map((name) => ({
    kernelName: name, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a: Args) => unary(addon, a, name),
  }));
  return [...binaries, ...unaries];
}
