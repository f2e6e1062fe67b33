/**
 * Test-time batch-norm adaptation (`--adapt-bn`), AdaBN (Li et al. 2016; TENT, Wang et al. 2021, starts from the
 * same re-estimation): every batch-norm layer's moving mean and variance are replaced by the statistics of the test
 * patient's own slices, so the normalisation follows the new scanner; no other weight changes. The slices are those
 * the training sampler draws tumour-free slices from (foreground fraction >= `minForeground`, 0.05 as in
 * lib/data/sampler.ts; a case with none uses every slice with foreground). They pass through the model in training
 * mode, batch by batch: each layer then normalises with the batch's own statistics, i.e. the deeper layers see the
 * adapted ones, and each layer's batch mean and (unbiased) variance are pooled over the patient's slices exactly
 * (weighted by the slices of each batch; the variance includes the spread of the batch means). Dropout is on in that
 * pass (training mode, fixed seed): in the project's models it sits after the last norm (the classifier's head) and
 * cannot change a statistic. `adaptBatchNorm` returns the function that puts the saved statistics back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions, NamedWeight } from '../model/module';
import type { PreprocessConfig } from '../preprocess/config';
import type { PreparedCase } from '../preprocess/prepare-case';
import { extractSlices } from '../volume/slices';

/** What adaptation needs of a model: its named weights and a forward pass with options. */
export interface AdaptableModel {
  weights(): NamedWeight[];
  apply(x: tf.Tensor4D, options: ApplyOptions): { seg: tf.Tensor | null; cls: tf.Tensor | null; segAux?: tf.Tensor[] };
}

export interface AdaptBnOptions {
  /** Slices per pass. Default 8 (the training batch of the quality run). */
  batchSize: number;
  /** Slices with at least this foreground fraction are used. Default 0.05. */
  minForeground: number;
}

export const adaptBnDefaults: AdaptBnOptions = { batchSize: 8, minForeground: 0.05 };

/** The momentum of lib/model/layers.ts's Norm2D: moving = m moving + (1 - m) batch. */
const MOMENTUM = 0.9;

interface BnLayer {
  mean: tf.Variable;
  variance: tf.Variable;
}

/** The batch-norm layers of a model: the pairs of moving statistics by name. */
export function batchNormLayers(model: Pick<AdaptableModel, 'weights'>): BnLayer[] {
  const byName = new Map(model.weights().map((w) => [w.name, w.variable]));
  const out: BnLayer[] = [];
  for (const [name, variable] of byName) {
    if (!name.endsWith('moving_mean')) continue;
    const variance = byName.get(name.replace(/moving_mean$/, 'moving_variance'));
    if (variance) out.push({ mean: variable, variance });
  }
  return out;
}

/**
 * Re-estimates every batch-norm layer's statistics on the slices of `prepared`; returns the function that restores
 * the previous ones. A model without batch norm is left as it is.
 */
export function adaptBatchNorm(model: AdaptableModel, prepared: PreparedCase, config: PreprocessConfig, options: Partial<AdaptBnOptions> = {}): () => void {
  const o = { ...adaptBnDefaults, ...options };
  const layers = batchNormLayers(model);
  const saved = layers.map((l) => ({ mean: l.mean.dataSync().slice(), variance: l.variance.dataSync().slice() }));
  const restore = () =>
    tf.tidy(() =>
      layers.forEach((l, i) => {
        l.mean.assign(tf.tensor1d(saved[i].mean));
        l.variance.assign(tf.tensor1d(saved[i].variance));
      }),
    );
  if (layers.length === 0) return restore;
  const fg = [...prepared.foreground];
  let slices = fg.map((f, k) => (f >= o.minForeground ? k : -1)).filter((k) => k >= 0);
  if (slices.length === 0) slices = fg.map((f, k) => (f > 0 ? k : -1)).filter((k) => k >= 0);
  if (slices.length === 0) return restore;
  // Per layer: sum over batches of n_b mean_b and n_b E_b[x^2], n_b the batch's slices (every layer sees the same
  // pixels per slice in every batch, so slices weight the batches exactly).
  const sums = layers.map((l) => ({ m: new Float64Array(l.mean.size), sq: new Float64Array(l.mean.size) }));
  let total = 0;
  for (let start = 0; start < slices.length; start += o.batchSize) {
    const indices = slices.slice(start, start + o.batchSize);
    // From zero, one update leaves (1 - momentum) x the batch's statistics in the moving averages.
    tf.tidy(() => {
      for (const l of layers) {
        l.mean.assign(tf.zerosLike(l.mean));
        l.variance.assign(tf.zerosLike(l.variance));
      }
    });
    const batch = extractSlices(prepared.channels, { axis: 2, context: config.context, indices });
    tf.tidy(() => {
      model.apply(tf.tensor4d(batch.data, batch.shape), { training: true, updateStatistics: true, dropoutSeed: 0 });
    });
    const n = indices.length;
    total += n;
    layers.forEach((l, i) => {
      const mean = l.mean.dataSync();
      const unbiased = l.variance.dataSync();
      // Norm2D keeps the batch's unbiased variance; over a batch's thousands of pixels per channel the biased one
      // differs from it by less than 1e-3 of itself, and the pooled variance is kept unbiased in the same sense.
      for (let c = 0; c < mean.length; c++) {
        const mu = mean[c] / (1 - MOMENTUM);
        const v = unbiased[c] / (1 - MOMENTUM);
        sums[i].m[c] += n * mu;
        sums[i].sq[c] += n * (v + mu * mu);
      }
    });
  }
  tf.tidy(() =>
    layers.forEach((l, i) => {
      const mean = Float64Array.from(sums[i].m, (s) => s / total);
      l.mean.assign(tf.tensor1d(Float32Array.from(mean)));
      l.variance.assign(tf.tensor1d(Float32Array.from(sums[i].sq, (s, c) => Math.max(0, s / total - mean[c] * mean[c]))));
    }),
  );
  return restore;
}
