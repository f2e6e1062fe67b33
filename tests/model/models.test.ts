import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { loadModelFile } from '../../lib/engine/model-file';
import { ConfigError, ModelFileError } from '../../lib/errors';
import { baselineConfig, baselineNames } from '../../lib/model/baselines';
import { buildModel } from '../../lib/model/multitask';
import { loadModel, saveModel } from '../../lib/model/file';
import { disposeOutput } from '../../lib/model/multitask';
import { formatSummary } from '../../lib/model/summary';
import { maxAbsDiff, tinyConfig } from './tiny';

describe('models', () => {
  before(async () => {
    await initEngine();
  });

  it('gives the output shapes of every head for several input sizes, channel counts and stage counts', () => {
    const cases = [
      { h: 16, w: 16, c: 1, stages: 4 },
      { h: 32, w: 48, c: 3, stages: 4 },
      { h: 24, w: 16, c: 2, stages: 3 },
    ];
    for (const { h, w, c, stages } of cases) {
      const model = buildModel(tinyConfig(h, { input: { width: w, channels: c }, encoder: { stages }, classifier: { numClasses: 3 } }));
      const x = tf.randomNormal([2, h, w, c]) as tf.Tensor4D;
      const out = model.apply(x, { training: true });
      assert.deepEqual(out.seg!.shape, [2, h, w, 1]);
      assert.deepEqual(out.cls!.shape, [2, 3]);
      assert.equal(out.segAux.length, 0);
      disposeOutput(out);
      x.dispose();
      model.dispose();
    }
  });

  it('deep supervision adds logits at 1/2 and 1/4 resolution', () => {
    const model = buildModel(tinyConfig(32, { kind: 'seg', decoder: { deepSupervision: 2, upsample: 'bilinear' } }));
    const x = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    const out = model.predict(x);
    assert.deepEqual(out.segAux.map((t) => t.shape), [[1, 16, 16, 1], [1, 8, 8, 1]]);
    assert.equal(out.cls, null);
    disposeOutput(out);
    x.dispose();
    model.dispose();
  });

  it('rejects sizes that the stages or the classifier cannot divide, and inputs of the wrong size', () => {
    assert.throws(() => buildModel(tinyConfig(36)), (e: Error) => e instanceof ConfigError && /multiple of 8 for 4 stages/.test(e.message));
    assert.throws(() => buildModel(tinyConfig(40)), (e: Error) => e instanceof ConfigError && /must have even size/.test(e.message));
    const seg = buildModel(tinyConfig(40, { kind: 'seg' }));
    const x = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    assert.throws(() => seg.predict(x), /built for 40x40 inputs/);
    assert.throws(() => buildModel({ kind: 'unet', encoder: { csa: [true, false, false, false] } }), ConfigError);
    assert.throws(() => buildModel(tinyConfig(16, { encoder: { heads: [1, 1] } })), /heads has 2 entries for 4 stages/);
    x.dispose();
    seg.dispose();
  });

  it('prints a per-block summary whose total is the parameter count', () => {
    const model = buildModel(tinyConfig(32));
    const rows = model.summary();
    assert.equal(rows.reduce((n, r) => n + r.params, 0), model.paramCount());
    const names = rows.map((r) => r.name);
    for (const expected of ['encoder/stem', 'encoder/stage3/csa', 'decoder/level0/block', 'decoder/head', 'classifier/transformer0']) {
      assert.ok(names.includes(expected), `summary lacks ${expected}`);
    }
    assert.ok(!names.includes('encoder/stage1/csa'), 'CSA is on the two coarsest stages only by default');
    assert.deepEqual(rows.find((r) => r.name === 'encoder/stage3/block')!.output, [4, 4, 32]);
    const text = formatSummary(rows);
    assert.match(text, new RegExp(`total\\s+${model.paramCount().toLocaleString('en-US')}`));
    assert.match(model.summaryText(), /^mtl model, input 32x32x1\n/);
    model.dispose();
  });

  it('builds every baseline from the same blocks with the right heads', () => {
    for (const name of baselineNames()) {
      const model = buildModel(baselineConfig(name, tinyConfig(16)));
      const x = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
      const out = model.predict(x);
      assert.equal(out.seg !== null, model.tasks.includes('seg'), name);
      assert.equal(out.cls !== null, model.tasks.includes('cls'), name);
      const hasCsa = model.weights().some((w) => w.name.includes('/csa/'));
      assert.equal(hasCsa, !['unet', 'mtl-no-csa'].includes(name), `${name}: CSA presence`);
      disposeOutput(out);
      x.dispose();
      model.dispose();
    }
    const cnn = buildModel(baselineConfig('cls-cnn', tinyConfig(16)));
    assert.ok(!cnn.weights().some((w) => w.name.includes('transformer')));
    cnn.dispose();
    // Fusion of the pooled skip scales, for every classifier kind.
    for (const kind of ['hybrid', 'cnn', 'transformer'] as const) {
      const model = buildModel(tinyConfig(32, { kind: 'cls', classifier: { kind, fuseScales: true, numClasses: 3 } }));
      const x = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
      const out = model.apply(x, { training: true });
      assert.deepEqual(out.cls!.shape, [2, 3], kind);
      assert.equal(model.weights().filter((w) => /classifier\/fuse\d\/kernel/.test(w.name)).length, 3, kind);
      disposeOutput(out);
      x.dispose();
      model.dispose();
    }
  });

  it('rebuilds exactly from its JSON config (same architecture and initial weights)', () => {
    const a = buildModel(tinyConfig(16, { seed: 42, classifier: { fuseScales: true } }));
    const b = buildModel(JSON.parse(JSON.stringify(a.config)));
    assert.deepEqual(b.config, a.config);
    const wa = a.weights();
    const wb = b.weights();
    assert.deepEqual(wb.map((w) => w.name), wa.map((w) => w.name));
    wa.forEach((w, i) => assert.equal(maxAbsDiff(w.variable, wb[i].variable), 0, w.name));
    const c = buildModel(tinyConfig(16, { seed: 43 }));
    assert.ok(maxAbsDiff(c.weights()[0].variable, wa[0].variable) > 0, 'another seed gives other weights');
    [a, b, c].forEach((m) => m.dispose());
  });

  it('returns the attention map of every CSA module and Transformer block, rows summing to 1, without leaks', () => {
    const model = buildModel(tinyConfig(32));
    const x = tf.randomNormal([2, 32, 32, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const maps = model.attentionMaps(x);
    assert.deepEqual(maps.map((m) => m.name), ['encoder/stage2/csa', 'encoder/stage3/csa', 'classifier/transformer0']);
    // Stage 2 of a 32x32 input is 8x8 with reduction 4: 64 queries over 4 keys; stage 3 is 4x4 with reduction 2.
    assert.deepEqual(maps[0].weights.shape, [2, 2, 64, 4]);
    assert.deepEqual(maps[1].weights.shape, [2, 4, 16, 4]);
    for (const m of maps) {
      const error = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.sum(m.weights, 3), 1))).dataSync()[0]);
      assert.ok(error < 1e-5, m.name);
    }
    tf.dispose(maps.map((m) => m.weights));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });

  it('draws dropout masks from options.dropoutSeed alone: same seed, same masks in any model instance and order', () => {
    const config = tinyConfig(16, { classifier: { dropout: 0.5, attentionDropout: 0.5 } });
    const [a, b] = [buildModel(config), buildModel(config)];
    const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const logits = (model: typeof a, dropoutSeed?: number) =>
      tf.tidy(() => {
        const out = model.apply(x, { training: true, updateStatistics: false, dropoutSeed });
        const cls = tf.keep(out.cls!);
        disposeOutput({ ...out, cls: null });
        return cls;
      });
    const first = logits(a, 5);
    const other = logits(a, 6);
    const again = logits(a, 5);
    const fresh = logits(b, 5);
    assert.equal(maxAbsDiff(again, first), 0);
    assert.equal(maxAbsDiff(fresh, first), 0);
    assert.ok(maxAbsDiff(other, first) > 0, 'another seed gives other masks');
    // Without a seed each module's own stream moves on from pass to pass.
    const [s1, s2] = [logits(a), logits(a)];
    assert.ok(maxAbsDiff(s1, s2) > 0);
    tf.dispose([first, other, again, fresh, s1, s2, x]);
    a.dispose();
    b.dispose();
  });

  it('has no tensor leak in building, training or inference passes, or disposing', () => {
    const start = tf.memory().numTensors;
    const model = buildModel(tinyConfig(16, { classifier: { fuseScales: true }, decoder: { deepSupervision: 1 } }));
    const x = tf.randomNormal([2, 16, 16, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    disposeOutput(model.apply(x, { training: true }));
    disposeOutput(model.predict(x));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('saves and loads through the engine model files with identical outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egfr-model-'));
    try {
      const model = buildModel(tinyConfig(16, { seed: 5 }));
      const x = tf.randomNormal([2, 16, 16, 1]) as tf.Tensor4D;
      // A training pass moves the batch-norm statistics away from their initial values, so they are tested too.
      disposeOutput(model.apply(x, { training: true }));
      await saveModel(dir, model, { note: 'test' });
      const { model: loaded, meta } = await loadModel<{ note: string }>(dir);
      assert.deepEqual(meta, { note: 'test' });
      assert.deepEqual(loaded.config, model.config);
      const a = model.predict(x);
      const b = loaded.predict(x);
      assert.equal(maxAbsDiff(a.seg!, b.seg!), 0);
      assert.equal(maxAbsDiff(a.cls!, b.cls!), 0);
      [a, b].forEach(disposeOutput);
      const other = buildModel(tinyConfig(16, { encoder: { baseChannels: 8 } }));
      const file = await loadModelFile(dir);
      assert.throws(() => other.loadWeights(file.weights, dir), (e: Error) => e instanceof ModelFileError && e.message.startsWith(dir));
      tf.dispose(Object.values(file.weights));
      [model, loaded, other].forEach((m) => m.dispose());
      x.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
