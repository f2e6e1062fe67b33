import * as tf from '@tensorflow/tfjs-core';

import { assertSameAsCpu, requireNative, seeded } from './helpers';

type Pad = 'same' | 'valid';
interface Case { n: number; h: number; w: number; c: number; k: number; mult: number; s: number; pad: Pad }

const cases: Case[] = [
  { n: 1, h: 7, w: 6, c: 3, k: 3, mult: 1, s: 1, pad: 'same' },
  { n: 2, h: 8, w: 9, c: 5, k: 3, mult: 2, s: 2, pad: 'same' },
  { n: 3, h: 9, w: 7, c: 17, k: 3, mult: 1, s: 2, pad: 'valid' },
  { n: 1, h: 6, w: 6, c: 4, k: 1, mult: 3, s: 1, pad: 'valid' },
  { n: 4, h: 8, w: 8, c: 9, k: 2, mult: 1, s: 2, pad: 'valid' },
];

function label(c: Case): string {
  return `n${c.n} ${c.h}x${c.w}x${c.c} k${c.k} mult${c.mult} s${c.s} ${c.pad}`;
}

describe('engine/native: depthwise conv and max pool against cpu', () => {
  before(requireNative);
  after(() => tf.setBackend('cpu'));

  for (const c of cases) {
    it(`depthwise forward, fused, dx and dw: ${label(c)}`, async () => {
      const xs = seeded(c.n * c.h * c.w * c.c, 21), ws = seeded(c.k * c.k * c.c * c.mult, 22), bs = seeded(c.c * c.mult, 23);
      await assertSameAsCpu(() => {
        const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.c]);
        const w = tf.tensor4d(ws, [c.k, c.k, c.c, c.mult]);
        const y = tf.depthwiseConv2d(x, w, c.s, c.pad);
        const fused = tf.fused.depthwiseConv2d({ x, filter: w, strides: c.s, pad: c.pad, bias: tf.tensor1d(bs), activation: 'relu' });
        const r = tf.tensor(seeded(y.size, 24), y.shape);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.s, c.pad), r)))([x, w]);
        return [y, fused, dx, dw];
      }, 1e-5, label(c));
    });
  }

  for (const [k, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    it(`maxPool ${k}x${k} stride ${s} ${pad}: forward and gradient, ties included`, async () => {
      // Rounded values make ties, where the gradient must go to the same (first) maximum as on cpu; a wrong choice
      // is an error of order 1, while overlapping windows only sum in another order (1e-7).
      const xs = seeded(2 * 9 * 8 * 5, 31).map((v) => Math.round(v * 3));
      await assertSameAsCpu(() => {
        const x = tf.tensor4d(xs, [2, 9, 8, 5]);
        const y = tf.maxPool(x, k, s, pad);
        const r = tf.tensor(seeded(y.size, 32), y.shape);
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, k, s, pad), r)))(x);
        return [y, dx];
      }, 1e-6, `maxPool k${k} s${s} ${pad}`);
    });
  }
});
