/**
 * The per-task losses of a batch, from a model's outputs: segmentation = dice x softDice + bce x BCE (plus deep
 * supervision), classification = cross-entropy or focal loss, by default only over slices that contain tumour
 * because the EGFR label belongs to the patient, not to every slice.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainBatch } from '../data/slice-dataset';
import { ConfigError } from '../errors';
import type { ModelOutput, TaskName } from '../model/multitask';
import { bceWithLogits } from './bce';
import { crossEntropyLoss } from './cross-entropy';
import { softDiceLoss } from './dice';
import { focalLoss } from './focal';

export interface SegLossConfig {
  /** Weight of the soft Dice term, default 1. */
  dice: number;
  /** Weight of the BCE term, default 1. */
  bce: number;
  /** Dice smoothing, default 1. */
  smooth: number;
  /** BCE positive-class weight, default 1. */
  positiveWeight: number;
  /**
   * Weight of each deep-supervision output (1/2, 1/4, ... resolution) relative to the full-resolution loss; its
   * target is the mask max-pooled to that scale. Default 0.5^k for the k-th coarser output.
   */
  deepSupervision: number[] | null;
}

export interface ClsLossConfig {
  kind: 'ce' | 'focal';
  classWeights: number[] | null;
  /** Cross-entropy only. Default 0. */
  labelSmoothing: number;
  /** Focal only. Default 2. */
  focalGamma: number;
  /**
   * 'tumour' (default): only slices whose mask has at least `minTumourPixels` tumour pixels count; a batch without such
   * a slice gives a classification loss of exactly 0 and no gradient. 'all': every slice counts.
   */
  slices: 'tumour' | 'all';
  minTumourPixels: number;
}

export interface LossConfig {
  seg: SegLossConfig;
  cls: ClsLossConfig;
}

export interface LossConfigInput {
  seg?: Partial<SegLossConfig>;
  cls?: Partial<ClsLossConfig>;
}

export const segLossDefaults: SegLossConfig = { dice: 1, bce: 1, smooth: 1, positiveWeight: 1, deepSupervision: null };
export const clsLossDefaults: ClsLossConfig = { kind: 'ce', classWeights: null, labelSmoothing: 0, focalGamma: 2, slices: 'tumour', minTumourPixels: 1 };

/** Fills in the loss defaults and checks them; idempotent, so a resolved config passes through unchanged. */
export function resolveLossConfig(input: LossConfigInput = {}): LossConfig {
  const seg: SegLossConfig = { ...segLossDefaults, ...input.seg };
  const cls: ClsLossConfig = { ...clsLossDefaults, ...input.cls };
  if (seg.dice < 0 || seg.bce < 0 || seg.dice + seg.bce <= 0) {
    throw new ConfigError(`loss: segmentation weights dice ${seg.dice} and bce ${seg.bce} must be >= 0, not both 0`);
  }
  if (cls.kind !== 'ce' && cls.kind !== 'focal') throw new ConfigError(`loss: unknown classification loss '${cls.kind}'`);
  return { seg, cls };
}

/** Dice and BCE of one logit map against a target of the same size. */
export function segmentationLoss(logits: tf.Tensor4D, target: tf.Tensor4D, config: SegLossConfig): tf.Scalar {
  return tf.tidy(() => {
    const dice = config.dice > 0 ? tf.mul(softDiceLoss(logits, target, config.smooth), config.dice) : tf.scalar(0);
    const bce = config.bce > 0 ? tf.mul(bceWithLogits(logits, target, config.positiveWeight), config.bce) : tf.scalar(0);
    return tf.add(dice, bce) as tf.Scalar;
  });
}

/** 1 for slices with at least `minPixels` tumour pixels, else 0: [N]. */
export function tumourSliceMask(mask: tf.Tensor4D, minPixels = 1): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.greaterEqual(tf.sum(tf.cast(mask, 'float32'), [1, 2, 3]), minPixels), 'float32') as tf.Tensor1D);
}

export type TaskLosses = Partial<Record<TaskName, tf.Scalar>>;

/** The loss of every task the model has; the caller disposes the scalars. */
export function computeTaskLosses(output: ModelOutput, batch: TrainBatch, config: LossConfig): TaskLosses {
  const losses: TaskLosses = {};
  if (output.seg) {
    const mask = batch.mask;
    if (!mask) throw new ConfigError('loss: the model segments but the batch has no mask');
    losses.seg = tf.tidy(() => {
      let total = segmentationLoss(output.seg!, mask, config.seg);
      output.segAux.forEach((aux, i) => {
        const weight = config.seg.deepSupervision?.[i] ?? 0.5 ** (i + 1);
        const factor = mask.shape[1] / aux.shape[1];
        const target = tf.maxPool(mask, factor, factor, 'valid');
        total = tf.add(total, tf.mul(segmentationLoss(aux, target, config.seg), weight));
      });
      return total;
    });
  }
  if (output.cls) {
    const labels = batch.label;
    if (!labels) throw new ConfigError('loss: the model classifies but the batch has no label');
    const c = config.cls;
    losses.cls = tf.tidy(() => {
      let sampleMask: tf.Tensor1D | undefined;
      if (c.slices === 'tumour') {
        if (!batch.mask) throw new ConfigError("loss: classification on tumour slices needs the batch's mask (or slices: 'all')");
        sampleMask = tumourSliceMask(batch.mask, c.minTumourPixels);
      }
      const options = { classWeights: c.classWeights ?? undefined, mask: sampleMask };
      return c.kind === 'focal'
        ? focalLoss(output.cls!, labels, { ...options, gamma: c.focalGamma })
        : crossEntropyLoss(output.cls!, labels, { ...options, labelSmoothing: c.labelSmoothing });
    });
  }
  return losses;
}
