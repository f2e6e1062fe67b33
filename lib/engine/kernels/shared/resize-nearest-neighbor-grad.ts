import * as tf from '@tensorflow/tfjs-core';
import type { ResizeNearestNeighborGradAttrs } from '@tensorflow/tfjs-core';
import { composedKernel } from '../composed';
import { runStockKernel } from '../install';

/**
 * Nearest-neighbour resize gradient for the cpu backend. The stock cpu kernel is right for one image but wrong for a
 * batch (measured against a hand-written sum over each pixel's block), so this runs it once per image and
 * concatenates. The stock wasm kernel is right.
 */
export const resizeNearestNeighborGradPerImage = composedKernel<ResizeNearestNeighborGradAttrs>(
  'ResizeNearestNeighborGrad',
  (inputs, attrs) => {
    const { images, dy } = inputs;
    const n = images.shape[0];
    const parts: tf.Tensor[] = [];
    for (let b = 0; b < n; b++) {
      const img = tf.slice(images, [b, 0, 0, 0], [1, -1, -1, -1]);
      const g = tf.slice(dy, [b, 0, 0, 0], [1, -1, -1, -1]);
      parts.push(runStockKernel('ResizeNearestNeighborGrad', { images: img, dy: g }, attrs));
    }
    return n === 1 ? parts[0] : tf.concat(parts, 0);
  },
);
