import { BackendError } from '../../../errors';
import type { Conv3DBackpropFilterV2Attrs } from '@tensorflow/tfjs-core';
import { stockKernel } from '../install';
import type { KernelSpec } from '../composed';

const why =
  'the wasm backend computes wrong (and non-deterministic) Conv3D gradients; train 3D convolutions on the cpu ' +
  "backend (initEngine({ backend: 'cpu' })) or with tfjs-node";

/** Conv3D input gradient on wasm: always wrong in the stock kernel, so refused. */
export const conv3dBackpropInputRefusal: KernelSpec = {
  kernelName: 'Conv3DBackpropInputV2',
  kernelFunc: () => {
    throw new BackendError(`Conv3DBackpropInputV2: ${why}`);
  },
};

/** Conv3D filter gradient on wasm: the stock kernel is right at stride 1 only, so other strides are refused. */
export const conv3dBackpropFilterRefusal: KernelSpec = {
  kernelName: 'Conv3DBackpropFilterV2',
  kernelFunc: (args) => {
    const { strides } = args.attrs as unknown as Conv3DBackpropFilterV2Attrs;
    const s = typeof strides === 'number' ? [strides, strides, strides] : strides;
    const stock = stockKernel('Conv3DBackpropFilterV2', 'wasm');
    if (!stock || s.some((v) => v !== 1)) throw new BackendError(`Conv3DBackpropFilterV2 with stride ${s.join('x')}: ${why}`);
    return stock.kernelFunc(args);
  },
};
