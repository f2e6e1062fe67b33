/**
 * Patient-level prediction: every slice of a case through the model, the slice outputs stacked back on the model
 * grid, then brought back to the input's own grid.
 * - GTV: the per-pixel tumour probabilities (sigmoid of the logits) form a probability volume on the model grid; it is
 *   resampled linearly onto the input grid through world coordinates (which undoes the reorientation, the in-plane
 *   resampling and the padding of lib/data/slice-dataset.ts) and thresholded (> threshold, default 0.5). The mask
 *   therefore has the input's dims and affine. Its volume in mL is its voxel count x the input's voxel volume / 1000.
 *   A run's patient model (lib/patient/patient-model.ts) then screens the mask's components: the mask keeps the lesions.
 * - EGFR: each slice's class probabilities (softmax) are aggregated per class with lib/eval/aggregate.ts, weighting
 *   by the slice's predicted tumour area in mm^2 on the model grid (no seg head: no areas, hence the all-slice mean),
 *   then renormalised to sum to 1. The patient's EGFR probability is 1 - P(wild-type) (class 0): P(mutant) in the
 *   binary scheme, P(any mutation) with three classes. 'max' is not taken per class (per-class maxima renormalised
 *   give 0.5 for a patient with one confidently wild-type and one confidently mutant slice): the tumour slice with
 *   the highest P(any mutation) gives the patient its class probabilities.
 * Slices with no foreground at all (outside the head) are not run through the model: they get tumour probability 0
 * and take no part in the EGFR aggregate.
 * Test-time options: `tta` averages the slice probabilities over flips (lib/eval/tta.ts); `adaptBn` re-estimates the
 * batch-norm statistics on the case's own slices before predicting it and restores them after (lib/eval/adapt-bn.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { prepareCase, type CaseInput, type PreparedCase } from '../preprocess/prepare-case';
import type { PreprocessConfig } from '../preprocess/config';
import { DatasetError } from '../errors';
import { readNifti } from '../io/nifti-read';
import { affinesClose } from '../volume/affine';
import { extractSlices } from '../volume/slices';
import type { MultiTaskModel } from '../model/multitask';
import { resampleToGrid } from '../volume/resample';
import type { Volume } from '../volume/volume';
import { aggregateSliceProbabilities, defaultAggregateOptions, type AggregateOptions, type PatientProbability } from './aggregate';
import type { NetworkPredictor } from '../patient/fit';
import { applyPatientModel, type PatientEgfr, type PatientModel } from '../patient/patient-model';
import { adaptBatchNorm } from './adapt-bn';
import { predictProbabilities, type TtaFlip } from './tta';

export interface PredictOptions {
  /**
   * Slices per forward pass. Default 8: the activations of a pass of 16 slices of 128 px outgrow the native backend's
   * recycled arrays, which made it slower per slice, and 8 needs half their memory (the measurement:
   * docs/model-spec.md, "Measurements behind some defaults").
   */
  batchSize: number;
  /** Tumour probability above which a voxel is GTV. Default 0.5. */
  threshold: number;
  aggregation: Partial<AggregateOptions>;
  /**
   * The run's patient-level EGFR model (lib/patient/patient-model.ts); when given, `predictCase` screens the predicted
   * mask's lesions and fuses the network's probability with their phenotypes.
   */
  patientModel?: PatientModel | null;
  /** Test-time flips whose probabilities are averaged (lib/eval/tta.ts); default none. */
  tta: TtaFlip[];
  /** Re-estimate batch-norm statistics on the case's own slices first (lib/eval/adapt-bn.ts); default false. */
  adaptBn: boolean;
}

export const predictDefaults: PredictOptions = { batchSize: 8, threshold: 0.5, aggregation: {}, tta: [], adaptBn: false };

/** Slice outputs on the model grid. */
export interface ModelGridPrediction {
  /** Tumour probability per voxel of the model grid; null for a model without segmentation. */
  probability: Volume<Float32Array> | null;
  /** Per slice: class probabilities, or null for slices not predicted (no foreground) or a model without classifier. */
  classProbabilities: Array<Float32Array | null>;
  /** Per slice: predicted tumour area in mm^2 (probability > threshold). */
  tumourAreaMm2: Float64Array;
}

export interface EgfrPrediction {
  /** 1 - P(wild-type). */
  probability: number;
  /** Aggregated class probabilities, in class order, summing to 1. */
  classProbabilities: number[];
  aggregate: Omit<PatientProbability, 'probability'>;
}

export interface CasePrediction {
  /** GTV mask on the input's grid (input dims and affine); null without segmentation. */
  mask: Volume<Uint8Array> | null;
  /** Tumour probability on the input's grid; null without segmentation. */
  probability: Volume<Float32Array> | null;
  gtvMl: number | null;
  /** The network's EGFR output. */
  egfr: EgfrPrediction | null;
  /** The patient model's fused EGFR output (`predictCase` with a patient model); null otherwise. */
  patient: PatientEgfr | null;
}

/** Runs every slice of a prepared case with foreground through the model. */
export function predictOnModelGrid(model: MultiTaskModel, prepared: PreparedCase, config: PreprocessConfig, options: Partial<PredictOptions> = {}): ModelGridPrediction {
  const o = { ...predictDefaults, ...options };
  const [W, H, D] = prepared.grid.dims;
  const plane = W * H;
  const hasSeg = model.tasks.includes('seg');
  const probability = hasSeg ? new Float32Array(plane * D) : null;
  const classProbabilities: Array<Float32Array | null> = Array.from({ length: D }, () => null);
  const tumourAreaMm2 = new Float64Array(D);
  const pixelMm2 = prepared.grid.spacing[0] * prepared.grid.spacing[1];
  const slices = [...prepared.foreground].map((f, k) => (f > 0 ? k : -1)).filter((k) => k >= 0);
  const restore = o.adaptBn ? adaptBatchNorm(model, prepared, config, { batchSize: o.batchSize }) : null;
  try {
  for (let start = 0; start < slices.length; start += o.batchSize) {
    const indices = slices.slice(start, start + o.batchSize);
    const batch = extractSlices(prepared.channels, { axis: 2, context: config.context, indices });
    let segData: Float32Array | null = null;
    let clsData: Float32Array | null = null;
    tf.tidy(() => {
      const out = predictProbabilities(model, tf.tensor4d(batch.data, batch.shape), o.tta);
      if (out.seg) segData = out.seg.dataSync() as Float32Array;
      if (out.cls) clsData = out.cls.dataSync() as Float32Array;
    });
    indices.forEach((k, i) => {
      if (segData && probability) {
        const values = segData.subarray(i * plane, (i + 1) * plane);
        probability.set(values, k * plane);
        let n = 0;
        for (let p = 0; p < plane; p++) if (values[p] > o.threshold) n++;
        tumourAreaMm2[k] = n * pixelMm2;
      }
      if (clsData) {
        const K = clsData.length / indices.length;
        classProbabilities[k] = clsData.slice(i * K, (i + 1) * K);
      }
    });
  }
  } finally {
    restore?.();
  }
  return {
    probability: probability ? { data: probability, dims: prepared.grid.dims, spacing: prepared.grid.spacing, affine: prepared.grid.affine } : null,
    classProbabilities,
    tumourAreaMm2,
  };
}

/** The patient's EGFR prediction from slice outputs; null when no slice has class probabilities. */
export function aggregateEgfr(prediction: ModelGridPrediction, aggregation: Partial<AggregateOptions> = {}): EgfrPrediction | null {
  const rows = prediction.classProbabilities.map((p, k) => (p ? { p, area: prediction.tumourAreaMm2[k] } : null)).filter((r) => r !== null);
  if (rows.length === 0) return null;
  const K = rows[0].p.length;
  const areas = rows.map((r) => r.area);
  if (aggregation.method === 'max') {
    const { probability, ...rest } = aggregateSliceProbabilities(
      rows.map((r) => 1 - r.p[0]),
      areas,
      aggregation,
    );
    const minArea = aggregation.minTumourArea ?? defaultAggregateOptions.minTumourArea;
    const chosen = rest.fallback ? null : rows.find((r) => r.area > minArea && 1 - r.p[0] === probability)!;
    if (chosen) return { probability, classProbabilities: Array.from(chosen.p), aggregate: rest };
  }
  let info: Omit<PatientProbability, 'probability'> | undefined;
  const raw = Array.from({ length: K }, (_, c) => {
    const { probability, ...rest } = aggregateSliceProbabilities(
      rows.map((r) => r.p[c]),
      areas,
      aggregation,
    );
    info = rest;
    return probability;
  });
  const sum = raw.reduce((a, b) => a + b, 0);
  const classProbabilities = raw.map((p) => p / sum);
  return { probability: 1 - classProbabilities[0], classProbabilities, aggregate: info! };
}

/** Brings a model-grid prediction back to the case's input grid. */
export function toInputGrid(prediction: ModelGridPrediction, prepared: PreparedCase, options: Partial<PredictOptions> = {}): CasePrediction {
  const o = { ...predictDefaults, ...options };
  const egfr = aggregateEgfr(prediction, o.aggregation);
  if (!prediction.probability) return { mask: null, probability: null, gtvMl: null, egfr, patient: null };
  const { source } = prepared;
  const probability = resampleToGrid(prediction.probability, { dims: source.dims, affine: source.affine }, { interpolation: 'linear' });
  // resampleToGrid reports the spacing from the affine; the input's own spacing and affine are what the mask keeps.
  const data = new Uint8Array(probability.data.length);
  for (let i = 0; i < data.length; i++) data[i] = probability.data[i] > o.threshold ? 1 : 0;
  const grid = { dims: source.dims.slice() as typeof source.dims, spacing: source.spacing.slice() as typeof source.spacing, affine: source.affine.map((r) => r.slice()) };
  const mask = { data, ...grid };
  return {
    mask,
    probability: { data: probability.data, ...grid },
    gtvMl: volumeMl(mask),
    egfr,
    patient: null,
  };
}

/** A mask's volume in mL: its voxel count times the voxel volume of its spacing. */
function volumeMl(mask: Volume<Uint8Array>): number {
  let voxels = 0;
  for (let i = 0; i < mask.data.length; i++) voxels += mask.data[i];
  return (voxels * mask.spacing[0] * mask.spacing[1] * mask.spacing[2]) / 1000;
}

/**
 * Predicts one case end to end: preparation, slices, back to the input's grid, and with `options.patientModel` its
 * candidate screen applied to the mask (and its volume) and the fused patient EGFR output measured on the screened
 * mask. A ground-truth mask in `input` is not used.
 */
export function predictCase(model: MultiTaskModel, input: CaseInput, config: PreprocessConfig, options: Partial<PredictOptions> = {}): CasePrediction {
  const pm = options.patientModel;
  const prepared = prepareCase({ ...input, mask: undefined }, config);
  const prediction = toInputGrid(predictOnModelGrid(model, prepared, config, options), prepared, options);
  if (!pm || !prediction.mask || !prediction.egfr) return prediction;
  const { mask, patient } = applyPatientModel(pm, input, prediction.mask, prediction.egfr.probability);
  return { ...prediction, mask, gtvMl: volumeMl(mask), patient };
}

/** The network alone as the patient model's fitting takes it (no patient model applied). */
export function networkPredictor(model: MultiTaskModel, config: PreprocessConfig): NetworkPredictor {
  return (input) => {
    const prediction = predictCase(model, input, config);
    return { mask: prediction.mask, egfrProbability: prediction.egfr?.probability ?? null };
  };
}

/**
 * Predicts from image files (one per sequence, in the order the model was trained on): checks the count against
 * `sequences` and that every file shares the first one's grid (DatasetError naming the file otherwise).
 */
export async function predictFiles(
  model: MultiTaskModel,
  files: string[],
  sequences: string[],
  config: PreprocessConfig,
  options: Partial<PredictOptions> = {},
): Promise<CasePrediction> {
  if (files.length !== sequences.length) {
    throw new DatasetError(
      `the model was trained on ${sequences.length} sequence(s) (${sequences.join(', ')}) but ${files.length} image(s) were given; pass one --in per sequence, in that order`,
      files[0],
    );
  }
  const images = [];
  for (const file of files) {
    const image = await readNifti(file);
    const first = images[0];
    if (first && !(image.dims.every((d, a) => d === first.dims[a]) && affinesClose(image.affine, first.affine, 1e-3))) {
      throw new DatasetError(`grid ${image.dims.join('x')} (affine ${JSON.stringify(image.affine)}) differs from ${files[0]}: ${first.dims.join('x')} (affine ${JSON.stringify(first.affine)})`, file);
    }
    images.push(image);
  }
  return predictCase(model, { id: files[0], images, source: files[0] }, config, options);
}
