import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { BackendName, initEngine } from '../../lib/engine/backend';
import { baselineConfig, baselineNames } from '../../lib/model/baselines';
import { buildModel } from '../../lib/model/multitask';
import { disposeOutput } from '../../lib/model/multitask';
import { createTrainStep } from '../../lib/train/step';
import { createWeighting } from '../../lib/weighting/create';
import { disposeBatch, tinyConfig } from './tiny';

/** Inference outputs and one training step of every baseline on one backend, as plain arrays. */
async function runAll(backend: BackendName): Promise<Record<string, { seg: Float32Array | null; cls: Float32Array | null; loss: number }>> {
  await initEngine({ backend });
  const results: Record<string, { seg: Float32Array | null; cls: Float32Array | null; loss: number }> = {};
  const batch = tf.tidy(() => {
    // Same inputs on every backend: a fixed pattern, not the backend's random generator.
    const values = Float32Array.from({ length: 4 * 16 * 16 }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.11));
    const image = tf.tensor4d(values, [4, 16, 16, 1]);
    const mask = tf.cast(tf.greater(image, 0.8), 'float32') as tf.Tensor4D;
    return { image, mask, label: tf.tensor1d([0, 1, 0, 1], 'int32') };
  });
  for (const name of baselineNames()) {
    const model = buildModel(baselineConfig(name, tinyConfig(16, { seed: 3 })));
    const out = model.predict(batch.image);
    const seg = out.seg ? (out.seg.dataSync() as Float32Array).slice() : null;
    const cls = out.cls ? (out.cls.dataSync() as Float32Array).slice() : null;
    disposeOutput(out);
    const weighting = createWeighting({ kind: 'uncertainty' }, model.tasks);
    const optimizer = tf.train.adam(1e-3);
    const { total } = createTrainStep(model, weighting, optimizer)(batch);
    results[name] = { seg, cls, loss: total };
    optimizer.dispose();
    weighting.dispose();
    model.dispose();
  }
  disposeBatch(batch);
  return results;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('models on every backend', () => {
  after(async () => {
    await initEngine();
  });

  it('every baseline predicts and trains on cpu and wasm with the same results', async () => {
    const cpu = await runAll('cpu');
    const wasm = await runAll('wasm');
    for (const name of baselineNames()) {
      const a = cpu[name];
      const b = wasm[name];
      assert.ok(Number.isFinite(a.loss) && Number.isFinite(b.loss), name);
      if (a.seg && b.seg) assert.ok(maxDiff(a.seg, b.seg) < 1e-3, `${name}: segmentation differs by ${maxDiff(a.seg, b.seg)}`);
      if (a.cls && b.cls) assert.ok(maxDiff(a.cls, b.cls) < 1e-3, `${name}: classification differs by ${maxDiff(a.cls, b.cls)}`);
      assert.ok(Math.abs(a.loss - b.loss) < 1e-3 * Math.max(1, Math.abs(a.loss)), `${name}: loss ${a.loss} vs ${b.loss}`);
    }
  });
});
