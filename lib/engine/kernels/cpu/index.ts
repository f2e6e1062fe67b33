import type { KernelSpec } from '../composed';
import { conv2dBackpropFilter } from '../shared/conv2d-backprop-filter';

/**
 * egfr-gtv's kernels for the cpu backend: only the filter gradient of 2D convs, whose stock kernel dominates a
 * training step (about 75 of 80 s of a batch-1 U-Net step); composed from the cpu conv it is correct and far faster.
 */
export function cpuKernels(): KernelSpec[] {
  return [conv2dBackpropFilter];
}
