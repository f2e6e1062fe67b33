/** Float32 reductions (Sum, Mean, Max, Min) over any axes that form one contiguous block after dropping size-1 axes. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { REDUCE_OPS, type NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];

function reduce(addon: NativeAddon, args: Args, kernelName: keyof typeof REDUCE_OPS): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims?: boolean };
  const xv = floatValues(backend, x);
  if (xv === undefined || x.shape.length === 0) return cpuFallback(kernelName, args);
  // As in the cpu kernels: Max names its axes reductionIndices; a null axis means every axis.
  const axes = tf.util.parseAxisParam((kernelName === 'Max' ? attrs.reductionIndices : attrs.axis) as number | number[], x.shape);
  const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
  const flags = Int32Array.from(x.shape, (_, i) => (axes.includes(i) ? 1 : 0));
  const out = new Float32Array(tf.util.sizeFromShape(outShape));
  if (tf.util.sizeFromShape(x.shape) === 0 || !addon.reduce(REDUCE_OPS[kernelName], xv, Int32Array.from(x.shape), flags, out)) {
    return cpuFallback(kernelName, args);
  }
  const shape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return backend.makeTensorInfo(shape, 'float32', out);
}

export function reduceKernels(addon: NativeAddon): tf.KernelConfig[] {
  return (Object.keys(REDUCE_OPS) as (keyof typeof REDUCE_OPS)[]).map((name) => ({
    kernelName: name, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a: Args) => reduce(addon, a, name),
  }));
}
