import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine';
import { ConfigError } from '../../lib/errors';
import { AdamW } from '../../lib/train/optimizer';

describe('AdamW optimizer', () => {
  before(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('follows the Adam update (tfjs AdamOptimizer) when weight decay is 0', () => {
    const ours = tf.variable(tf.tensor1d([1, -2, 3]));
    const ref = tf.variable(tf.tensor1d([1, -2, 3]));
    const opt = new AdamW({ learningRate: 0.1 }, [{ name: 'layer/kernel', variable: ours }]);
    const adam = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
    for (let i = 0; i < 5; i++) {
      const loss = (v: tf.Variable) => () => tf.sum(tf.mul(tf.square(v), tf.tensor1d([1, 2, 3]))) as tf.Scalar;
      tf.tidy(() => opt.applyGradients(tf.variableGrads(loss(ours), [ours]).grads));
      tf.tidy(() => {
        adam.minimize(loss(ref), false, [ref]);
      });
    }
    const a = ours.dataSync();
    const b = ref.dataSync();
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${v} vs ${b[i]}`));
    opt.dispose();
    adam.dispose();
    tf.dispose([ours, ref]);
  });

  it('decays only the variables the rule selects, decoupled from the gradient', () => {
    const kernel = tf.variable(tf.tensor1d([2]));
    const bias = tf.variable(tf.tensor1d([2]));
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.5 }, [
      { name: 'conv/kernel', variable: kernel },
      { name: 'conv/bias', variable: bias },
    ]);
    // A zero gradient: Adam's step is 0, so only the decay moves the kernel: 2 - 0.1 * 0.5 * 2 = 1.9.
    tf.tidy(() => opt.applyGradients({ [kernel.name]: tf.zeros([1]), [bias.name]: tf.zeros([1]) }));
    assert.ok(Math.abs(kernel.dataSync()[0] - 1.9) < 1e-6);
    assert.equal(bias.dataSync()[0], 2);
    opt.dispose();
    tf.dispose([kernel, bias]);
  });

  it('exports and imports its state exactly, and refuses unknown variables', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const opt = new AdamW({ learningRate: 0.01 }, [{ name: 'w', variable: v }]);
    tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d([0.5, -1]) }));
    const state = opt.exportState();
    const other = new AdamW({ learningRate: 0.01 }, [{ name: 'w', variable: v }]);
    other.importState(state, 'state');
    const again = other.exportState();
    assert.deepEqual(again.steps, { w: 1 });
    assert.deepEqual(again.moments['w/m'].dataSync(), state.moments['w/m'].dataSync());
    const stranger = tf.variable(tf.scalar(1));
    assert.throws(() => tf.tidy(() => opt.applyGradients({ [stranger.name]: tf.scalar(1) })), ConfigError);
    assert.throws(() => new AdamW({ learningRate: 0 }, []), ConfigError);
    tf.dispose([...Object.values(state.moments), ...Object.values(again.moments), v, stranger]);
    opt.dispose();
    other.dispose();
  });
});
