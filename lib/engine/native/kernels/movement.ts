/** Float32 data movement that the cpu backend does element by element in JS: Slice, SplitV, Tile, Transpose, Concat. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];

function sliceOf(addon: NativeAddon, backend: MathBackendCPU, x: tf.TensorInfo, xv: Float32Array, begin: number[], size: number[]): tf.TensorInfo {
  const out = outputArray(backend, tf.util.sizeFromShape(size));
  addon.slice(xv, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size), out);
  return backend.makeTensorInfo(size, 'float32', out);
}

function slice(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
  const xv = floatValues(backend, x);
  if (xv === undefined) return cpuFallback(tf.Slice, args);
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size);
  // A contiguous slice is a free view in the cpu backend: keep that path.
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) return cpuFallback(tf.Slice, args);
  return sliceOf(addon, backend, x, xv, begin, size);
}

function splitV(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
  const xv = floatValues(backend, x);
  if (xv === undefined) return cpuFallback(tf.SplitV, args);
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = sliceOf(addon, backend, x, xv, [...begin], size);
    begin[axis] += s;
    return piece;
  });
}

function tile(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const { reps } = args.attrs as { reps: number[] };
  const xv = floatValues(backend, x);
  if (xv === undefined || reps.length !== x.shape.length) return cpuFallback(tf.Tile, args);
  const shape = x.shape.map((d, i) => d * reps[i]);
  const out = outputArray(backend, tf.util.sizeFromShape(shape));
  addon.tile(xv, Int32Array.from(x.shape), Int32Array.from(reps), out);
  return backend.makeTensorInfo(shape, 'float32', out);
}

function transpose(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x } = args.inputs as Record<string, tf.TensorInfo>;
  const { perm } = args.attrs as { perm: number[] };
  const xv = floatValues(backend, x);
  if (xv === undefined) return cpuFallback(tf.Transpose, args);
  const shape = perm.map((p) => x.shape[p]);
  const out = outputArray(backend, tf.util.sizeFromShape(shape));
  addon.transpose(xv, Int32Array.from(x.shape), Int32Array.from(perm), out);
  return backend.makeTensorInfo(shape, 'float32', out);
}

function concat(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const all = args.inputs as unknown as tf.TensorInfo[];
  const { axis } = args.attrs as { axis: number | number[] };
  const inputs = all.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  const values = inputs.map((t) => floatValues(backend, t));
  if (inputs.length < 2 || values.some((v) => v === undefined)) return cpuFallback(tf.Concat, args);
  const ax = tf.util.parseAxisParam(axis, all[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(all.map((t) => t.shape), ax);
  const outer = tf.util.sizeFromShape(outShape.slice(0, ax));
  const widths = Int32Array.from(inputs, (t) => tf.util.sizeFromShape(t.shape.slice(ax)));
  const out = outputArray(backend, tf.util.sizeFromShape(outShape));
  addon.concat(values as Float32Array[], widths, outer, out);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export function movementKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.Slice, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => slice(addon, a) },
    { kernelName: tf.SplitV, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => splitV(addon, a) },
    { kernelName: tf.Tile, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => tile(addon, a) },
    { kernelName: tf.Transpose, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => transpose(addon, a) },
    { kernelName: tf.Concat, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => concat(addon, a) },
  ];
}
