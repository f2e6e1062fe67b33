/** BatchMatMul and _FusedMatMul (bias + activation) with batch broadcasting, on the native GEMM. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { cpuFallback, floatValues, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';
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
  const av = floatValues(backend, a), bv = floatValues(backend, b);
  const biasv = fused ? channelBias(backend, bias, n) : null;
  if (k !== kb || av === undefined || bv === undefined || biasv === undefined) return cpuFallback(kernelName, args);
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  const outShape = [...outBatch, m, n];
  const c = outputArray(backend, tf.util.sizeFromShape(outShape));
  const alpha = attrs.leakyreluAlpha ?? 0.2;
  const flags = [attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0];
  // The addon broadcasts one whole side (a single matrix, or matching batches in one call); any other broadcast
  // of the batch dimensions is done here, one matrix pair per output batch.
  const whole = tf.util.arraysEqual(batchShapeA, batchShapeB) || (batchA === 1 && batchShapeA.length <= outBatch.length) ||
    (batchB === 1 && batchShapeB.length <= outBatch.length);
  if (whole && tf.util.sizeFromShape(outBatch) === Math.max(batchA, batchB)) {
    addon.matMul(av, bv, biasv, c, Int32Array.from([batchA, batchB, m, n, k, ...flags]), act, alpha);
  } else {
    const single = Int32Array.from([1, 1, m, n, k, ...flags]);
    const stridesOf = (shape: number[]): number[] => {
      // Element strides of a batch shape aligned to the output's (0 where broadcast).
      const aligned = [...new Array<number>(outBatch.length - shape.length).fill(1), ...shape];
      const strides = new Array<number>(aligned.length).fill(0);
      for (let i = aligned.length - 1, s = 1; i >= 0; i--) {
        strides[i] = aligned[i] === 1 ? 0 : s;
        s *= aligned[i];
      }
      return strides;
    };
    const sa = stridesOf(batchShapeA), sb = stridesOf(batchShapeB);
    for (let o = 0; o < tf.util.sizeFromShape(outBatch); o++) {
      let rest = o, ia = 0, ib = 0;
      for (let d = outBatch.length - 1; d >= 0; d--) {
        const idx = rest % outBatch[d];
        rest = Math.floor(rest / outBatch[d]);
        ia += idx * sa[d];
        ib += idx * sb[d];
      }
      addon.matMul(av.subarray(ia * m * k, (ia + 1) * m * k), bv.subarray(ib * k * n, (ib + 1) * k * n), biasv,
        c.subarray(o * m * n, (o + 1) * m * n), single, act, alpha);
    }
  }
  return backend.makeTensorInfo(outShape, 'float32', c);
}

export function matMulKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.BatchMatMul, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => matMul(addon, a, tf.BatchMatMul, false) },
    { kernelName: tf._FusedMatMul, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => matMul(addon, a, tf._FusedMatMul, true) },
  ];
}
