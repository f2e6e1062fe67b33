import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';

import { nativeBatchNormTraining } from '../../../lib/engine/native';
import { assertSameAsCpu, requireNative, seeded } from './helpers';

const pairs: [number[], number[]][] = [
  [[4, 5, 6, 7], [4, 5, 6, 7]], [[4, 5, 6, 7], [7]], [[7], [4, 5, 6, 7]], [[1, 1, 1, 7], [4, 5, 6, 7]],
  [[4, 5, 6, 7], []], [[3, 1, 5], [1, 4, 1]], [[2, 3, 1, 1], [2, 1, 4, 5]], [[6, 1], [6, 9]],
];

describe('engine/native: element-wise, reductions and data movement against cpu', () => {
  before(requireNative);
  after(() => tf.setBackend('cpu'));

  for (const [sa, sb] of pairs) {
    it(`binary ops with broadcasting [${sa}] and [${sb}]`, async () => {
      const a = seeded(tf.util.sizeFromShape(sa), 41), b = seeded(tf.util.sizeFromShape(sb), 42).map((v) => v + 2);
      await assertSameAsCpu(() => {
        const x = tf.tensor(a, sa), y = tf.tensor(b, sb);
        return [tf.add(x, y), tf.sub(x, y), tf.mul(x, y), tf.div(x, y), tf.maximum(x, y), tf.minimum(x, y), tf.squaredDifference(x, y)];
      }, 1e-6, `[${sa}] [${sb}]`);
    });
  }

  it('unary ops', async () => {
    const v = seeded(1000, 43).map((x) => x * 4);
    await assertSameAsCpu(() => {
      const x = tf.tensor(v, [10, 100]), p = tf.abs(x).add(0.1);
      return [tf.relu(x), tf.step(x, 0.3), tf.square(x), tf.sqrt(p), tf.exp(x), tf.log(p), tf.neg(x), tf.abs(x), tf.rsqrt(p),
        tf.reciprocal(p), tf.sigmoid(x), tf.tanh(x), tf.leakyRelu(x, 0.1), tf.elu(x), tf.relu6(x), tf.erf(x)];
    }, 1e-6);
  });

  const reductions: [number[], number | number[] | null][] = [
    [[4, 6, 5, 7], [0, 1, 2]], [[4, 6, 5, 7], 3], [[4, 6, 5, 7], [1, 2]], [[4, 6, 5, 7], null], [[4, 6, 5, 7], [0, 2]], [[3, 1, 4], [1, 2]],
  ];
  for (const [shape, axis] of reductions) {
    it(`sum, mean, max, min over ${JSON.stringify(axis)} of [${shape}], keepDims both ways`, async () => {
      const v = seeded(tf.util.sizeFromShape(shape), 44);
      await assertSameAsCpu(() => {
        const x = tf.tensor(v, shape);
        const ax = axis ?? undefined;
        return [tf.sum(x, ax), tf.mean(x, ax, true), tf.max(x, ax), tf.min(x, ax, true)];
      }, 1e-6, `axis ${JSON.stringify(axis)}`);
    });
  }

  it('slice, split, tile, transpose, concat', async () => {
    const v = seeded(3 * 4 * 5 * 6, 45);
    await assertSameAsCpu(() => {
      const x = tf.tensor4d(v, [3, 4, 5, 6]);
      return [tf.slice(x, [1, 0, 2, 1], [2, 3, 2, 4]), ...tf.split(x, [2, 4], 3), ...tf.split(x, 2, 1), tf.tile(x, [2, 1, 3, 1]),
        tf.tile(tf.tensor1d([1, 2, 3]), [4]), tf.transpose(x, [3, 1, 0, 2]), tf.transpose(x, [0, 2, 1, 3]), tf.concat([x, x], 3)];
    }, 0);
  });

  it('batch norm with per-channel and scalar statistics, with and without offset/scale', async () => {
    const v = seeded(2 * 3 * 4 * 5, 46);
    await assertSameAsCpu(() => {
      const x = tf.tensor4d(v, [2, 3, 4, 5]);
      const mean = tf.tensor1d(seeded(5, 47)), variance = tf.tensor1d(seeded(5, 48).map((s) => s + 1.5));
      const offset = tf.tensor1d(seeded(5, 49)), scale = tf.tensor1d(seeded(5, 50));
      return [tf.batchNorm(x, mean, variance, offset, scale, 1e-3), tf.batchNorm(x, mean, variance),
        tf.batchNorm(x, tf.scalar(0.2), tf.scalar(2), undefined, tf.scalar(0.7), 1e-5), tf.batchNorm(tf.tensor2d(v, [24, 5]), mean, variance, offset)];
    }, 1e-6);
  });

  // The native backend replaces these gradients (lib/engine/native/gradients.ts); cpu runs tfjs's own.
  it('gradients of batch norm with batch statistics, relu and mean match the cpu backend', async () => {
    const v = seeded(3 * 4 * 5 * 6, 53);
    await assertSameAsCpu(() => {
      const x = tf.tensor4d(v, [3, 4, 5, 6]);
      const gamma = tf.tensor1d(seeded(6, 54).map((s) => s + 1.2)), beta = tf.tensor1d(seeded(6, 55));
      const r = tf.tensor4d(seeded(v.length, 56), [3, 4, 5, 6]);
      const loss = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.sum(tf.mul(tf.relu(tf.batchNorm(xx as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3)), r));
      };
      const means = (xx: tf.Tensor): tf.Scalar => tf.add(tf.sum(tf.mul(tf.mean(xx, [1, 2], true), 3)), tf.sum(tf.mean(xx, 3)));
      // (tfjs cannot take gradients of a batch norm without scale on any backend: not tested.)
      return [...tf.grads(loss)([x, gamma, beta]), tf.grad(means)(x)];
    }, 1e-5);
  });

  it('nativeBatchNormTraining matches tf.moments + tf.batchNorm (values, statistics and gradients)', async () => {
    const v = seeded(2 * 5 * 3 * 7, 57).map((s) => 3 + 2 * s);
    await assertSameAsCpu(() => {
      const x = tf.tensor4d(v, [2, 5, 3, 7]);
      const gamma = tf.tensor1d(seeded(7, 58).map((s) => s + 1.1)), beta = tf.tensor1d(seeded(7, 59));
      const r = tf.tensor4d(seeded(v.length, 60), [2, 5, 3, 7]);
      // On cpu nativeBatchNormTraining declines (undefined) and the reference composition runs instead.
      const norm = (xx: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } => {
        const fast = nativeBatchNormTraining(xx, g, b, 1e-5);
        assert.equal(fast !== undefined, tf.getBackend() === 'native');
        if (fast) return fast;
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return { y: tf.batchNorm(xx as tf.Tensor4D, mean, variance, b, g, 1e-5), mean, variance };
      };
      const { y, mean, variance } = norm(x, gamma, beta);
      const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.relu(norm(xx, g as tf.Tensor1D, b as tf.Tensor1D).y), r)))([x, gamma, beta]);
      return [y, mean, variance, ...grads];
    }, 1e-5);
  });

  it('softmax over the last axis and its gradient (large, small and -inf logits)', async () => {
    const v = seeded(6 * 7 * 33, 61).map((s, i) => (i % 11 === 0 ? -Infinity : i % 5 === 0 ? 80 * s : 4 * s));
    await assertSameAsCpu(() => {
      const x = tf.tensor3d(v, [6, 7, 33]);
      const r = tf.tensor3d(seeded(v.length, 62), [6, 7, 33]);
      return [tf.softmax(x), tf.softmax(tf.tensor2d(seeded(40, 63), [5, 8])),
        tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.softmax(xx), r)))(tf.tensor3d(seeded(v.length, 64).map((s) => 6 * s), [6, 7, 33]))];
    }, 1e-6);
  });

  it('matMul broadcasting batch dimensions on both sides equals the explicitly tiled product', async () => {
    // The cpu kernel computes only max(batchA, batchB) products here, so the reference is the tiled form.
    await tf.setBackend('native');
    const x = tf.tensor4d(seeded(16, 65), [2, 1, 4, 2]), w = tf.tensor4d(seeded(54, 66), [1, 3, 2, 9]);
    const fast = tf.matMul(x, w), tiled = tf.matMul(tf.tile(x, [1, 3, 1, 1]), tf.tile(w, [2, 1, 1, 1]));
    assert.deepEqual(fast.shape, [2, 3, 4, 9]);
    assert.deepEqual(Array.from(fast.dataSync()), Array.from(tiled.dataSync()));
    tf.dispose([x, w, fast, tiled]);
  });
});
