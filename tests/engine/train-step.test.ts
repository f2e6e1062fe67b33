import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '../../lib/engine/backend';
import { Rng } from '../../lib/util/rng';

/** A tiny net that touches every registered training kernel: conv, depthwise, max-pool, transposed conv, batch norm. */
function makeNet(rng: Rng) {
  const v = (shape: number[], name: string) => {
    const init = tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal() * 0.3), shape);
    const variable = tf.variable(init, true, `${name}-${rng.int(0, 1e9)}`);
    init.dispose();
    return variable;
  };
  const p = {
    c1: v([3, 3, 1, 4], 'c1'),
    gamma: v([4], 'gamma'),
    beta: v([4], 'beta'),
    dw: v([3, 3, 4, 1], 'dw'),
    up: v([2, 2, 4, 4], 'up'),
    head: v([1, 1, 5, 2], 'head'),
  };
  const forward = (x: tf.Tensor4D) => {
    const a = tf.conv2d(x, p.c1 as tf.Tensor4D, 1, 'same');
    const m = tf.moments(a, [0, 1, 2]);
    const b = tf.relu(tf.batchNorm(a, m.mean, m.variance, p.beta, p.gamma, 1e-5)) as tf.Tensor4D;
    const down = tf.depthwiseConv2d(tf.maxPool(b, 2, 2, 'valid'), p.dw as tf.Tensor4D, 1, 'same');
    const up = tf.conv2dTranspose(down, p.up as tf.Tensor4D, [x.shape[0], x.shape[1], x.shape[2], 4], 2, 'same');
    return tf.conv2d(tf.concat([up, x], 3) as tf.Tensor4D, p.head as tf.Tensor4D, 1, 'same');
  };
  return { params: Object.values(p), forward };
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`engine: a training step on ${backend}`, () => {
    before(async () => {
      await initEngine({ backend });
    });
    after(async () => {
      await initEngine();
    });

    it('leaks no tensors and lowers the loss', () => {
      const start = tf.memory().numTensors;
      const rng = new Rng('train-step');
      const net = makeNet(rng);
      const x = tf.tensor4d(new Float32Array(2 * 8 * 8).map(() => rng.normal()), [2, 8, 8, 1]);
      const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.reshape(x, [2, 8, 8]), 0), 'int32'), 2));
      const opt = tf.train.adam(0.05);
      const step = () =>
        opt.minimize(
          () => tf.losses.softmaxCrossEntropy(labels, net.forward(x)) as tf.Scalar,
          true,
          net.params as tf.Variable[],
        ) as tf.Scalar;
      const losses: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const loss = step();
        losses.push(loss.dataSync()[0]);
        loss.dispose();
        counts.push(tf.memory().numTensors);
      }
      assert.equal(counts[3], counts[1], `tensor count per step: ${counts.join(', ')}`);
      assert.ok(losses[3] < losses[0], `loss ${losses.join(' -> ')}`);
      opt.dispose();
      tf.dispose([x, labels, ...net.params]);
      assert.equal(tf.memory().numTensors, start);
    });
  });
}
