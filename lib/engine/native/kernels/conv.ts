/** Conv2D forward (plain and fused with bias + activation) and both gradients, NHWC, on the native addon. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { ACTIVATION_CODES, type NativeAddon } from '../addon';
import { convGeometry, cpuFallback, floatValues, nonEmpty, NATIVE_BACKEND_NAME } from '../kernel-util';

type Args = Parameters<tf.KernelFunc>[0];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

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

function forward(addon: NativeAddon, args: Args, kernelName: string, fused: boolean): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as {
    strides: number | [number, number]; pad: Pad;
    dataFormat?: string; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil';
    activation?: string; leakyreluAlpha?: number;
  };
  const act = fused ? activationCode(attrs.activation) : 0;
  if (x === undefined || filter === undefined || act === undefined || preluActivationWeights !== undefined ||
      !isChannelsLast(attrs.dataFormat)) return cpuFallback(kernelName, args);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, false, 'channelsLast');
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  const bv = fused ? channelBias(backend, bias, info.outChannels) : null;
  if (xv === undefined || wv === undefined || bv === undefined || !nonEmpty(info)) return cpuFallback(kernelName, args);
  const y = new Float32Array(tf.util.sizeFromShape(info.outShape));
  addon.conv2d(xv, wv, bv, y, convGeometry(info, info.outChannels), act, attrs.leakyreluAlpha ?? 0.2);
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

function backpropInput(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { dy, filter } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as {
    inputShape: [number, number, number, number]; strides: number | [number, number];
    pad: Pad; dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (!isChannelsLast(attrs.dataFormat)) return cpuFallback(tf.Conv2DBackpropInput, args);
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const dyv = floatValues(backend, dy), wv = floatValues(backend, filter);
  if (dyv === undefined || wv === undefined || !nonEmpty(info)) return cpuFallback(tf.Conv2DBackpropInput, args);
  const dx = new Float32Array(tf.util.sizeFromShape(info.inShape));
  addon.conv2dBackpropInput(dyv, wv, dx, convGeometry(info, info.outChannels));
  return backend.makeTensorInfo(info.inShape, 'float32', dx);
}

function backpropFilter(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, dy } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as {
    filterShape: [number, number, number, number]; strides: number | [number, number];
    pad: Pad; dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (!isChannelsLast(attrs.dataFormat)) return cpuFallback(tf.Conv2DBackpropFilter, args);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const xv = floatValues(backend, x), dyv = floatValues(backend, dy);
  if (xv === undefined || dyv === undefined || !nonEmpty(info)) return cpuFallback(tf.Conv2DBackpropFilter, args);
  const dw = new Float32Array(tf.util.sizeFromShape(attrs.filterShape));
  addon.conv2dBackpropFilter(xv, dyv, dw, convGeometry(info, info.outChannels));
  return backend.makeTensorInfo(attrs.filterShape, 'float32', dw);
}

export function convKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.Conv2D, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, a, tf.Conv2D, false) },
    { kernelName: tf.FusedConv2D, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, a, tf.FusedConv2D, true) },
    { kernelName: tf.Conv2DBackpropInput, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => backpropInput(addon, a) },
    { kernelName: tf.Conv2DBackpropFilter, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => backpropFilter(addon, a) },
  ];
}
