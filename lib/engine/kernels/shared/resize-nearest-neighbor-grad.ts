import * as tf from '@tensorflow/tfjs-core';
import type { ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../../../errors';
import { composedKernel } from '../composed';
import { stockKernel } from '../install';

/**
 * Nearest-neighbour resize gradient for the cpu backend. The stock cpu kernel is right for one image but wrong for a
 * batch (measured against a hand-written sum over each pixel's block), so this runs it once per image and
 * concatenates. The stock wasm kernel is right.
 */
export const resizeNearestNeighborGradPerImage = composedKernel<ResizeNearestNeighborGradAttrs>(
  'ResizeNearestNeighborGrad',
  (inputs, attrs) => {
    const { images, dy } = inputs;
    const stock = stockKernel('ResizeNearestNeighborGrad', tf.getBackend());
    if (!stock) throw new BackendError(`ResizeNearestNeighborGrad: no stock kernel on ${tf.getBackend()}`);
    const backend = tf.backend();
    const n = images.shape[0];
    const parts: tf.Tensor[] = [];
    for (let b = 0; b < n; b++) {
      const img = tf.slice(images, [b, 0, 0, 0], [1, -1, -1, -1]);
      const g = tf.slice(dy, [b, 0, 0, 0], [1, -1, -1, -1]);
      const info = stock.kernelFunc({ inputs: { images: img, dy: g }, attrs: attrs as unknown as tf.NamedAttrMap, backend });
      parts.push(tf.engine().makeTensorFromTensorInfo(info as TensorInfo));
    }
    return n === 1 ? parts[0] : tf.concat(parts, 0);
  },
);
