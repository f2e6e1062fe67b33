import { backend_util, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelSpec } from '../composed';

/**
 * Max-pool gradient on wasm. The stock wasm kernel is wrong as soon as batch or channels exceed 1 (measured against
 * the cpu backend and a hand-written reference), so this one runs in JavaScript directly on the wasm heap: each output
 * gradient goes to the first maximum of its window, as in TensorFlow (ties, e.g. after ReLU, go to one element).
 * The pass is memory-bound, so JavaScript loses little to SIMD here.
 */
export const maxPoolGradWasm: KernelSpec = {
  kernelName: 'MaxPoolGrad',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const out = wasm.makeOutput(input.shape, 'float32');
    // Views are taken after the allocation, which may grow (and detach) the wasm memory.
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    const xv = wasm.typedArrayFromHeap(input) as Float32Array;
    const dyv = wasm.typedArrayFromHeap(dy) as Float32Array;
    dx.fill(0);
    const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
    const { top, left } = info.padInfo;
    for (let b = 0; b < batchSize; b++) {
      const xBase = b * h * w * c;
      for (let oy = 0; oy < ho; oy++) {
        const y0 = Math.max(0, oy * sh - top);
        const y1 = Math.min(h, oy * sh - top + kh);
        for (let ox = 0; ox < wo; ox++) {
          const x0 = Math.max(0, ox * sw - left);
          const x1 = Math.min(w, ox * sw - left + kw);
          const dyBase = ((b * ho + oy) * wo + ox) * c;
          for (let ch = 0; ch < c; ch++) {
            let best = -Infinity;
            let bestIdx = -1;
            for (let y = y0; y < y1; y++) {
              for (let xx = x0; xx < x1; xx++) {
                const idx = xBase + (y * w + xx) * c + ch;
                const v = xv[idx];
                if (v > best || bestIdx < 0) {
                  best = v;
                  bestIdx = idx;
                }
              }
            }
            if (bestIdx >= 0) dx[bestIdx] += dyv[dyBase + ch];
          }
        }
      }
    }
    return out;
  },
};
