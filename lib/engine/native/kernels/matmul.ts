/** BatchMatMul and _FusedMatMul (bias + activation) with batch broadcasting, on the native GEMM. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME } from '../kernel-util';
import { activationCode, channelBias } from './conv';

type Args = Parameters<tf.KernelFunc>[0];

function matMul(addon: NativeAddon, args: Args, kernelName: string, fused: boolean): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
  const act = fused ? activationCode(attrs.activation) : 0;
  if (a === undefined || b === undefined || act === undefined || preluActivationWeights !== undefined ||
      a.shape.length < 2 || b.shape.length < 2) return cpuFallback(kernelName, args);
  const m = attrs.transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
  const k = attrs.transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  const kb = attrs.transposeB ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
  const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const batchShapeA = a.shape.slice(0, -2), batchShapeB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(batchShapeA), batchB = tf.util.sizeFromShape(batchShapeB);
  // Only whole-batch broadcasting: the same batch shape, or one side a single matrix of no higher batch rank.
  const broadcastable = tf.util.arraysEqual(batchShapeA, batchShapeB) ||
    (batchA === 1 && batchShapeA.length <= batchShapeB.length) || (batchB === 1 && batchShapeB.length <= batchShapeA.length);
  const av = floatValues(backend, a), bv = floatValues(backend, b);
  const biasv = fused ? channelBias(backend, bias, n) : null;
  if (k !== kb || av === undefined || bv === undefined || biasv === undefined ||
      !broadcastable) return cpuFallback(kernelName, args);
  const outBatch = batchShapeA.length >= batchShapeB.length && batchA >= batchB ? batchShapeA : batchShapeB;
  const outShape = [...outBatch, m, n];
  const c = new Float32Array(tf.util.sizeFromShape(outShape));
  const dims = Int32Array.from([batchA, batchB, m, n, k, attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0]);
  addon.matMul(av, bv, biasv, c, dims, act, attrs.leakyreluAlpha ?? 0.2);
  return backend.makeTensorInfo(outShape, 'float32', c);
}

export function matMulKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.BatchMatMul, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => matMul(addon, a, tf.BatchMatMul, false) },
    { kernelName: tf._FusedMatMul, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => matMul(addon, a, tf._FusedMatMul, true) },
  ];
}
