import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { ConfigError } from '../../lib/errors';
import { ConvBlock } from '../../lib/model/blocks/conv-block';
import { CsaModule } from '../../lib/model/blocks/csa';
import { TransformerBlock } from '../../lib/model/blocks/transformer-block';
import { Norm2D, UpConv2x2 } from '../../lib/model/layers';
import { AttentionRecord } from '../../lib/model/module';
import { matMul } from '../../lib/model/ops';
import { maxAbsDiff } from './tiny';

const infer = { training: false };

describe('model blocks', () => {
  let start = 0;
  before(async () => {
    await initEngine();
    start = tf.memory().numTensors;
  });

  after(() => assert.equal(tf.memory().numTensors, start, 'the block tests leave tensors behind'));

  it('ConvBlock: shapes, parameter count (residual projection only when channels change), shape contract', () => {
    const block = new ConvBlock('b', 1, { inChannels: 3, outChannels: 8 });
    const same = new ConvBlock('s', 1, { inChannels: 8, outChannels: 8 });
    const plain = new ConvBlock('p', 1, { inChannels: 3, outChannels: 8, residual: false });
    // conv 3x3 x2 (no bias) + 2 BN (gamma, beta) + 1x1 projection (no bias)
    assert.equal(block.paramCount(), 9 * 3 * 8 + 9 * 8 * 8 + 4 * 8 + 3 * 8);
    assert.equal(same.paramCount(), 2 * 9 * 8 * 8 + 4 * 8);
    assert.equal(plain.paramCount(), 9 * 3 * 8 + 9 * 8 * 8 + 4 * 8);
    assert.equal(block.paramCount(true), block.paramCount() + 4 * 8, 'moving statistics are non-trainable');
    const x = tf.randomNormal([2, 12, 10, 3]) as tf.Tensor4D;
    const y = block.apply(x, { training: true });
    assert.deepEqual(y.shape, [2, 12, 10, 8]);
    assert.throws(() => same.apply(x, infer), (e: Error) => e instanceof ConfigError && /expects 8 input channels, got 3/.test(e.message));
    tf.dispose([x, y]);
    [block, same, plain].forEach((b) => b.dispose());
  });

  it('CSA: output shape equals input, attention [B, heads, HW, keys] with rows summing to 1', () => {
    for (const [h, w, r, heads] of [[8, 8, 1, 1], [16, 12, 2, 2], [12, 12, 4, 4]]) {
      const csa = new CsaModule('csa', 3, { channels: 8, heads, reduction: r });
      const x = tf.randomNormal([2, h, w, 8]) as tf.Tensor4D;
      const attention: AttentionRecord[] = [];
      const y = csa.apply(x, { training: false, attention });
      assert.deepEqual(y.shape, [2, h, w, 8]);
      assert.equal(attention.length, 1);
      const keys = Math.ceil(h / r) * Math.ceil(w / r);
      assert.deepEqual(attention[0].weights.shape, [2, heads, h * w, keys]);
      assert.deepEqual(attention[0].keyGrid, [Math.ceil(h / r), Math.ceil(w / r)]);
      const rowSums = tf.sum(attention[0].weights, 3);
      assert.ok(maxAbsDiff(rowSums, 1) < 1e-5);
      tf.dispose([x, y, rowSums, attention[0].weights]);
      csa.dispose();
    }
    assert.throws(() => new CsaModule('bad', 0, { channels: 6, heads: 4 }), /6 channels cannot be split into 4 heads/);
    // K and V share one strided depthwise conv by default; it is r x r wide when r > 3.
    const shared = new CsaModule('shared', 0, { channels: 8, reduction: 4 });
    const separate = new CsaModule('separate', 0, { channels: 8, reduction: 4, kvDepthwise: 'separate' });
    assert.equal(separate.paramCount() - shared.paramCount(), 4 * 4 * 8);
    shared.dispose();
    separate.dispose();
  });

  it('TransformerBlock keeps [B, T, D] and rejects other widths', () => {
    const block = new TransformerBlock('t', 0, { dim: 16, heads: 4 });
    const x = tf.randomNormal([3, 5, 16]) as tf.Tensor3D;
    const attention: AttentionRecord[] = [];
    const y = block.apply(x, { training: true, attention });
    assert.deepEqual(y.shape, [3, 5, 16]);
    assert.deepEqual(attention[0].weights.shape, [3, 4, 5, 5]);
    const bad = tf.zeros([3, 5, 8]) as tf.Tensor3D;
    assert.throws(() => block.apply(bad, infer), ConfigError);
    tf.dispose([x, y, bad, attention[0].weights]);
    block.dispose();
  });

  it('UpConv2x2 equals tfjs conv2dTranspose with the same 2x2/stride-2 kernel', () => {
    const up = new UpConv2x2('up', 5, 3, 4);
    const x = tf.randomNormal([2, 3, 5, 3]) as tf.Tensor4D;
    const ours = up.apply(x);
    // Our kernel is [in, (row, column, out)]; conv2dTranspose wants [row, column, out, in].
    const [kernel, bias] = up.variables();
    const reference = tf.tidy(() => {
      const filter = tf.transpose(tf.reshape(kernel, [3, 2, 2, 4]), [1, 2, 3, 0]) as tf.Tensor4D;
      return tf.add(tf.conv2dTranspose(x, filter, [2, 6, 10, 4], 2, 'same'), bias);
    });
    assert.deepEqual(ours.shape, [2, 6, 10, 4]);
    assert.ok(maxAbsDiff(ours, reference) < 1e-5);
    tf.dispose([x, ours, reference]);
    up.dispose();
  });

  it('batch norm normalises with batch statistics in training and uses moving statistics at inference', () => {
    const norm = new Norm2D('bn', 0, 'batch', 3);
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([4, 6, 6, 3]), 3), 5)) as tf.Tensor4D;
    const y = norm.apply(x, { training: true });
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    assert.ok(maxAbsDiff(mean, 0) < 1e-4);
    assert.ok(maxAbsDiff(variance, 1) < 1e-3);
    const [, , movingMean] = norm.variables();
    const expectedMean = tf.tidy(() => tf.mul(tf.mean(x, [0, 1, 2]), 0.1));
    // One update from (0, 1) with momentum 0.9.
    assert.ok(maxAbsDiff(movingMean, expectedMean) < 1e-4);
    const frozen = new Norm2D('bn2', 0, 'batch', 3);
    const z = frozen.apply(x, { training: true, updateStatistics: false });
    assert.ok(maxAbsDiff(frozen.variables()[2], 0) === 0, 'updateStatistics false leaves them');
    const atInference = frozen.apply(x, infer);
    assert.ok(maxAbsDiff(atInference, x) < 1e-3, 'fresh moving statistics (0, 1) are the identity');
    tf.tidy(() => {
      const [gamma, beta, , movingVar] = norm.variables();
      gamma.assign(tf.tensor1d([2, -1, 0.5]));
      beta.assign(tf.tensor1d([0.25, 1, -3]));
      const expected = tf.add(tf.mul(tf.div(tf.sub(x, movingMean), tf.sqrt(tf.add(movingVar, Norm2D.epsilon))), gamma), beta);
      assert.ok(maxAbsDiff(norm.apply(x, infer), expected) < 1e-4, 'inference: (x - moving mean) / sqrt(moving var + eps) * gamma + beta');
    });
    for (const kind of ['group', 'instance', 'layer', 'none'] as const) {
      const n = new Norm2D(kind, 0, kind, 4, 2);
      const v = tf.randomNormal([2, 4, 4, 4]) as tf.Tensor4D;
      const out = n.apply(v, infer);
      assert.deepEqual(out.shape, v.shape);
      tf.dispose([v, out]);
      n.dispose();
    }
    tf.dispose([x, y, mean, variance, expectedMean, z, atInference]);
    norm.dispose();
    frozen.dispose();
  });

  it('matMul with explicit transposes has the same gradients as tfjs matMul', () => {
    const a = tf.randomNormal([2, 3, 4]) as tf.Tensor3D;
    const b = tf.randomNormal([2, 4, 5]) as tf.Tensor3D;
    const w = tf.randomNormal([2, 3, 5]);
    const f = (m: typeof matMul) => (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(m(x as tf.Tensor3D, y as tf.Tensor3D), w)));
    const ours = tf.grads(f(matMul))([a, b]);
    const theirs = tf.grads(f((x, y) => tf.matMul(x, y)))([a, b]);
    assert.ok(maxAbsDiff(ours[0], theirs[0]) < 1e-5 && maxAbsDiff(ours[1], theirs[1]) < 1e-5);
    tf.dispose([a, b, w, ...ours, ...theirs]);
  });
});
