import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelSpec } from '../composed';

/**
 * Identity on wasm shares the input's buffer (a reference count, as Reshape does and as the cpu backend's Identity
 * does) instead of copying it. The gradient tape clones every tensor it saves for backprop through Identity, so the
 * stock copy cost tens of milliseconds per U-Net step; no wasm kernel writes into its inputs, so sharing is safe.
 */
export const identityWasm: KernelSpec = {
  kernelName: 'Identity',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs.x as TensorInfo;
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
