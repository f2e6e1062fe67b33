/**
 * The training view of prepared cases (lib/preprocess/prepare-case.ts): their model-grid slices as samples and as
 * tensor batches, with the augmentation of lib/data/augment.ts applied per sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { inputChannels, type PreprocessConfig } from '../preprocess/config';
import type { PreparedCase } from '../preprocess/prepare-case';
import type { Rng } from '../util/rng';
import { extractSlices } from '../volume/slices';
import { augmentSlice, type AugmentConfig, type SliceSample } from './augment';
import type { SliceNeighbours } from './scanner-randomisation';
import type { SliceRef, SliceStats } from './sampler';
import { storeCase, type StoredCase } from './stored-case';

/** A training batch: image [N, H, W, C]; mask [N, H, W, 1] in {0, 1}; label [N] class indices (int32). */
export interface TrainBatch {
  image: tf.Tensor4D;
  mask?: tf.Tensor4D;
  label?: tf.Tensor1D;
}

/**
 * The model-grid slices of prepared cases, as samples and as tensor batches. The cases are held in their stored form
 * (lib/data/stored-case.ts: 16-bit channels); prepared cases given to the constructor are converted.
 */
export class SliceDataset {
  readonly cases: StoredCase[];

  constructor(
    cases: Array<PreparedCase | StoredCase>,
    readonly config: PreprocessConfig,
  ) {
    this.cases = cases.map((c) => ('scales' in c ? c : storeCase(c)));
  }

  /** What the sampler needs per case. */
  stats(): SliceStats[] {
    return this.cases.map((c) => ({ tumourArea: c.tumourArea, foreground: c.foreground, label: c.label }));
  }

  /** Channels of the model input. */
  get channels(): number {
    return inputChannels(this.cases[0]?.channels.length ?? 0, this.config);
  }

  /** Slices `indices` of case `caseIndex` as channels-last [N, H, W, C] values. */
  slices(caseIndex: number, indices: number[]): { data: Float32Array; shape: [number, number, number, number] } {
    const c = this.cases[caseIndex];
    const batch = extractSlices(c.channels, { axis: 2, context: this.config.context, indices });
    // Channel ch of the batch comes from sequence floor(ch / (2 context + 1)): scale each by its sequence's scale.
    const per = 2 * this.config.context + 1;
    const C = batch.shape[3];
    const { data } = batch;
    for (let i = 0; i < data.length; i++) data[i] *= c.scales[Math.floor((i % C) / per)];
    return { data, shape: batch.shape };
  }

  /** One slice as a sample (image [H, W, C], mask [H, W]). */
  sample(ref: SliceRef): SliceSample {
    const c = this.cases[ref.caseIndex];
    const { data, shape } = this.slices(ref.caseIndex, [ref.slice]);
    let mask: Uint8Array | null = null;
    if (c.mask) {
      const plane = shape[1] * shape[2];
      mask = c.mask.data.slice(ref.slice * plane, (ref.slice + 1) * plane);
    }
    return { image: data, mask, height: shape[1], width: shape[2], channels: shape[3] };
  }

  /** The slices around `ref` (clamped to the volume), for the scanner randomisation's thick slices. */
  neighbours(ref: SliceRef): SliceNeighbours {
    const c = this.cases[ref.caseIndex];
    const last = c.grid.dims[2] - 1;
    return {
      at: (offset) => this.slices(ref.caseIndex, [Math.min(last, Math.max(0, ref.slice + offset))]).data,
      sliceMm: c.grid.spacing[2],
    };
  }

  /**
   * A training batch of the given slices, each augmented with its own stream `rng.fork('sample-i')` when `augment`
   * is given. The caller disposes the tensors. Labels are included only when every case of the batch has one.
   */
  batch(refs: SliceRef[], augment?: { config: AugmentConfig; rng: Rng }): TrainBatch {
    if (refs.length === 0) throw new ConfigError('dataset: an empty batch');
    const samples = refs.map((ref, i) => {
      const s = this.sample(ref);
      return augment ? augmentSlice(s, augment.rng.fork(`sample-${i}`), augment.config, this.neighbours(ref)) : s;
    });
    const { height: H, width: W, channels: C } = samples[0];
    const image = new Float32Array(refs.length * H * W * C);
    samples.forEach((s, i) => image.set(s.image, i * H * W * C));
    const withMask = samples.every((s) => s.mask);
    const mask = withMask ? new Float32Array(refs.length * H * W) : null;
    if (mask) samples.forEach((s, i) => mask.set(s.mask!, i * H * W));
    const labels = refs.map((r) => this.cases[r.caseIndex].label);
    const withLabel = labels.every((l) => l !== undefined);
    return {
      image: tf.tensor4d(image, [refs.length, H, W, C]),
      ...(mask ? { mask: tf.tensor4d(mask, [refs.length, H, W, 1]) } : {}),
      ...(withLabel ? { label: tf.tensor1d(labels as number[], 'int32') } : {}),
    };
  }
}
