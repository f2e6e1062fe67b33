import type { KernelSpec } from '../composed';
import { conv2dBackpropFilter } from '../shared/conv2d-backprop-filter';
import { resizeNearestNeighborGradPerImage } from '../shared/resize-nearest-neighbor-grad';

/**
 * egfr-gtv's kernels for the cpu backend: the filter gradient of 2D convs, whose stock kernel dominates a training
 * step (about 75 of 80 s of a batch-1 U-Net step; composed from the cpu conv it is correct and far faster), and the
 * nearest-neighbour resize gradient, whose stock kernel is wrong for batches.
 */
export function cpuKernels(): KernelSpec[] {
  return [conv2dBackpropFilter, resizeNearestNeighborGradPerImage];
}
