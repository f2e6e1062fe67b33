/**
 * Gradient functions for every backend.
 *
 * Loading `@tensorflow/tfjs` registers tfjs's gradients (and chained tensor methods): the CommonJS build of
 * `@tensorflow/tfjs-core` that Node loads registers none, so `tf.grads` fails with "gradient function not found"
 * until the union package is loaded. Its registries are global, so loading it once serves every import of tfjs-core.
 *
 * Then a few stock gradients are replaced:
 * - Maximum, Minimum, SquaredDifference and BatchMatMul: the stock ones do not reduce a broadcast input's gradient
 *   back to its shape, so `tf.maximum(x, floor)` with a smaller `floor`, or a matMul whose batch dimensions
 *   broadcast, throws in backprop;
 * - FusedBatchNorm (`tf.batchNorm`): the stock one tiles the [C] factor up to the full [N, H, W, C] shape (the Tile
 *   that dominated wasm profiles) and assumes rank-4 input; broadcasting does the same without the copy.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type BatchMatMulAttrs, type FusedBatchNormAttrs, type GradConfig } from '@tensorflow/tfjs-core';

/** Sums a broadcast gradient back to the shape of the input it flows to. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = backend_util.getReductionAxes(shape, g.shape);
  const s = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(s, shape);
}

const maximumGrad: GradConfig = {
  kernelName: 'Maximum',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    return {
      a: () => reduceTo(tf.mul(g, tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
      b: () => reduceTo(tf.mul(g, tf.cast(tf.less(a, b), 'float32')), b.shape),
    };
  },
};

const minimumGrad: GradConfig = {
  kernelName: 'Minimum',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    return {
      a: () => reduceTo(tf.mul(g, tf.cast(tf.lessEqual(a, b), 'float32')), a.shape),
      b: () => reduceTo(tf.mul(g, tf.cast(tf.greater(a, b), 'float32')), b.shape),
    };
  },
};

const squaredDifferenceGrad: GradConfig = {
  kernelName: 'SquaredDifference',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    return {
      a: () => reduceTo(tf.mul(g, tf.mul(2, tf.sub(a, b))), a.shape),
      b: () => reduceTo(tf.mul(g, tf.mul(2, tf.sub(b, a))), b.shape),
    };
  },
};

const batchMatMulGrad: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const g = dy as tf.Tensor;
    const [da, db] = !transposeA
      ? !transposeB
        ? [() => tf.matMul(g, b, false, true), () => tf.matMul(a, g, true, false)]
        : [() => tf.matMul(g, b, false, false), () => tf.matMul(g, a, true, false)]
      : !transposeB
        ? [() => tf.matMul(b, g, false, true), () => tf.matMul(a, g, false, false)]
        : [() => tf.matMul(b, g, true, true), () => tf.matMul(g, a, true, true)];
    return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
  },
};

const fusedBatchNormGrad: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale', 'offset'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    const [x, mean, variance, scale, offset] = saved;
    const g = dy as tf.Tensor;
    const inv = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const factor = scale == null ? inv : tf.mul(inv, scale);
    const centredDy = () => tf.mul(tf.sub(x, mean), g);
    return {
      x: () => tf.mul(g, factor),
      mean: () => reduceTo(tf.mul(tf.neg(factor), g), mean.shape),
      variance: () => reduceTo(tf.mul(tf.mul(tf.mul(tf.pow(inv, 3), -0.5), scale ?? 1), centredDy()), variance.shape),
      scale: () => reduceTo(tf.mul(inv, centredDy()), scale.shape),
      offset: () => reduceTo(g, offset.shape),
    };
  },
};

/** The stock gradient configs that `registerGradientFixes` replaced, for tests that compare against them. */
export const stockGradients = new Map<string, GradConfig>();

/** Every gradient config the engine registered (its fixes, and wrappers such as the native backend's). */
const ownGradients = new WeakSet<GradConfig>();
const refreshers: (() => void)[] = [];

/** Registers a gradient and remembers it as the engine's, so a later refresh does not replace it. */
export function registerOwnGradient(config: GradConfig): void {
  ownGradients.add(config);
  tf.registerGradient(config);
}

/** True when the gradient registered for `kernelName` is one of the engine's. */
export function isOwnGradient(kernelName: string): boolean {
  const current = tf.getGradient(kernelName);
  return current !== undefined && ownGradients.has(current);
}

/** Adds a step that `registerGradientFixes` repeats after its own (a backend's gradient wrappers). */
export function addGradientRefresher(refresh: () => void): void {
  if (!refreshers.includes(refresh)) refreshers.push(refresh);
}

/**
 * Registers the fixed gradients wherever the registered one is not the engine's, then repeats the refreshers.
 * It is not enough to do this once: loading another copy of `@tensorflow/tfjs` (danfojs-node brings one, through the
 * npm override of tfjs-node) registers the stock gradients again over the fixes, so `initEngine` calls this each time.
 */
export function registerGradientFixes(): void {
  for (const config of [maximumGrad, minimumGrad, squaredDifferenceGrad, batchMatMulGrad, fusedBatchNormGrad]) {
    if (isOwnGradient(config.kernelName)) continue;
    const stock = tf.getGradient(config.kernelName);
    if (stock) stockGradients.set(config.kernelName, stock);
    registerOwnGradient(config);
  }
  for (const refresh of refreshers) refresh();
}
