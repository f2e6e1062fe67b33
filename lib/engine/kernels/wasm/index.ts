import type { KernelSpec } from '../composed';
import { conv2dBackpropFilter } from '../shared/conv2d-backprop-filter';
import { conv2dBackpropInput } from '../shared/conv2d-backprop-input';
import { depthwiseConv2dBackpropFilter } from '../shared/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInput } from '../shared/depthwise-conv2d-backprop-input';
import { unsortedSegmentSum } from '../shared/unsorted-segment-sum';
import { conv3dBackpropFilterRefusal, conv3dBackpropInputRefusal } from './conv3d-refusal';
import { batchMatMulWasm } from './batch-mat-mul';
import { concatWasm, splitVWasm } from './concat-split';
import { fusedMatMulWasm } from './fused-mat-mul';
import { identityWasm } from './identity';
import { meanLeadingAxes, sumLeadingAxes } from './leading-axes-reduce';
import { maxPoolGradWasm } from './max-pool-grad';

/**
 * egfr-gtv's kernels for the wasm backend: the gaps and the wrong or slow stock kernels found by
 * tests/engine/op-coverage.test.ts and by profiling the reference U-Net, each checked by the exact gradient tests.
 */
export function wasmKernels(): KernelSpec[] {
  return [
    conv2dBackpropFilter,
    conv2dBackpropInput,
    depthwiseConv2dBackpropFilter,
    depthwiseConv2dBackpropInput,
    maxPoolGradWasm,
    identityWasm,
    meanLeadingAxes,
    sumLeadingAxes,
    batchMatMulWasm,
    fusedMatMulWasm,
    concatWasm,
    splitVWasm,
    unsortedSegmentSum,
    conv3dBackpropInputRefusal,
    conv3dBackpropFilterRefusal,
  ];
}
