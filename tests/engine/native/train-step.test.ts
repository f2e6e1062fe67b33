import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';

import { relError, requireNative, seeded } from './helpers';
import { referenceUnet, trainStep } from './unet';

/** Three SGD steps of a small reference U-Net from given weights; returns the losses, final weights, tensor counts. */
async function train(backend: string, weights: Float32Array[] | undefined): Promise<{ losses: number[]; weights: Float32Array[]; counts: number[]; initial: Float32Array[] }> {
  await tf.setBackend(backend);
  const model = referenceUnet(16, 4);
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const initial = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  // SGD, not Adam: Adam rescales the near-zero gradients (rounding noise) to full-size steps, which would turn
  // 1e-7 differences between the backends into visible ones.
  const optimizer = tf.train.sgd(0.1);
  const x = tf.tensor4d(seeded(2 * 16 * 16, 51), [2, 16, 16, 1]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor3d(seeded(2 * 16 * 16, 52).map((v) => (v > 0 ? 1 : 0)), [2, 16, 16], 'int32'), 2).toFloat() as tf.Tensor4D);
  const losses: number[] = [], counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    losses.push(trainStep(model, optimizer, x, labels));
    counts.push(tf.memory().numTensors);
  }
  const final = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return { losses, weights: final, counts, initial };
}

describe('engine/native: a training step of the reference U-Net', () => {
  before(requireNative);
  after(() => tf.setBackend('cpu'));

  it('matches the cpu backend step for step and leaks no tensors', async () => {
    const native = await train('native', undefined);
    const cpu = await train('cpu', native.initial);
    assert.equal(native.counts[1], native.counts[0], `tensor count grew: ${native.counts}`);
    assert.equal(native.counts[2], native.counts[1], `tensor count grew: ${native.counts}`);
    assert.ok(native.losses[2] < native.losses[0], `loss did not fall: ${native.losses}`);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(native.losses[i] - cpu.losses[i]) < 1e-4, `step ${i}: ${native.losses[i]} vs ${cpu.losses[i]}`);
    for (let i = 0; i < cpu.weights.length; i++) assert.ok(relError(native.weights[i], cpu.weights[i]) < 1e-3, `weight ${i} differs`);
  });
});
