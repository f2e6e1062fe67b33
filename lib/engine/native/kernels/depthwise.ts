/** Depthwise Conv2D forward (plain and fused) and both gradients, NHWC, any channel multiplier, on the native addon. */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from '../addon';
import { convGeometry, cpuFallback, floatValues, nonEmpty, NATIVE_BACKEND_NAME } from '../kernel-util';
import { activationCode, channelBias } from './conv';

type Args = Parameters<tf.KernelFunc>[0];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];
interface DepthwiseAttrs {
  strides: number | [number, number]; pad: Pad; dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat?: string; activation?: string; leakyreluAlpha?: number;
  inputShape?: Shape4; filterShape?: Shape4;
}

function depthwiseInfo(xShape: Shape4, filterShape: Shape4, attrs: DepthwiseAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, true, 'channelsLast');
}

function forward(addon: NativeAddon, args: Args, kernelName: string, fused: boolean): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  const act = fused ? activationCode(attrs.activation) : 0;
  if (x === undefined || filter === undefined || act === undefined || preluActivationWeights !== undefined ||
      (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')) return cpuFallback(kernelName, args);
  const info = depthwiseInfo(x.shape as Shape4, filter.shape as Shape4, attrs);
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  const bv = fused ? channelBias(backend, bias, info.outChannels) : null;
  if (xv === undefined || wv === undefined || bv === undefined || !nonEmpty(info)) return cpuFallback(kernelName, args);
  const y = new Float32Array(tf.util.sizeFromShape(info.outShape));
  addon.depthwiseConv2d(xv, wv, bv, y, convGeometry(info, filter.shape[3]), act, attrs.leakyreluAlpha ?? 0.2);
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

function backpropInput(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { dy, filter } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
  const info = depthwiseInfo(attrs.inputShape, filter.shape as Shape4, attrs);
  const dyv = floatValues(backend, dy), wv = floatValues(backend, filter);
  if (dyv === undefined || wv === undefined || !nonEmpty(info)) return cpuFallback(tf.DepthwiseConv2dNativeBackpropInput, args);
  const dx = new Float32Array(tf.util.sizeFromShape(info.inShape));
  addon.depthwiseBackpropInput(dyv, wv, dx, convGeometry(info, filter.shape[3]));
  return backend.makeTensorInfo(info.inShape, 'float32', dx);
}

function backpropFilter(addon: NativeAddon, args: Args): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as MathBackendCPU;
  const { x, dy } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
  const info = depthwiseInfo(x.shape as Shape4, attrs.filterShape, attrs);
  const xv = floatValues(backend, x), dyv = floatValues(backend, dy);
  if (xv === undefined || dyv === undefined || !nonEmpty(info)) return cpuFallback(tf.DepthwiseConv2dNativeBackpropFilter, args);
  const dw = new Float32Array(tf.util.sizeFromShape(attrs.filterShape));
  addon.depthwiseBackpropFilter(xv, dyv, dw, convGeometry(info, attrs.filterShape[3]));
  return backend.makeTensorInfo(attrs.filterShape, 'float32', dw);
}

export function depthwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    { kernelName: tf.DepthwiseConv2dNative, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, a, tf.DepthwiseConv2dNative, false) },
    { kernelName: tf.FusedDepthwiseConv2D, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => forward(addon, a, tf.FusedDepthwiseConv2D, true) },
    { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => backpropInput(addon, a) },
    { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: NATIVE_BACKEND_NAME, kernelFunc: (a) => backpropFilter(addon, a) },
  ];
}
