import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { isOwnGradient } from '../../lib/engine/gradients';

const FIXED = ['Maximum', 'Minimum', 'SquaredDifference', 'BatchMatMul', 'FusedBatchNorm'];

describe('engine: gradient fixes survive another copy of tfjs', () => {
  it('re-registers its fixes when stock gradients were registered over them', async () => {
    await initEngine({ backend: 'cpu' });
    for (const name of FIXED) assert.ok(isOwnGradient(name), `${name} fixed after initEngine`);
    // danfojs-node requires @tensorflow/tfjs-node, which the npm override maps to another copy of @tensorflow/tfjs:
    // loading it after initEngine registers gradients that are not the engine's over the fixes. Simulated here.
    for (const name of FIXED) tf.registerGradient({ ...tf.getGradient(name)!, kernelName: name });
    for (const name of FIXED) assert.ok(!isOwnGradient(name));
    await initEngine({ backend: 'cpu' });
    for (const name of FIXED) assert.ok(isOwnGradient(name), `${name} fixed again after a second initEngine`);
    // The fix itself: the gradient of a broadcast maximum reduces back to the smaller input's shape.
    const g = tf.tidy(() => tf.grad((b: tf.Tensor) => tf.sum(tf.maximum(tf.ones([3, 5]), b)))(tf.zeros([5])));
    assert.deepEqual(g.shape, [5]);
    g.dispose();
  });
});
