/**
 * Conv2D and depthwise Conv2D (any channel multiplier) on the native addon, NHWC: forward (plain and fused with bias +
 * activation) and both gradients. The two families differ only in their kernel names, addon entry points and how
 * the geometry reads the filter.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { ACTIVATION_CODES, type NativeAddon } from '../addon';
import { convGeometry, cpuFallback, floatValues, nonEmpty, NATIVE_BACKEND_NAME, outputArray } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

/** The attributes of all eight kernels (the gradients carry the shape of what they do not receive). */
interface ConvAttrs {
  strides: number | [number, number]; pad: Pad; dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat?: string; activation?: string; leakyreluAlpha?: number;
  inputShape?: Shape4; filterShape?: Shape4;
}

interface ConvFamily {
  depthwise: boolean;
  kernels: { forward: string; fused: string; input: string; filter: string };
  addon: {
    forward: 'conv2d' | 'depthwiseConv2d';
    input: 'conv2dBackpropInput' | 'depthwiseBackpropInput';
    filter: 'conv2dBackpropFilter' | 'depthwiseBackpropFilter';
  };
}

const PLAIN: ConvFamily = {
  depthwise: false,
  kernels: { forward: tf.Conv2D, fused: tf.FusedConv2D, input: tf.Conv2DBackpropInput, filter: tf.Conv2DBackpropFilter },
  addon: { forward: 'conv2d', input: 'conv2dBackpropInput', filter: 'conv2dBackpropFilter' },
};

const DEPTHWISE: ConvFamily = {
  depthwise: true,
  kernels: {
    forward: tf.DepthwiseConv2dNative, fused: tf.FusedDepthwiseConv2D,
    input: tf.DepthwiseConv2dNativeBackpropInput, filter: tf.DepthwiseConv2dNativeBackpropFilter,
  },
  addon: { forward: 'depthwiseConv2d', input: 'depthwiseBackpropInput', filter: 'depthwiseBackpropFilter' },
};

/** The addon's activation code for a fused-kernel activation, or undefined when it needs the cpu path (prelu). */
export function activationCode(activation: unknown): number | undefined {
  const name = activation === undefined || activation === null ? 'linear' : String(activation);
  return name in ACTIVATION_CODES ? ACTIVATION_CODES[name as keyof typeof ACTIVATION_CODES] : undefined;
}

function isChannelsLast(dataFormat: unknown): boolean {
  return dataFormat === undefined || dataFormat === 'NHWC' || dataFormat === 'channelsLast';
}

/** Bias of a fused kernel as one value per output channel, or null for none; undefined when not per-channel. */
export function channelBias(backend: MathBackendCPU, bias: tf.TensorInfo | undefined, channels: number): Float32Array | null | undefined {
  if (bias === undefined) return null;
  const values = floatValues(backend, bias);
  if (values === undefined || tf.util.sizeFromShape(bias.shape) !== channels || bias.shape.length > 1) return undefined;
  return values;
}

function convInfo(family: ConvFamily, xShape: Shape4, filterShape: Shape4, attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, family.depthwise, 'channelsLast');
}

function forward(addon: NativeAddon, family: ConvFamily, args: Args, fused: boolean): tf.TensorInfo | tf.TensorInfo[] {
  const kernelName = fused ? family.kernels.fused : family.kernels.forward;
  const backend = args.backend as MathBackendCPU;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as ConvAttrs;
  const act = fused ? activationCode(attrs.activation) : 0;
  if (x === undefined || filter === undefined || act === undefined || preluActivationWeights !== undefined ||
      !isChannelsLast(attrs.dataFormat)) return cpuFallback(kernelName, args);
  const filterShape = filter.shape as Shape4;
  const info = convInfo(family, x.shape as Shape4, filterShape, attrs);
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  const bv = fused ? channelBias(backend, bias, info.outChannels) : null;
  if (xv === undefined || wv === undefined || bv === undefined || !nonEmpty(info)) return cpuFallback(kernelName, args);
  const y = outputArray(backend, tf.util.sizeFromShape(info.outShape));
  // The geometry's filter channels: output channels of a plain conv, the channel multiplier of a depthwise one.
  addon[family.addon.forward](xv, wv, bv, y, convGeometry(info, filterShape[3]), act, attrs.leakyreluAlpha ?? 0.2);
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

/** The input gradient (from dy and the filter) or the filter gradient (from x and dy). */
function gradient(addon: NativeAddon, family: ConvFamily, args: Args, toInput: boolean): tf.TensorInfo | tf.TensorInfo[] {
  const kernelName = toInput ? family.kernels.input : family.kernels.filter;
  const backend = args.backend as MathBackendCPU;
  const { x, dy, filter } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as ConvAttrs;
  const xShape = toInput ? attrs.inputShape : x.shape as Shape4;
  const filterShape = toInput ? filter.shape as Shape4 : attrs.filterShape;
  if (xShape === undefined || filterShape === undefined || !isChannelsLast(attrs.dataFormat)) return cpuFallback(kernelName, args);
  const info = convInfo(family, xShape, filterShape, attrs);
  const av = floatValues(backend, toInput ? dy : x), bv = floatValues(backend, toInput ? filter : dy);
  if (av === undefined || bv === undefined || !nonEmpty(info)) return cpuFallback(kernelName, args);
  const shape = toInput ? info.inShape : filterShape;
  // The input gradient is activation-sized (recycled); the filter gradient is small and accumulated by the addon.
  const out = toInput ? outputArray(backend, tf.util.sizeFromShape(shape)) : new Float32Array(tf.util.sizeFromShape(shape));
  addon[toInput ? family.addon.input : family.addon.filter](av, bv, out, convGeometry(info, filterShape[3]));
  return backend.makeTensorInfo(shape, 'float32', out);
}

function familyKernels(addon: NativeAddon, family: ConvFamily): tf.KernelConfig[] {
  const { kernels } = family;
  return [
    { kernelName: kernels.forward, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, family, a, false) },
    { kernelName: kernels.fused, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, family, a, true) },
    { kernelName: kernels.input, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => gradient(addon, family, a, true) },
    { kernelName: kernels.filter, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => gradient(addon, family, a, false) },
  ];
}

export function convKernels(addon: NativeAddon): tf.KernelConfig[] {
  return familyKernels(addon, PLAIN);
}

export function depthwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  return familyKernels(addon, DEPTHWISE);
}
