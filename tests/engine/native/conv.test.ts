import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';

import { assertSameAsCpu, requireNative, runOn, seeded } from './helpers';

type Pad = 'same' | 'valid';
interface Case { n: number; h: number; w: number; c: number; k: number; co: number; s: number; pad: Pad; d?: number }

// The shapes the models use: kernels 1/2/3, strides 1/2, same/valid, batch 1..4, channels not multiples of 8.
const cases: Case[] = [
  { n: 1, h: 7, w: 6, c: 3, k: 3, co: 5, s: 1, pad: 'same' },
  { n: 2, h: 8, w: 9, c: 5, k: 3, co: 7, s: 2, pad: 'same' },
  { n: 3, h: 9, w: 7, c: 4, k: 3, co: 6, s: 2, pad: 'valid' },
  { n: 2, h: 6, w: 6, c: 17, k: 1, co: 3, s: 1, pad: 'valid' },
  { n: 1, h: 8, w: 8, c: 6, k: 2, co: 9, s: 2, pad: 'valid' },
  { n: 4, h: 5, w: 5, c: 2, k: 2, co: 33, s: 1, pad: 'same' },
  { n: 1, h: 10, w: 9, c: 20, k: 3, co: 40, s: 1, pad: 'valid' },
  { n: 2, h: 9, w: 9, c: 3, k: 3, co: 4, s: 1, pad: 'same', d: 2 },
  { n: 1, h: 6, w: 5, c: 1, k: 1, co: 2, s: 2, pad: 'same' },
];

function label(c: Case): string {
  return `n${c.n} ${c.h}x${c.w}x${c.c} k${c.k} co${c.co} s${c.s} ${c.pad}${c.d ? ` d${c.d}` : ''}`;
}

describe('engine/native: conv2d and transposed conv against cpu', () => {
  before(requireNative);
  after(() => tf.setBackend('cpu'));

  for (const c of cases) {
    // tfjs has no gradients for dilated convs: those cases check the forward pass only.
    it(`forward, fused bias+relu${c.d ? '' : ', dx and dw'}: ${label(c)}`, async () => {
      const xs = seeded(c.n * c.h * c.w * c.c, 1), ws = seeded(c.k * c.k * c.c * c.co, 2), bs = seeded(c.co, 3);
      await assertSameAsCpu(() => {
        const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.c]);
        const w = tf.tensor4d(ws, [c.k, c.k, c.c, c.co]);
        const b = tf.tensor1d(bs);
        const y = tf.conv2d(x, w, c.s, c.pad, 'NHWC', c.d ?? 1);
        const fused = tf.fused.conv2d({ x, filter: w, strides: c.s, pad: c.pad, dilations: c.d ?? 1, bias: b, activation: 'relu' });
        if (c.d) return [y, fused];
        const r = tf.tensor(seeded(y.size, 4), y.shape);
        const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d ?? 1), r)))([x, w]);
        return [y, fused, dx, dw];
      }, 1e-5, label(c));
    });
  }

  for (const c of cases.filter((k) => k.d === undefined)) {
    it(`conv2dTranspose forward and gradients: ${label(c)}`, async () => {
      // Transposed conv of y-shaped input back to x's shape, as the decoder's up-convolutions do.
      const oh = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.ceil((c.h - c.k + 1) / c.s);
      const ow = c.pad === 'same' ? Math.ceil(c.w / c.s) : Math.ceil((c.w - c.k + 1) / c.s);
      const ys = seeded(c.n * oh * ow * c.co, 5), ws = seeded(c.k * c.k * c.c * c.co, 6);
      await assertSameAsCpu(() => {
        const y = tf.tensor4d(ys, [c.n, oh, ow, c.co]);
        const w = tf.tensor4d(ws, [c.k, c.k, c.c, c.co]);
        const out = tf.conv2dTranspose(y, w, [c.n, c.h, c.w, c.c], c.s, c.pad);
        const r = tf.tensor(seeded(out.size, 7), out.shape);
        const [dy, dw] = tf.grads((yy: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2dTranspose(yy as tf.Tensor4D, ww as tf.Tensor4D, [c.n, c.h, c.w, c.c], c.s, c.pad), r)))([y, w]);
        return [out, dy, dw];
      }, 1e-5, label(c));
    });
  }

  // The loss sum(conv(x, w) * r) is linear in w and in x, so a unit step changes it by exactly the gradient.
  for (const c of cases.filter((k) => k.d === undefined)) {
    it(`exact finite differences of a linear loss: ${label(c)}`, async () => {
      const xs = seeded(c.n * c.h * c.w * c.c, 11), ws = seeded(c.k * c.k * c.c * c.co, 12);
      const loss = async (xv: Float32Array, wv: Float32Array): Promise<number> => {
        const [y] = await runOn('native', () => tf.conv2d(tf.tensor4d(xv, [c.n, c.h, c.w, c.c]),
          tf.tensor4d(wv, [c.k, c.k, c.c, c.co]), c.s, c.pad, 'NHWC', c.d ?? 1));
        const r = seeded(y.length, 13);
        let sum = 0;
        for (let i = 0; i < y.length; i++) sum += y[i] * r[i];
        return sum;
      };
      const [dx, dw] = await runOn('native', () => {
        const x = tf.tensor4d(xs, [c.n, c.h, c.w, c.c]), w = tf.tensor4d(ws, [c.k, c.k, c.c, c.co]);
        const y = tf.conv2d(x, w, c.s, c.pad, 'NHWC', c.d ?? 1);
        const r = tf.tensor(seeded(y.size, 13), y.shape);
        return tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.s, c.pad, 'NHWC'), r)))([x, w]);
      });
      const base = await loss(xs, ws);
      for (const [values, grad, which] of [[ws, dw, 'w'], [xs, dx, 'x']] as const) {
        for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
          const moved = Float32Array.from(values);
          moved[i] += 1;
          const fd = which === 'w' ? (await loss(xs, moved)) - base : (await loss(moved, ws)) - base;
          assert.ok(Math.abs(fd - grad[i]) <= 1e-4 * (1 + Math.abs(fd)), `${which}[${i}]: fd ${fd} vs grad ${grad[i]}`);
        }
      }
    });
  }
});
