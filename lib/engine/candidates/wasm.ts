import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { installKernels } from '../kernels/install';
import { wasmKernels } from '../kernels/wasm';
import type { BackendCandidate } from './candidate';

export const wasmCandidate: BackendCandidate = {
  name: 'wasm',
  async tryInit() {
    let ok: boolean;
    try {
      ok = await tf.setBackend('wasm');
    } catch (err) {
      return { ok: false, reason: `the wasm backend failed to initialise: ${(err as Error).message}` };
    }
    if (!ok) return { ok: false, reason: 'the wasm backend failed to initialise' };
    const kernels = installKernels('wasm', wasmKernels());
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = getThreadsCount();
    const notes = [
      'XNNPACK forward kernels; egfr-gtv kernels fill the training gaps (conv and depthwise gradients, max-pool ' +
        'gradient, segment sums), speed up matMul, reductions, concat/split and identity, and refuse Conv3D gradients',
    ];
    if (!simd) notes.push('no WebAssembly SIMD: expect several times slower convolutions');
    if (threads <= 1) notes.push('tfjs runs wasm single-threaded in Node.js');
    return { ok: true, kernels, notes, simd, threads };
  },
};
