import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { adaptBatchNorm, batchNormLayers } from '../../lib/eval/adapt-bn';
import { predictCase } from '../../lib/eval/predict';
import { predictProbabilities, resolveTtaFlips, type SliceModel } from '../../lib/eval/tta';
import { buildModel } from '../../lib/model/multitask';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { prepareCase } from '../../lib/preprocess/prepare-case';
import { extractSlices } from '../../lib/volume/slices';
import { tinyCase, tinyModelConfig } from '../train/tiny-cohort';

/** Flip-equivariant: a pixelwise GTV logit and class logits from the maximum over pixels (order-free, so exact). */
const equivariant: SliceModel = {
  predict: (x) => {
    const seg = tf.sub(tf.mul(tf.sum(x, 3, true), 1.7), 0.3) as tf.Tensor4D;
    const m = tf.max(x, [1, 2, 3]);
    return { seg, cls: tf.stack([m, tf.neg(m)], 1) as tf.Tensor2D };
  },
};

/** Not equivariant: the logit depends on the column. */
const sided: SliceModel = {
  predict: (x) => {
    const [, , w] = x.shape;
    const ramp = tf.reshape(tf.range(0, w), [1, 1, w, 1]);
    return { seg: tf.add(tf.sum(x, 3, true), tf.mul(ramp, 0.1)) as tf.Tensor4D, cls: null };
  },
};

const x = () => tf.tidy(() => tf.randomNormal([3, 8, 10, 2], 0, 1, 'float32', 5) as tf.Tensor4D);

describe('test-time augmentation by flips', () => {
  it('is exact for a flip-equivariant model, with one flip and with both', () => {
    tf.tidy(() => {
      const input = x();
      const plain = predictProbabilities(equivariant, input, []);
      for (const flips of [['x'], ['y'], ['x', 'y']] as const) {
        const tta = predictProbabilities(equivariant, input, flips);
        assert.deepEqual(tta.seg!.dataSync(), plain.seg!.dataSync(), flips.join());
        assert.deepEqual(tta.cls!.dataSync(), plain.cls!.dataSync(), flips.join());
      }
    });
  });

  it('averages the probabilities of the flipped views, flipped back', () => {
    tf.tidy(() => {
      const input = x();
      const tta = predictProbabilities(sided, input, ['x']).seg!;
      const a = tf.sigmoid(sided.predict(input).seg!);
      const b = tf.reverse(tf.sigmoid(sided.predict(tf.reverse(input, 2)).seg!), 2);
      const want = tf.div(tf.add(a, b), 2);
      assert.ok(tf.max(tf.abs(tf.sub(tta, want))).dataSync()[0] < 1e-7);
      assert.ok(tf.max(tf.abs(tf.sub(tta, a))).dataSync()[0] > 1e-3, 'and differs from the plain pass');
    });
  });

  it('refuses unknown or repeated flips', () => {
    assert.deepEqual(resolveTtaFlips(['x', 'y']), ['x', 'y']);
    assert.throws(() => resolveTtaFlips(['z']), /unknown flip 'z'/);
    assert.throws(() => resolveTtaFlips(['x', 'x']), /twice/);
  });
});

describe('test-time batch-norm adaptation', () => {
  const config = resolvePreprocessConfig({ size: 32 });

  it('changes only the batch-norm statistics, and restores them bit for bit', () => {
    const model = buildModel(tinyModelConfig());
    const prepared = prepareCase(tinyCase(0), config);
    const before = model.weights().map((w) => ({ name: w.name, trainable: w.trainable, values: w.variable.dataSync().slice() }));
    const stats = new Set(batchNormLayers(model).flatMap((l) => [l.mean, l.variance]));
    assert.ok(stats.size > 10);
    const restore = adaptBatchNorm(model, prepared, config, { batchSize: 3 });
    let changed = 0;
    model.weights().forEach((w, i) => {
      const same = tf.util.arraysEqual(w.variable.dataSync(), before[i].values);
      if (stats.has(w.variable)) changed += same ? 0 : 1;
      else assert.ok(same, `${w.name} must not change`);
    });
    assert.equal(changed, stats.size, 'every statistic is re-estimated');
    const adapted = batchNormLayers(model).map((l) => l.mean.dataSync().slice());
    restore();
    model.weights().forEach((w, i) => assert.deepEqual(w.variable.dataSync(), before[i].values, w.name));
    // Idempotent: the training-mode passes do not depend on the statistics they replace.
    const again = adaptBatchNorm(model, prepared, config, { batchSize: 3 });
    batchNormLayers(model).forEach((l, i) => assert.ok(Math.max(...Array.from(l.mean.dataSync(), (v, c) => Math.abs(v - adapted[i][c]))) < 1e-5));
    again();
    model.dispose();
  });

  it('one batch of all slices: the adapted inference pass is the training-mode pass on those slices', () => {
    const model = buildModel(tinyModelConfig());
    const prepared = prepareCase(tinyCase(1), config);
    const slices = [...prepared.foreground].map((f, k) => (f >= 0.05 ? k : -1)).filter((k) => k >= 0);
    const restore = adaptBatchNorm(model, prepared, config, { batchSize: slices.length });
    const batch = extractSlices(prepared.channels, { axis: 2, context: 0, indices: slices });
    const diff = tf.tidy(() => {
      const input = tf.tensor4d(batch.data, batch.shape);
      const adapted = model.predict(input).seg!;
      const train = model.apply(input, { training: true, updateStatistics: false, dropoutSeed: 0 }).seg!;
      return tf.max(tf.abs(tf.sub(adapted, train))).dataSync()[0] / tf.max(tf.abs(train)).dataSync()[0];
    });
    // The moving variance is the unbiased one, training normalises with the biased one: a relative difference < 1e-2.
    assert.ok(diff < 1e-2, `${diff}`);
    restore();
    model.dispose();
  });

  it('predictCase with adaptBn leaves the model as it was, and tta and adaptBn change the prediction', () => {
    const model = buildModel(tinyModelConfig());
    const input = tinyCase(2);
    const before = model.weights().map((w) => w.variable.dataSync().slice());
    const plain = predictCase(model, input, config);
    const adapted = predictCase(model, input, config, { adaptBn: true });
    model.weights().forEach((w, i) => assert.deepEqual(w.variable.dataSync(), before[i]));
    assert.deepEqual(predictCase(model, input, config).probability!.data, plain.probability!.data);
    assert.notDeepEqual(adapted.probability!.data, plain.probability!.data);
    const flipped = predictCase(model, input, config, { tta: ['x'] });
    assert.notDeepEqual(flipped.probability!.data, plain.probability!.data);
    model.dispose();
  });
});
