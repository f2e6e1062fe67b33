/**
 * The patient-level EGFR model: the network's own patient probability (its slice probabilities aggregated,
 * lib/eval/aggregate.ts) fused with the lesion phenotypes its segmentation shows (lib/radiomics/lesion-phenotype.ts:
 * lesion count, sizes, necrotic cores, perilesional oedema). A 2D classifier reads one slice at a time and can not
 * count a patient's lesions; the segmentation head can, once its mask is stacked back into 3D. This is our reading
 * of the paper's multi-task design (model-spec.md): the segmentation task serves the EGFR prediction.
 *
 * - `phenotype`: a logistic regression (lib/radiomics/logistic-regression.ts) of P(mutant) on the patient's phenotype
 *   features, fitted on the training patients measured on their ground-truth masks (lib/eval/fit-patient-model.ts):
 *   the closest to what a good segmentation shows, and it costs no inference. At prediction it reads the predicted
 *   mask.
 * - Fusion: the two log-odds are added and the prior log-odds of the training labels subtracted once: the Bayes rule
 *   for two pieces of evidence that are independent given the label. The relative weight of the two sources is not
 *   fitted: on run qB's 30 validation patients a fitted two-weight fusion gave the network a negative weight (AUC
 *   0.79 on 80 test patients against 0.85 for the phenotypes alone and 0.77 for the network), i.e. tens of validation
 *   patients are too few to weigh two sources.
 * - Calibration: the two sources are not independent (both read the same lesions), so the sum is over-confident. One
 *   temperature T (lib/radiomics/logistic-regression.ts `fitTemperature`), fitted on the validation patients'
 *   predictions, scales the fused log-odds: sigmoid(T · fused). One positive factor leaves the ranking (AUC) and the
 *   decisions at 0.5 as they were; without validation patients of both classes T = 1.
 * Mutant means any mutation (label > 0): with three classes the fused probability replaces P(any mutation) and the
 * per-class probabilities stay the network's.
 */
import { promises as fs } from 'node:fs';
import type { CaseInput } from '../data/slice-dataset';
import { DatasetError, ModelFileError } from '../errors';
import {
  checkLogisticModel,
  logisticLogit,
  measureLesions,
  patientPhenotypeFeatureNames,
  patientPhenotypeFeatures,
  resolveLesionPhenotypeOptions,
  sigmoid,
  type LesionPhenotypeOptions,
  type LogisticModel,
} from '../radiomics/index';
import { runPaths } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic-write';
import { affineZooms } from '../volume/affine';
import type { Volume, VoxelArray } from '../volume/volume';

export const PATIENT_MODEL_FORMAT = 'egfr-gtv-patient-model';

export interface PatientModel {
  format: typeof PATIENT_MODEL_FORMAT;
  formatVersion: 1;
  /** The sequence whose image the phenotypes are measured on, and its channel index in the run's sequence order. */
  sequence: string;
  sequenceIndex: number;
  measurement: LesionPhenotypeOptions;
  phenotype: LogisticModel;
  /** ln(P(mutant) / P(wild-type)) among the training patients. */
  priorLogOdds: number;
  /** Scale of the fused log-odds (calibration on the validation patients; 1 without them). */
  temperature: number;
  fitted: { trainPatients: number; valPatients: number; created: string };
}

/** One patient's fused EGFR output. */
export interface PatientEgfr {
  /** The fused P(any mutation). */
  probability: number;
  networkProbability: number;
  phenotypeProbability: number;
  /** Lesions measured (components that pass the lesion criteria). */
  lesions: number;
}

/**
 * The sequence to measure phenotypes on: the post-contrast T1 (named t1c, t1ce, t1gd or t1post, any case), where
 * enhancing rims, necrotic cores and oedema differ; otherwise the first sequence.
 */
export function phenotypeSequence(sequences: readonly string[]): { sequence: string; sequenceIndex: number } {
  const i = sequences.findIndex((s) => /^t1[-_]?(c|ce|gd|post)$/i.test(s));
  const sequenceIndex = Math.max(0, i);
  return { sequence: sequences[sequenceIndex], sequenceIndex };
}

/** A patient's phenotype features and how many lesions they were measured on. */
export interface MeasuredPhenotype {
  features: number[];
  lesions: number;
}

/** The phenotype of one patient: its image of the model's sequence and a mask on the same grid. */
export function phenotypeOf(pm: Pick<PatientModel, 'measurement' | 'sequenceIndex'>, images: readonly Volume<VoxelArray>[], mask: Volume<VoxelArray>, where: string): MeasuredPhenotype {
  const image = images[pm.sequenceIndex];
  if (!image) throw new DatasetError(`the patient model measures sequence ${pm.sequenceIndex + 1} but the case has ${images.length}`, where);
  if (image.dims.some((d, a) => d !== mask.dims[a])) throw new DatasetError(`mask ${mask.dims.join('x')} is not on the image's grid ${image.dims.join('x')}`, where);
  const measurement = measureLesions({ image: image.data, mask: mask.data, dims: image.dims, spacing: affineZooms(image.affine) }, pm.measurement);
  return { features: patientPhenotypeFeatures(measurement, pm.measurement.shellCount), lesions: measurement.lesions.length };
}

/** Log-odds of a probability, clamped to ±ln(10⁶) so that a saturated network stays finite. */
export function logOdds(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

/** The fused output from a patient's phenotype features and the network's aggregated probability. */
export function fusePatientEgfr(pm: PatientModel, phenotype: MeasuredPhenotype, networkProbability: number): PatientEgfr {
  const phenotypeLogit = logisticLogit(pm.phenotype, phenotype.features);
  const fused = pm.temperature * (phenotypeLogit + logOdds(networkProbability) - pm.priorLogOdds);
  return { probability: sigmoid(fused), networkProbability, phenotypeProbability: sigmoid(phenotypeLogit), lesions: phenotype.lesions };
}

/** Applies the patient model to a predicted case (its input images and the predicted mask on their grid). */
export function patientEgfrOf(pm: PatientModel, input: CaseInput, mask: Volume<Uint8Array>, networkProbability: number): PatientEgfr {
  return fusePatientEgfr(pm, phenotypeOf(pm, input.images, mask, input.source ?? input.id), networkProbability);
}

export async function savePatientModel(runDir: string, pm: PatientModel): Promise<void> {
  await writeFileAtomic(runPaths(runDir).patientModel, JSON.stringify(pm, null, 1) + '\n');
}

/** The run's patient model, or null when the run has none; a corrupt file is a ModelFileError naming it. */
export async function loadPatientModel(runDir: string): Promise<PatientModel | null> {
  const file = runPaths(runDir).patientModel;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelFileError(`can not read: ${(err as Error).message}`, file);
  }
  let value: PatientModel;
  try {
    value = JSON.parse(text) as PatientModel;
  } catch {
    throw new ModelFileError('not valid JSON (truncated or corrupt patient model)', file);
  }
  if (value?.format !== PATIENT_MODEL_FORMAT || value.formatVersion !== 1) throw new ModelFileError(`not a ${PATIENT_MODEL_FORMAT} file of version 1`, file);
  try {
    if (typeof value.sequence !== 'string' || !Number.isInteger(value.sequenceIndex) || value.sequenceIndex < 0) throw new Error('sequence and sequenceIndex are missing or invalid');
    if (!Number.isFinite(value.priorLogOdds)) throw new Error('priorLogOdds must be a finite number');
    if (!(Number.isFinite(value.temperature) && value.temperature > 0)) throw new Error('temperature must be a finite number > 0');
    value.measurement = resolveLesionPhenotypeOptions(value.measurement);
    checkLogisticModel(value.phenotype, 'phenotype');
    const names = patientPhenotypeFeatureNames(value.measurement.shellCount);
    if (value.phenotype.names.join() !== names.join()) throw new Error(`the phenotype model's features must be ${names.join(', ')}`);
  } catch (err) {
    throw new ModelFileError(`invalid patient model: ${(err as Error).message}`, file);
  }
  return value;
}
