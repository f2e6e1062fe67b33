import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '../../lib/engine/backend';
import { stockKernel } from '../../lib/engine/kernels/install';
import { Rng } from '../../lib/util/rng';

/**
 * Exact gradient checks of the kernels egfr-gtv registers. The loss sum(R * op(x, w)) is linear in x and in w, so its
 * value at a one-hot x = e_i IS dL/dx_i (and likewise for w): no step size, no truncation error, only float rounding.
 * A few random indices per case; every stride/padding/kernel size the models use.
 */
type Op = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor;
interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  op: Op;
}

const cases: Case[] = [];
for (const k of [1, 2, 3]) {
  for (const s of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      cases.push({ name: `conv2d k${k} s${s} ${pad}`, x: [2, 7, 7, 3], w: [k, k, 3, 4], op: (x, w) => tf.conv2d(x, w, s, pad) });
    }
  }
}
cases.push(
  { name: 'conv2d k3 s2 same even', x: [2, 8, 8, 3], w: [3, 3, 3, 4], op: (x, w) => tf.conv2d(x, w, 2, 'same') },
  {
    name: 'conv2dTranspose 2x2 s2',
    x: [2, 4, 4, 4],
    w: [2, 2, 3, 4],
    op: (x, w) => tf.conv2dTranspose(x, w, [2, 8, 8, 3], 2, 'same'),
  },
  {
    name: 'conv2dTranspose 3x3 s2 same',
    x: [2, 4, 4, 4],
    w: [3, 3, 3, 4],
    op: (x, w) => tf.conv2dTranspose(x, w, [2, 8, 8, 3], 2, 'same'),
  },
  {
    name: 'conv2dTranspose 3x3 s1 valid',
    x: [1, 4, 4, 4],
    w: [3, 3, 2, 4],
    op: (x, w) => tf.conv2dTranspose(x, w, [1, 6, 6, 2], 1, 'valid'),
  },
);
// Resizes are linear in the image, so the same exact check applies (the stock cpu nearest-neighbour gradient failed it
// for batches).
cases.push(
  {
    name: 'resizeNearestNeighbor x2',
    x: [2, 4, 4, 3],
    w: [1, 1, 1, 3],
    op: (x, w) => tf.mul(tf.image.resizeNearestNeighbor(x, [8, 8]), w),
  },
  {
    name: 'resizeBilinear x2',
    x: [2, 4, 4, 3],
    w: [1, 1, 1, 3],
    op: (x, w) => tf.mul(tf.image.resizeBilinear(x, [8, 8]), w),
  },
);
for (const s of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    for (const m of [1, 2]) {
      cases.push({
        name: `depthwise k3 s${s} ${pad} x${m}`,
        x: [2, 7, 7, 3],
        w: [3, 3, 3, m],
        op: (x, w) => tf.depthwiseConv2d(x, w, s, pad),
      });
    }
  }
}

function lossAt(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.mul(c.op(x, w), r)).dataSync()[0]);
}

function oneHot(shape: number[], i: number): tf.Tensor4D {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  v[i] = 1;
  return tf.tensor4d(v, shape as [number, number, number, number]);
}

function randomTensor(rng: Rng, shape: number[]): tf.Tensor4D {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-1, 1));
  return tf.tensor4d(v, shape as [number, number, number, number]);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b));
}

/** Analytic gradients of sum(R * op(x, w)) on the current backend, as plain arrays. */
function analytic(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(c.op(a as tf.Tensor4D, b as tf.Tensor4D), r)))([
      x,
      w,
    ]);
    return [gx.dataSync() as Float32Array, gw.dataSync() as Float32Array];
  });
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`engine/kernels: exact gradient checks on ${backend}`, () => {
    before(async () => {
      await initEngine({ backend });
    });
    after(async () => {
      await initEngine();
    });

    for (const c of cases) {
      it(c.name, () => {
        const rng = new Rng(`grad-${c.name}`);
        const before = tf.memory().numTensors;
        const x = randomTensor(rng, c.x);
        const w = randomTensor(rng, c.w);
        const outShape = tf.tidy(() => c.op(x, w).shape);
        const r = randomTensor(rng, outShape);
        const [gx, gw] = analytic(c, x, w, r);
        const bad: string[] = [];
        for (let t = 0; t < 5; t++) {
          const i = rng.int(0, gx.length - 1);
          const e = oneHot(c.x, i);
          const want = lossAt(c, e, w, r);
          if (!close(gx[i], want)) bad.push(`dx[${i}] ${gx[i]} vs exact ${want}`);
          e.dispose();
          const j = rng.int(0, gw.length - 1);
          const f = oneHot(c.w, j);
          const wantW = lossAt(c, x, f, r);
          if (!close(gw[j], wantW)) bad.push(`dw[${j}] ${gw[j]} vs exact ${wantW}`);
          f.dispose();
        }
        tf.dispose([x, w, r]);
        assert.deepEqual(bad, []);
        assert.equal(tf.memory().numTensors, before, 'no leaked tensors');
      });
    }
  });
}

describe('engine/kernels: wasm against the cpu backend (stock kernels, all elements)', () => {
  after(async () => {
    await initEngine();
  });

  it('gives the same full gradients for every case', async () => {
    const bad: string[] = [];
    for (const c of cases) {
      const rng = new Rng(`cmp-${c.name}`);
      const xs = new Float32Array(c.x.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-1, 1));
      const ws = new Float32Array(c.w.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-1, 1));
      const grads: Float32Array[][] = [];
      for (const b of ['wasm', 'cpu'] as BackendName[]) {
        await initEngine({ backend: b });
        const x = tf.tensor4d(xs, c.x);
        const w = tf.tensor4d(ws, c.w);
        const r = tf.tidy(() => randomTensor(new Rng(c.name), c.op(x, w).shape));
        grads.push(analytic(c, x, w, r));
        tf.dispose([x, w, r]);
      }
      for (const k of [0, 1]) {
        const i = grads[0][k].findIndex((v, idx) => !close(v, grads[1][k][idx]));
        if (i >= 0) bad.push(`${c.name} ${k ? 'dw' : 'dx'}[${i}] ${grads[0][k][i]} vs cpu ${grads[1][k][i]}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('matches the stock cpu Conv2DBackpropFilter that it replaces', async () => {
    await initEngine({ backend: 'cpu' });
    const stock = stockKernel('Conv2DBackpropFilter', 'cpu');
    assert.ok(stock);
    const rng = new Rng('stock-filter');
    for (const [k, s, pad] of [
      [3, 1, 'same'],
      [3, 2, 'valid'],
      [2, 2, 'valid'],
    ] as [number, number, 'same' | 'valid'][]) {
      const x = randomTensor(rng, [2, 7, 7, 3]);
      const dy = tf.tidy(() => randomTensor(rng, tf.conv2d(x, tf.zeros([k, k, 3, 4]) as tf.Tensor4D, s, pad).shape));
      const attrs = { strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, 3, 4] };
      const ours = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      const info = stock.kernelFunc({ inputs: { x, dy }, attrs, backend: tf.backend() }) as tf.TensorInfo;
      const ref = tf.engine().makeTensorFromTensorInfo(info);
      const a = ours.dataSync();
      const b = ref.dataSync();
      assert.ok(
        a.every((v, i) => close(v, b[i])),
        `k${k} s${s} ${pad}`,
      );
      tf.dispose([x, dy, ours, ref]);
    }
  });
});

/**
 * Max-pool is piecewise linear: with distinct inputs spaced 0.1 apart, a step of 0.01 never changes a window's
 * maximum, so the change of each pooled value is exact in float32; dotted with R in float64 it is dL/dx_i.
 */
describe('engine/kernels: max-pool gradient against finite differences', () => {
  after(async () => {
    await initEngine();
  });
  const pools: [string, number, number, 'same' | 'valid'][] = [
    ['2x2 s2 valid', 2, 2, 'valid'],
    ['3x3 s1 same', 3, 1, 'same'],
    ['3x3 s2 same', 3, 2, 'same'],
  ];
  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    for (const [name, k, s, pad] of pools) {
      it(`${name} on ${backend}`, async () => {
        await initEngine({ backend });
        const rng = new Rng(`pool-${name}`);
        const shape: [number, number, number, number] = [2, 6, 6, 3];
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: n }, (_, i) => i * 0.1 - n * 0.05);
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(0, i);
          [values[i], values[j]] = [values[j], values[i]];
        }
        const x = tf.tensor4d(values, shape);
        const pool = (t: tf.Tensor4D) => tf.maxPool(t, k, s, pad);
        const outShape = tf.tidy(() => pool(x).shape);
        const r = randomTensor(rng, outShape);
        const rv = r.dataSync();
        const gx = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D), r)))(x).dataSync());
        const base = tf.tidy(() => pool(x).dataSync());
        const bad: string[] = [];
        for (let t = 0; t < 12; t++) {
          const i = rng.int(0, n - 1);
          const bumped = values.slice();
          bumped[i] += 0.01;
          const moved = tf.tidy(() => pool(tf.tensor4d(bumped, shape)).dataSync());
          let want = 0;
          for (let j = 0; j < moved.length; j++) want += ((moved[j] - base[j]) / 0.01) * rv[j];
          if (!close(gx[i], want)) bad.push(`dx[${i}] ${gx[i]} vs ${want}`);
        }
        tf.dispose([x, r]);
        assert.deepEqual(bad, []);
      });
    }
  }
});
