/**
 * Loads the compiled Node-API addon (native/build/Release/egfr_native.node, built by `npm run build:native`).
 * Every function works in place on Float32Arrays the caller owns and throws a RangeError when an array is too short
 * for the sizes given, so a wrong shape can never write out of bounds.
 */
import * as path from 'node:path';

/** Activation codes understood by the fused kernels. */
export const ACTIVATION_CODES = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5 } as const;
export type NativeActivation = keyof typeof ACTIVATION_CODES;

/**
 * Convolution and pooling geometry, 15 int32 values:
 * [n, h, w, c, kh, kw, co, oh, ow, strideH, strideW, dilationH, dilationW, padTop, padLeft].
 * For depthwise kernels co is the channel multiplier; for pooling co is unused (1).
 */
export type Geometry = Int32Array;

export interface NativeAddon {
  info(): { isa: 'avx512' | 'avx2' | 'generic'; threads: number };
  conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: Geometry, act: number, alpha: number): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, g: Geometry): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: Geometry): void;
  depthwiseConv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: Geometry, act: number, alpha: number): void;
  depthwiseBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, g: Geometry): void;
  depthwiseBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: Geometry): void;
  maxPool(x: Float32Array, y: Float32Array, g: Geometry): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: Geometry): void;
  /** dims = [batchA, batchB, m, n, k, transposeA, transposeB]; bias has n elements. */
  matMul(a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, dims: Int32Array, act: number, alpha: number): void;
  /** op: see BINARY_OPS; shapes broadcast NumPy-style to outShape. */
  binary(op: number, a: Float32Array, aShape: Int32Array, b: Float32Array, bShape: Int32Array, out: Float32Array, outShape: Int32Array): void;
  /** op: see UNARY_OPS; alpha is the Step/LeakyRelu parameter. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** op: see REDUCE_OPS; false (nothing written) when the reduced axes need the generic path. */
  reduce(op: number, x: Float32Array, shape: Int32Array, reduced: Int32Array, out: Float32Array): boolean;
  slice(x: Float32Array, shape: Int32Array, begin: Int32Array, size: Int32Array, out: Float32Array): void;
  tile(x: Float32Array, shape: Int32Array, reps: Int32Array, out: Float32Array): void;
  transpose(x: Float32Array, shape: Int32Array, perm: Int32Array, out: Float32Array): void;
  /** Over the last axis (`channels` values); each statistic has 1 or `channels` values. */
  batchNorm(x: Float32Array, channels: number, mean: Float32Array, variance: Float32Array, offset: Float32Array | null,
    scale: Float32Array | null, eps: number, y: Float32Array): void;
  /** Per-channel s1 = sum(dy), s2 = sum(dy * (x - mean)) over all rows of channels-last x. */
  batchNormGradStats(x: Float32Array, dy: Float32Array, channels: number, mean: Float32Array, s1: Float32Array, s2: Float32Array): void;
  /** Per-channel batch mean and biased variance of channels-last x. */
  channelMoments(x: Float32Array, channels: number, mean: Float32Array, variance: Float32Array): void;
  /** out = a * u + b * v + d, with a, b, d per channel. */
  channelAffine2(u: Float32Array, v: Float32Array, channels: number, a: Float32Array, b: Float32Array, d: Float32Array, out: Float32Array): void;
  /** Softmax over rows of `cols` values. */
  softmax(x: Float32Array, cols: number, y: Float32Array): void;
  /** dx = y * (dy - sum(dy * y)) per row of `cols` values, from the softmax output y. */
  softmaxGrad(dy: Float32Array, y: Float32Array, cols: number, dx: Float32Array): void;
  /** Input i is [outer, widths[i]]; out is [outer, sum(widths)]. */
  concat(inputs: Float32Array[], widths: Int32Array, outer: number, out: Float32Array): void;
}

/** Operation codes of the addon's element-wise kernels (native/src/elementwise.h). */
export const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 } as const;
/** binary(RELU_GRAD_OP, dy, x): dy where x > 0, else 0. */
export const RELU_GRAD_OP = 7;
export const UNARY_OPS = {
  Relu: 0, Step: 1, Square: 2, Sqrt: 3, Exp: 4, Log: 5, Neg: 6, Abs: 7, Rsqrt: 8, Reciprocal: 9, Sigmoid: 10,
  Tanh: 11, LeakyRelu: 12, Elu: 13, Relu6: 14, Erf: 15,
} as const;
export const REDUCE_OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;

/** Where the build puts the addon, relative to this file (lib/engine/native). */
export const ADDON_PATH = path.resolve(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'egfr_native.node');

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

let loaded: AddonLoad | undefined;

/** Loads an addon binary; a missing or unloadable file is reported with its path, not thrown. */
export function loadAddonFrom(file: string): AddonLoad {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ok: true, addon: require(file) as NativeAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, reason: `${file}: ${message} (build it with \`npm run build:native\`)` };
  }
}

/** Loads the project's addon once (see loadAddonFrom). */
export function loadAddon(): AddonLoad {
  loaded ??= loadAddonFrom(ADDON_PATH);
  return loaded;
}
