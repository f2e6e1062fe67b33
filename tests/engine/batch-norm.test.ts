import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '../../lib/engine/backend';
import { batchNormTraining } from '../../lib/engine/ops/batch-norm';
import { Rng } from '../../lib/util/rng';

function rand(rng: Rng, shape: number[], scale = 1, offset = 0): tf.Tensor {
  return tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => offset + scale * rng.normal()), shape);
}

/** The same normalisation through tf.moments and broadcasting ops, whose gradients are tfjs's own. */
function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`engine/ops/batchNormTraining on ${backend}`, () => {
    before(async () => {
      await initEngine({ backend });
    });
    after(async () => {
      await initEngine();
    });

    for (const shape of [
      [2, 5, 4, 3],
      [3, 6, 4],
    ]) {
      it(`matches the tape of the plain ops in value and all three gradients, shape ${shape.join('x')}`, () => {
        const before = tf.memory().numTensors;
        const rng = new Rng(`bn-${shape.join()}`);
        const c = shape[shape.length - 1];
        const x = rand(rng, shape, 2, 0.5);
        const g = rand(rng, [c], 0.5, 1) as tf.Tensor1D;
        const b = rand(rng, [c]) as tf.Tensor1D;
        const r = rand(rng, shape);
        const eps = 1e-3;
        const ours = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTraining(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, eps).y, r));
        const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(reference(xx, gg, bb, eps), r));
        const got = tf.tidy(() => tf.grads(ours)([x, g, b]).map((t) => t.dataSync()));
        const want = tf.tidy(() => tf.grads(ref)([x, g, b]).map((t) => t.dataSync()));
        for (let k = 0; k < 3; k++) {
          const i = got[k].findIndex((v, j) => !(Math.abs(v - want[k][j]) <= 1e-4 * (1 + Math.abs(want[k][j]))));
          assert.equal(i, -1, `gradient ${k} at ${i}: ${got[k][i]} vs ${want[k][i]}`);
        }
        tf.tidy(() => {
          const out = batchNormTraining(x, g, b, eps);
          const { mean, variance } = tf.moments(x, shape.slice(0, -1).map((_, i) => i));
          const close = (a: tf.Tensor, e: tf.Tensor) =>
            a.dataSync().every((v, j) => Math.abs(v - e.dataSync()[j]) <= 1e-4 * (1 + Math.abs(e.dataSync()[j])));
          assert.ok(close(out.y, reference(x, g, b, eps)), 'value');
          assert.ok(close(out.mean, mean) && close(out.variance, variance), 'batch statistics');
        });
        tf.dispose([x, g, b, r]);
        assert.equal(tf.memory().numTensors, before, 'no leaked tensors');
      });
    }
  });
}
