import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { installKernels } from '../kernels/install';
import { cpuKernels } from '../kernels/cpu';
import type { BackendCandidate } from './candidate';

export const cpuCandidate: BackendCandidate = {
  name: 'cpu',
  async tryInit() {
    if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
    const kernels = installKernels('cpu', cpuKernels());
    return {
      ok: true,
      kernels,
      notes: ['plain JavaScript kernels: a correctness reference, tens of times slower than wasm for training'],
      threads: 1,
    };
  },
};
