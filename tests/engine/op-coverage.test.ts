import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../../lib/errors';
import { initEngine, type BackendName } from '../../lib/engine/backend';
import { Rng } from '../../lib/util/rng';

/**
 * Every op (and its gradient) that the models need, trained on wasm and compared with the cpu backend. A failure
 * lists each op that throws or disagrees, so a new gap shows up by name.
 */
type Op = (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;
const t4 = (t: tf.Tensor) => t as tf.Tensor4D;
const ops: Record<string, [number[], number[], Op]> = {
  'conv2d 3x3 same': [[2, 8, 8, 3], [3, 3, 3, 4], (x, w) => tf.conv2d(t4(x), t4(w), 1, 'same')],
  'conv2dTranspose 2x2 s2': [[2, 4, 4, 4], [2, 2, 3, 4], (x, w) => tf.conv2dTranspose(t4(x), t4(w), [2, 8, 8, 3], 2, 'same')],
  'depthwise 3x3 s2': [[2, 8, 8, 3], [3, 3, 3, 1], (x, w) => tf.depthwiseConv2d(t4(x), t4(w), 2, 'same')],
  'fused conv2d + bias + relu': [
    [2, 6, 6, 3],
    [3, 3, 3, 4],
    (x, w) => tf.fused.conv2d({ x: t4(x), filter: t4(w), strides: 1, pad: 'same', bias: tf.ones([4]), activation: 'relu' }),
  ],
  'maxPool 2x2': [[2, 8, 8, 3], [3], (x, w) => tf.mul(tf.maxPool(t4(x), 2, 2, 'valid'), w)],
  'maxPool 2x2 after relu (ties)': [[2, 8, 8, 3], [3], (x, w) => tf.mul(tf.maxPool(t4(tf.relu(x)), 2, 2, 'valid'), w)],
  'avgPool 2x2': [[2, 8, 8, 3], [3], (x, w) => tf.mul(tf.avgPool(t4(x), 2, 2, 'valid'), w)],
  'batchNorm (moments)': [
    [2, 4, 4, 3],
    [3],
    (x, w) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, tf.add(w, 1), w, 1e-5);
    },
  ],
  'batchNorm rank 3 (layer norm over tokens)': [
    [2, 5, 4],
    [4],
    (x, w) => {
      const m = tf.moments(x, [-1], true);
      const g = tf.reshape(w, [1, 1, 4]);
      return tf.batchNorm(x, m.mean, m.variance, g, g, 1e-5);
    },
  ],
  'layer norm by hand': [
    [2, 5, 4],
    [4],
    (x, w) => {
      const m = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), w), w);
    },
  ],
  'matMul': [[3, 4], [4, 5], (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D)],
  'matMul transposeA/B': [[4, 3], [5, 4], (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D, true, true)],
  'batchMatMul transposeB': [[2, 3, 4], [2, 5, 4], (x, w) => tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D, false, true)],
  // Small inner dimension, wide output: the wasm kernel splits the batch into 2D products.
  'batchMatMul per entry': [[3, 8, 2], [3, 2, 9], (x, w) => tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D)],
  'batchMatMul per entry, transposeA/B': [[3, 2, 8], [3, 9, 2], (x, w) => tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D, true, true)],
  'batchMatMul broadcast batch of 1': [[2, 3, 4, 2], [1, 2, 9], (x, w) => tf.matMul(x, w)],
  'batchMatMul broadcast both': [[2, 1, 4, 2], [1, 3, 2, 9], (x, w) => tf.matMul(x, w, false, false)],
  'fused matMul transposeB + bias + relu': [
    [4, 3],
    [5, 3],
    (x, w) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, transposeB: true, bias: tf.ones([5]), activation: 'relu' }),
  ],
  'fused matMul transposeA, batched': [
    [2, 3, 4],
    [2, 3, 5],
    (x, w) => tf.fused.matMul({ a: x as tf.Tensor3D, b: w as tf.Tensor3D, transposeA: true, activation: 'elu' }),
  ],
  'attention (softmax(Q K^T) V)': [
    [2, 6, 4],
    [2, 6, 4],
    (q, k) => tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), 2)), tf.add(k, q)),
  ],
  'softmax': [[3, 5], [5], (x, w) => tf.softmax(tf.mul(x, w))],
  'logSoftmax': [[3, 5], [5], (x, w) => tf.logSoftmax(tf.mul(x, w))],
  'gelu (erf)': [[3, 5], [5], (x, w) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(tf.mul(x, w), Math.SQRT1_2))))],
  'gelu (tanh)': [
    [3, 5],
    [5],
    (x, w) => {
      const u = tf.mul(x, w);
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(u, tf.mul(0.044715, tf.pow(u, 3))));
      return tf.mul(tf.mul(u, 0.5), tf.add(1, tf.tanh(inner)));
    },
  ],
  'concat (skip)': [[2, 4, 4, 3], [2, 4, 4, 2], (x, w) => tf.concat([x, w], 3)],
  'concat axis 1, three parts, long rows': [[2, 300, 3], [2, 100, 3], (x, w) => tf.concat([w, x, w], 1)],
  'split uneven sizes, last and middle axis': [
    [2, 6, 5],
    [5],
    (x, w) => {
      const [a, b] = tf.split(tf.mul(x, w), [2, 3], 2);
      const [c, d, e] = tf.split(x, [1, 3, 2], 1);
      return tf.add(tf.concat([b, a], 2), tf.concat([d, e, c], 1));
    },
  ],
  'resizeBilinear x2': [[2, 4, 4, 3], [3], (x, w) => tf.mul(tf.image.resizeBilinear(t4(x), [8, 8]), w)],
  'resizeBilinear x2 alignCorners': [[2, 4, 4, 3], [3], (x, w) => tf.mul(tf.image.resizeBilinear(t4(x), [8, 8], true), w)],
  'resizeNearestNeighbor x2': [[2, 4, 4, 3], [3], (x, w) => tf.mul(tf.image.resizeNearestNeighbor(t4(x), [8, 8]), w)],
  'mean + sum': [[2, 4, 4, 3], [3], (x, w) => tf.add(tf.mean(tf.mul(x, w), [1, 2]), tf.sum(x, [1, 2]))],
  'max reduce': [[3, 5], [5], (x, w) => tf.max(tf.mul(x, w), 1)],
  'relu / relu6 / leaky / elu / selu': [
    [3, 5],
    [5],
    (x, w) => {
      const u = tf.mul(x, w);
      return tf.addN([tf.relu(u), tf.relu6(tf.mul(u, 8)), tf.leakyRelu(u, 0.1), tf.elu(u), tf.selu(u)]);
    },
  ],
  'sigmoid / tanh / softplus': [[3, 5], [5], (x, w) => tf.addN([tf.sigmoid(tf.mul(x, w)), tf.tanh(x), tf.softplus(x)])],
  'exp / log / log1p / sqrt / rsqrt / pow': [
    [3, 5],
    [5],
    (x, w) =>
      [
        tf.log(tf.add(tf.square(x), 1)),
        tf.log1p(tf.abs(w)),
        tf.sqrt(tf.add(tf.square(x), 1)),
        tf.rsqrt(tf.add(tf.square(w), 1)),
        tf.pow(tf.add(tf.square(x), 1), 1.5),
      ].reduce((a, b) => tf.add(a, b), tf.exp(tf.mul(x, w))),
  ],
  'clipByValue': [[3, 5], [5], (x, w) => tf.clipByValue(tf.mul(x, w), -0.5, 0.5)],
  'maximum / minimum broadcast': [[3, 5], [5], (x, w) => tf.add(tf.maximum(x, w), tf.minimum(x, w))],
  'squaredDifference broadcast': [[3, 5], [5], (x, w) => tf.squaredDifference(x, w)],
  'transpose / slice / pad / tile / reshape': [
    [2, 3, 4],
    [4],
    (x, w) =>
      tf.tile(tf.pad(tf.slice(tf.transpose(tf.mul(x, w), [0, 2, 1]), [0, 1, 0], [2, 2, 3]), [[0, 0], [1, 1], [0, 0]]), [1, 2, 1]),
  ],
  'gather (embedding)': [[5, 4], [4], (x, w) => tf.gather(tf.mul(x, w), tf.tensor1d([0, 2, 2, 4], 'int32'))],
  // The condition must not depend on the inputs: tfjs has no gradient for comparisons, as TensorFlow has none.
  'where / select': [[3, 5], [5], (x, w) => tf.where(tf.tensor1d([1, 0, 1, 1, 0], 'bool'), tf.mul(x, w), tf.square(x))],
  'stack / unstack / split': [
    [2, 3, 4],
    [4],
    (x, w) => tf.add(tf.stack(tf.unstack(tf.mul(x, w), 1), 1), tf.concat(tf.split(x, 2, 2).reverse(), 2)),
  ],
  'oneHot cross-entropy': [
    [4, 3],
    [3],
    (x, w) => tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3), tf.logSoftmax(tf.mul(x, w))))),
  ],
};

function gradsOn(name: string, xs: number[], ws: number[], op: Op): Float32Array[] {
  const rng = new Rng(name);
  const rand = (shape: number[]) =>
    tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-1, 1)), shape);
  return tf.tidy(() => {
    const x = rand(xs);
    const w = rand(ws);
    const r = rand(op(x, w).shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), r)))([x, w]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

describe('engine: ops the models train with, wasm against cpu', () => {
  after(async () => {
    await initEngine();
  });

  it('lists no op whose gradient fails or disagrees', async () => {
    const failures: string[] = [];
    for (const [name, [xs, ws, op]] of Object.entries(ops)) {
      const res: Partial<Record<BackendName, Float32Array[]>> = {};
      for (const b of ['cpu', 'wasm'] as BackendName[]) {
        await initEngine({ backend: b });
        try {
          res[b] = gradsOn(name, xs, ws, op);
        } catch (err) {
          failures.push(`${name} on ${b}: ${(err as Error).message.slice(0, 120)}`);
        }
      }
      if (!res.cpu || !res.wasm) continue;
      for (const k of [0, 1]) {
        const a = res.wasm[k];
        const c = res.cpu[k];
        const i = a.findIndex((v, idx) => !(Math.abs(v - c[idx]) <= 1e-4 * (1 + Math.abs(c[idx]))));
        if (i >= 0) failures.push(`${name}: d${k ? 'w' : 'x'}[${i}] wasm ${a[i]} vs cpu ${c[i]}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('concatenates and splits int32 and bool tensors like the cpu backend', async () => {
    const results: string[] = [];
    for (const b of ['cpu', 'wasm'] as BackendName[]) {
      await initEngine({ backend: b });
      results.push(
        tf.tidy(() => {
          const i = tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4]);
          const m = tf.greater(i, 10);
          const parts = tf.split(i, [1, 3], 2).map((t) => Array.from(t.dataSync()));
          return JSON.stringify([
            Array.from(tf.concat([i, i], 2).dataSync()),
            Array.from(tf.concat([m, m], 1).dataSync()),
            parts,
            tf.concat([i, tf.zeros([2, 3, 0], 'int32')], 2).shape,
          ]);
        }),
      );
    }
    assert.equal(results[1], results[0]);
  });

  it('reduces over leading, trailing and mixed axes like the cpu backend (sum, mean; float and int)', async () => {
    const results: number[][][] = [];
    for (const b of ['cpu', 'wasm'] as BackendName[]) {
      await initEngine({ backend: b });
      results.push(
        tf.tidy(() => {
          const x = tf.reshape(tf.sin(tf.range(0, 120)), [2, 3, 4, 5]);
          const i = tf.reshape(tf.range(0, 120, 1, 'int32'), [2, 3, 4, 5]);
          const out: number[][] = [];
          for (const axes of [[0], [0, 1], [0, 1, 2], [1, 2], [3], [0, 3]]) {
            for (const keep of [false, true]) {
              for (const t of [tf.sum(x, axes, keep), tf.mean(x, axes, keep), tf.sum(i, axes, keep)]) {
                out.push(t.shape, Array.from(t.dataSync()));
              }
            }
          }
          return out;
        }),
      );
    }
    const [cpu, wasm] = results;
    assert.equal(wasm.length, cpu.length);
    cpu.forEach((want, k) => {
      assert.equal(wasm[k].length, want.length, `result ${k}`);
      want.forEach((v, j) => assert.ok(Math.abs(wasm[k][j] - v) <= 1e-5 * (1 + Math.abs(v)), `result ${k}[${j}]`));
    });
  });

  it('broadcast Maximum/Minimum/SquaredDifference/BatchMatMul and batchNorm gradients equal their tiled/hand-written forms', async () => {
    await initEngine({ backend: 'wasm' });
    const check = (name: string, op: Op, ref: Op, xs: number[], ws: number[]) => {
      const a = gradsOn(name, xs, ws, op);
      const b = gradsOn(name, xs, ws, ref);
      for (const k of [0, 1]) {
        assert.ok(
          a[k].every((v, i) => Math.abs(v - b[k][i]) <= 1e-4 * (1 + Math.abs(b[k][i]))),
          `${name} d${k ? 'w' : 'x'}`,
        );
      }
    };
    const tiled = (w: tf.Tensor) => tf.tile(tf.reshape(w, [1, 5]), [3, 1]);
    check('maximum', (x, w) => tf.maximum(x, w), (x, w) => tf.maximum(x, tiled(w)), [3, 5], [5]);
    check('minimum', (x, w) => tf.minimum(w, x), (x, w) => tf.minimum(tiled(w), x), [3, 5], [5]);
    check('sqdiff', (x, w) => tf.squaredDifference(w, x), (x, w) => tf.square(tf.sub(tiled(w), x)), [3, 5], [5]);
    check(
      'batchMatMul',
      (x, w) => tf.matMul(x, w, false, true),
      (x, w) => tf.matMul(x, tf.tile(tf.reshape(w, [1, 1, 9, 2]), [2, 3, 1, 1]), false, true),
      [2, 3, 4, 2],
      [1, 9, 2],
    );
    const bnRef: Op = (x, w) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-3))), tf.add(w, 1)), w);
    };
    const bn: Op = (x, w) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, w, tf.add(w, 1), 1e-3);
    };
    check('batchNorm', bn, bnRef, [2, 3, 3, 4], [4]);
  });

  it('refuses Conv3D training on wasm with a BackendError, but runs its forward pass', async () => {
    await initEngine({ backend: 'wasm' });
    const x = tf.ones([1, 4, 4, 4, 2]) as tf.Tensor5D;
    const w = tf.ones([3, 3, 3, 2, 2]) as tf.Tensor5D;
    const y = tf.conv3d(x, w, 1, 'same');
    assert.deepEqual(y.shape, [1, 4, 4, 4, 2]);
    assert.throws(
      () => tf.grads((a: tf.Tensor) => tf.sum(tf.conv3d(a as tf.Tensor5D, w, 1, 'same')))([x]),
      (e: Error) => e instanceof BackendError && /Conv3D/.test(e.message),
    );
    assert.throws(
      () => tf.grad((b: tf.Tensor) => tf.sum(tf.conv3d(x, b as tf.Tensor5D, 2, 'same')))(w),
      (e: Error) => e instanceof BackendError && /stride 2x2x2/.test(e.message),
    );
    tf.dispose([x, w, y]);
  });
});
