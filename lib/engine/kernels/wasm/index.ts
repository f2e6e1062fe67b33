import type { KernelSpec } from '../composed';
import { conv2dBackpropFilter } from '../shared/conv2d-backprop-filter';
import { conv2dBackpropInput } from '../shared/conv2d-backprop-input';
import { depthwiseConv2dBackpropFilter } from '../shared/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInput } from '../shared/depthwise-conv2d-backprop-input';
import { unsortedSegmentSum } from '../shared/unsorted-segment-sum';
import { conv3dBackpropFilterRefusal, conv3dBackpropInputRefusal } from './conv3d-refusal';
import { maxPoolGradWasm } from './max-pool-grad';

/**
 * egfr-gtv's kernels for the wasm backend: the gaps and wrong or slow stock kernels found by
 * tests/engine/op-coverage.test.ts, each checked by the finite-difference tests.
 */
export function wasmKernels(): KernelSpec[] {
  return [
    conv2dBackpropFilter,
    conv2dBackpropInput,
    depthwiseConv2dBackpropFilter,
    depthwiseConv2dBackpropInput,
    maxPoolGradWasm,
    unsortedSegmentSum,
    conv3dBackpropInputRefusal,
    conv3dBackpropFilterRefusal,
  ];
}
