/**
 * Where the model looks for its EGFR prediction, as maps over the input slice:
 * - Grad-CAM (Selvaraju et al. 2017) on the classifier's convolutional block, computed as MONAI's
 *   `monai.visualize.GradCAM` does: the class score's gradient with respect to the block's output A [h, w, D] is
 *   averaged over space into one weight per channel, the map is ReLU(sum_k weight_k A_k), upsampled bilinearly to the
 *   input size and scaled to [0, 1] (min-max, per image). The class is the predicted one unless given.
 * - the classifier's attention: the class token's attention over the patch tokens in a Transformer block (the last by
 *   default), averaged over heads, on the patch grid, upsampled and scaled the same way.
 * Maps are plain images (`SliceImage`, row 0 first, as the input), ready for `slicePanels` overlays or heatmaps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import type { MultiTaskModel } from '../model/multitask';
import type { AttentionRecord } from '../model/module';
import type { SliceImage } from '../volume/views';

/** What Grad-CAM differentiates: a feature map from the input, and the class logits from that feature map. */
export interface GradCamTarget {
  /** [N, h, w, D]: the layer to explain. */
  features(x: tf.Tensor4D): tf.Tensor4D;
  /** [N, K] logits from `features`' output. */
  logits(features: tf.Tensor4D): tf.Tensor2D;
  /** Frees what `features` kept for `logits` (e.g. skip features); called once after each map. */
  release?(): void;
}

/** A map over the input slice, values in [0, 1]. */
export interface SaliencyImage extends SliceImage {
  data: Float32Array;
}

export interface SaliencyMap extends SaliencyImage {
  /** The class the map explains. */
  classIndex: number;
  /** Its softmax probability for this image. */
  probability: number;
}

export interface GradCamOptions {
  /** One class for every image, or one per image; default: each image's predicted class. */
  classIndex?: number | number[];
  /** Output size [height, width]; default: the input's. */
  size?: [number, number];
}

/** The classifier's convolutional block of a model with a classifier ('mtl' or 'cls'), in inference mode. */
export function classifierGradCamTarget(model: MultiTaskModel): GradCamTarget {
  const classifier = model.classifier;
  if (!classifier) throw new ConfigError(`saliency: a '${model.config.kind}' model has no classifier`);
  const options = { training: false };
  let skips: tf.Tensor4D[] = [];
  return {
    features(x) {
      const { features } = model.encoder.apply(x, options);
      const bottleneck = features[features.length - 1];
      skips = features.slice(0, -1);
      const local = classifier.localFeatures(bottleneck, options);
      bottleneck.dispose();
      return local;
    },
    logits: (local) => classifier.logitsFromLocal(local, skips, options),
    release() {
      tf.dispose(skips);
      skips = [];
    },
  };
}

function classesFor(n: number, option: number | number[] | undefined, predicted: number[], k: number): number[] {
  const classes = option === undefined ? predicted : typeof option === 'number' ? new Array<number>(n).fill(option) : option;
  if (classes.length !== n) throw new ConfigError(`saliency: ${classes.length} class indices for ${n} images`);
  for (const c of classes) {
    if (!(Number.isInteger(c) && c >= 0 && c < k)) throw new ConfigError(`saliency: class index ${c} is not in [0, ${k})`);
  }
  return classes;
}

/** [N, h, w] maps to plain images of `size`: bilinear upsampling, then min-max scaling per image (0 when flat). */
function toImages(maps: tf.Tensor3D, size: [number, number]): Float32Array[] {
  const scaled = tf.tidy(() => {
    const up = tf.image.resizeBilinear(tf.expandDims(maps, 3) as tf.Tensor4D, size, false, false);
    const flat = tf.reshape(up, [maps.shape[0], -1]);
    const lo = tf.min(flat, 1, true);
    const range = tf.sub(tf.max(flat, 1, true), lo);
    return tf.div(tf.sub(flat, lo), tf.maximum(range, 1e-12)) as tf.Tensor2D;
  });
  const values = scaled.arraySync();
  scaled.dispose();
  return values.map((row) => Float32Array.from(row));
}

/** Grad-CAM maps for a batch of input slices [N, H, W, C], one per image. */
export function gradCam(target: GradCamTarget, x: tf.Tensor4D, options: GradCamOptions = {}): SaliencyMap[] {
  const [n, height, width] = x.shape;
  const size = options.size ?? [height, width];
  const features = target.features(x);
  try {
    const logits = tf.tidy(() => target.logits(features));
    const probabilities = tf.tidy(() => tf.softmax(logits).arraySync() as number[][]);
    const k = logits.shape[1];
    const predicted = tf.tidy(() => tf.argMax(logits, 1).arraySync() as number[]);
    logits.dispose();
    const classes = classesFor(n, options.classIndex, predicted, k);
    const maps = tf.tidy(() => {
      const oneHot = tf.oneHot(tf.tensor1d(classes, 'int32'), k);
      // d(sum over images of each one's class score)/dA: images do not interact in inference mode.
      const grads = tf.grad((a) => tf.sum(tf.mul(target.logits(a as tf.Tensor4D), oneHot)))(features);
      const weights = tf.mean(grads, [1, 2], true);
      return tf.relu(tf.sum(tf.mul(weights, features), 3)) as tf.Tensor3D;
    });
    const images = toImages(maps, size);
    maps.dispose();
    return images.map((data, i) => ({
      width: size[1],
      height: size[0],
      data,
      classIndex: classes[i],
      probability: probabilities[i][classes[i]],
    }));
  } finally {
    features.dispose();
    target.release?.();
  }
}

/** Grad-CAM on a model's classifier (see `classifierGradCamTarget`). */
export function modelGradCam(model: MultiTaskModel, x: tf.Tensor4D, options: GradCamOptions = {}): SaliencyMap[] {
  return gradCam(classifierGradCamTarget(model), x, options);
}

export interface ClassAttentionOptions {
  /** Which of the classifier's Transformer blocks (0-based; negative counts from the end). Default -1, the last. */
  block?: number;
  size?: [number, number];
}

/**
 * The class token's attention over the patch tokens in one recorded Transformer block ([B, heads, T, T] weights, the
 * first `leadingTokens` tokens not being patches), averaged over heads and laid out on the `grid` of patches.
 */
export function classTokenAttention(
  record: AttentionRecord,
  grid: [number, number],
  leadingTokens: number,
  size: [number, number],
): Float32Array[] {
  const [b, , t, m] = record.weights.shape;
  const patches = grid[0] * grid[1];
  if (t < 1 || m !== leadingTokens + patches) {
    throw new ConfigError(`saliency: attention '${record.name}' has ${m} keys, expected ${leadingTokens} + ${grid[0]}x${grid[1]}`);
  }
  const maps = tf.tidy(() => {
    const cls = tf.slice(record.weights, [0, 0, 0, leadingTokens], [b, -1, 1, patches]);
    return tf.reshape(tf.mean(cls, 1), [b, grid[0], grid[1]]) as tf.Tensor3D;
  });
  const images = toImages(maps, size);
  maps.dispose();
  return images;
}

/** The trained classifier's attention maps for a batch of slices [N, H, W, C] (hybrid and transformer classifiers). */
export function classifierAttention(model: MultiTaskModel, x: tf.Tensor4D, options: ClassAttentionOptions = {}): SaliencyImage[] {
  const classifier = model.classifier;
  if (!classifier || classifier.config.kind === 'cnn') {
    throw new ConfigError(`saliency: the model's classifier has no attention (kind '${classifier?.config.kind ?? 'none'}')`);
  }
  const records = model.attentionMaps(x);
  try {
    const own = records.filter((r) => r.name.startsWith(`${classifier.name}/`));
    const i = options.block ?? -1;
    const record = own[i < 0 ? own.length + i : i];
    if (!record) throw new ConfigError(`saliency: the classifier has ${own.length} Transformer blocks, no block ${i}`);
    const [h, w] = classifier.bottleneck;
    const size = options.size ?? [x.shape[1], x.shape[2]];
    return classTokenAttention(record, [h / 2, w / 2], classifier.leadingTokens, size).map((data) => ({
      width: size[1],
      height: size[0],
      data,
    }));
  } finally {
    tf.dispose(records.map((r) => r.weights));
  }
}
