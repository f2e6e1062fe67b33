/**
 * The patient-level EGFR model: the network's own patient probability (its slice probabilities aggregated,
 * lib/eval/aggregate.ts) fused with the lesion phenotypes its segmentation shows (lib/patient/lesion-phenotype.ts:
 * lesion count, sizes, necrotic cores, perilesional oedema). A 2D classifier reads one slice at a time and can not
 * count a patient's lesions; the segmentation head can, once its mask is stacked back into 3D. This is our reading
 * of the paper's multi-task design (docs/model-spec.md, "Patient model"): the segmentation task serves the EGFR
 * prediction.
 *
 * - `candidates`: a lesion-candidate screen (lib/patient/lesion-candidates.ts). A logistic regression gives each
 *   component of the predicted mask that passes the lesion size rule P(it is a lesion) from its shape and rim; the
 *   mask keeps the components with P >= `threshold` and drops the rest (and the components too small to be a lesion).
 *   It is fitted on the network's own predictions for validation and training patients, a component counting as a
 *   lesion when it touches the ground truth (lib/patient/fit.ts). False components (vessels, dura, plexus) count as
 *   extra small lesions, which read as EGFR-mutant; the screen removes most of them at the cost of a few true ones
 *   (the quality run's counts: docs/model-spec.md, "Measurements behind some defaults"). Null (no screen, the mask as
 *   the network gives it) when there were too few of either kind to fit it, and in files of version 1.
 * - `phenotype`: a logistic regression (lib/patient/logistic-regression.ts) of P(mutant) on the patient's phenotype
 *   features, fitted on the training patients measured on their ground-truth masks: the closest to what a good
 *   segmentation shows, and it costs no inference. At prediction it reads the screened predicted mask.
 * - Fusion: each source's evidence is its log-odds minus the training prior's, scaled by its own temperature
 *   (`networkTemperature`, `phenotypeTemperature`), fitted on the validation patients (`fitTemperature` with the prior
 *   as offset); the two are added to the prior: the Bayes rule for two pieces of evidence that are independent given
 *   the label, once each is calibrated. The network needs it: trained to a low cross-entropy on its training slices,
 *   it is over-confident on new patients (its temperature comes out well below 1). A free two-weight fusion fitted on
 *   the same validation patients gave the network a negative weight and ranked test patients worse than the
 *   phenotypes alone: one positive scale per source, fitted to that source alone, is what tens of patients can
 *   support (the quality run's figures: docs/model-spec.md, "Measurements behind some defaults").
 * - Calibration of the sum: the two sources are not independent (both read the same lesions), so the sum is
 *   over-confident. One more temperature T, fitted on the validation patients' sums, scales the fused log-odds:
 *   sigmoid(T · fused). A positive factor leaves the ranking (AUC) as it was. Without validation patients of both
 *   classes all three temperatures are 1.
 * Mutant means any mutation (label > 0): with three classes the fused probability replaces P(any mutation) and the
 * per-class probabilities stay the network's.
 */
import { promises as fs } from 'node:fs';
import type { CaseInput } from '../preprocess/prepare-case';
import { DatasetError, ModelFileError } from '../errors';
import { checkLogisticModel, logisticLogit, logisticProbability, sigmoid, type LogisticModel } from './logistic-regression';
import { DEFAULT_RIM_MM, keepComponents, LESION_CANDIDATE_FEATURES, lesionCandidates, type CandidateSet } from './lesion-candidates';
import { measureLesions, patientPhenotypeFeatureNames, patientPhenotypeFeatures, resolveLesionPhenotypeOptions, type LesionPhenotypeOptions, type PhenotypeInput } from './lesion-phenotype';
import { runPaths } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic-write';
import { affineZooms } from '../volume/affine';
import type { Volume, VoxelArray } from '../volume/volume';

export const PATIENT_MODEL_FORMAT = 'egfr-gtv-patient-model';

/** Files of version 1 (before the candidate screen and the per-source temperatures) load with neither. */
export const PATIENT_MODEL_VERSION = 2;

export interface CandidateScreen {
  /** P(a component is a lesion) from its features (LESION_CANDIDATE_FEATURES). */
  model: LogisticModel;
  /** Components with a lower P are dropped. */
  threshold: number;
  /** Rim width of the dark_rim and bright_rim features, mm. */
  rimMm: number;
}

export interface PatientModel {
  format: typeof PATIENT_MODEL_FORMAT;
  formatVersion: typeof PATIENT_MODEL_VERSION;
  /** The sequence whose image the phenotypes are measured on, and its channel index in the run's sequence order. */
  sequence: string;
  sequenceIndex: number;
  measurement: LesionPhenotypeOptions;
  candidates: CandidateScreen | null;
  phenotype: LogisticModel;
  /** ln(P(mutant) / P(wild-type)) among the training patients. */
  priorLogOdds: number;
  /** Scale of the network's evidence (its log-odds minus the prior); 1 without validation patients. */
  networkTemperature: number;
  /** Scale of the phenotype model's evidence; 1 without validation patients. */
  phenotypeTemperature: number;
  /** Scale of the fused log-odds; 1 without validation patients. */
  temperature: number;
  fitted: {
    trainPatients: number;
    valPatients: number;
    /** Training patients predicted to fit the candidate screen (besides the validation patients). */
    candidatePatients: number;
    /** Candidates it was fitted on, and how many of them touched no ground truth. */
    candidates: number;
    falseCandidates: number;
    created: string;
  };
}

/** One patient's fused EGFR output. */
export interface PatientEgfr {
  /** The fused P(any mutation). */
  probability: number;
  networkProbability: number;
  phenotypeProbability: number;
  /** Lesions measured (components that pass the lesion criteria and the candidate screen). */
  lesions: number;
  /** Components of lesion size the candidate screen dropped. */
  rejected: number;
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
  const measurement = measureLesions(phenotypeInput(pm, images, mask, where), pm.measurement);
  return { features: patientPhenotypeFeatures(measurement, pm.measurement.shellCount), lesions: measurement.lesions.length };
}

/** The lesion candidates (lib/patient/lesion-candidates.ts) of a mask on the grid of the model's sequence image. */
export function candidatesOf(pm: Pick<PatientModel, 'measurement' | 'sequenceIndex'>, images: readonly Volume<VoxelArray>[], mask: Volume<VoxelArray>, where: string, rimMm = DEFAULT_RIM_MM): CandidateSet {
  return lesionCandidates(phenotypeInput(pm, images, mask, where), pm.measurement, rimMm);
}

/** The model's sequence image and a mask on its grid, as the radiomics functions take them. */
function phenotypeInput(pm: Pick<PatientModel, 'sequenceIndex'>, images: readonly Volume<VoxelArray>[], mask: Volume<VoxelArray>, where: string): PhenotypeInput {
  const image = images[pm.sequenceIndex];
  if (!image) throw new DatasetError(`the patient model measures sequence ${pm.sequenceIndex + 1} but the case has ${images.length}`, where);
  if (image.dims.some((d, a) => d !== mask.dims[a])) throw new DatasetError(`mask ${mask.dims.join('x')} is not on the image's grid ${image.dims.join('x')}`, where);
  return { image: image.data, mask: mask.data, dims: image.dims, spacing: affineZooms(image.affine) };
}

/** Log-odds of a probability, clamped to ±ln(10⁶) so that a saturated network stays finite. */
export function logOdds(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

/** The fused log-odds from the phenotype model's and the network's log-odds (see the fusion above). */
export function fusedLogOdds(pm: PatientModel, phenotypeLogit: number, networkLogit: number): number {
  const prior = pm.priorLogOdds;
  return pm.temperature * (prior + pm.phenotypeTemperature * (phenotypeLogit - prior) + pm.networkTemperature * (networkLogit - prior));
}

/** The fused output from a patient's phenotype features and the network's aggregated probability. */
export function fusePatientEgfr(pm: PatientModel, phenotype: MeasuredPhenotype, networkProbability: number, rejected = 0): PatientEgfr {
  const phenotypeLogit = logisticLogit(pm.phenotype, phenotype.features);
  return {
    probability: sigmoid(fusedLogOdds(pm, phenotypeLogit, logOdds(networkProbability))),
    networkProbability,
    phenotypeProbability: sigmoid(phenotypeLogit),
    lesions: phenotype.lesions,
    rejected,
  };
}

/**
 * The candidate screen applied to a predicted mask on the image's grid: the mask of the kept components and how many
 * of lesion size were dropped. Without a screen the mask is returned as it is.
 */
export function screenLesions(pm: Pick<PatientModel, 'candidates' | 'measurement' | 'sequenceIndex'>, images: readonly Volume<VoxelArray>[], mask: Volume<Uint8Array>, where: string): { mask: Volume<Uint8Array>; rejected: number } {
  if (!pm.candidates) return { mask, rejected: 0 };
  const screen = pm.candidates;
  const { components, candidates } = candidatesOf(pm, images, mask, where, screen.rimMm);
  const kept = candidates.filter((c) => logisticProbability(screen.model, c.features) >= screen.threshold);
  return { mask: { ...mask, data: keepComponents(components, kept.map((c) => c.label)) }, rejected: candidates.length - kept.length };
}

/**
 * Applies the patient model to a predicted case (its input images and the predicted mask on their grid): the screened
 * mask and the fused EGFR output measured on it.
 */
export function applyPatientModel(pm: PatientModel, input: CaseInput, mask: Volume<Uint8Array>, networkProbability: number): { mask: Volume<Uint8Array>; patient: PatientEgfr } {
  const where = input.source ?? input.id;
  const screened = screenLesions(pm, input.images, mask, where);
  return { mask: screened.mask, patient: fusePatientEgfr(pm, phenotypeOf(pm, input.images, screened.mask, where), networkProbability, screened.rejected) };
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
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (value?.format !== PATIENT_MODEL_FORMAT || (version !== 1 && version !== PATIENT_MODEL_VERSION)) {
    throw new ModelFileError(`not a ${PATIENT_MODEL_FORMAT} file of version 1 or ${PATIENT_MODEL_VERSION}`, file);
  }
  if (version === 1) {
    value = {
      ...value,
      formatVersion: PATIENT_MODEL_VERSION,
      candidates: null,
      networkTemperature: 1,
      phenotypeTemperature: 1,
      fitted: { ...value.fitted, candidatePatients: 0, candidates: 0, falseCandidates: 0 },
    };
  }
  try {
    if (typeof value.sequence !== 'string' || !Number.isInteger(value.sequenceIndex) || value.sequenceIndex < 0) throw new Error('sequence and sequenceIndex are missing or invalid');
    if (!Number.isFinite(value.priorLogOdds)) throw new Error('priorLogOdds must be a finite number');
    for (const key of ['temperature', 'networkTemperature', 'phenotypeTemperature'] as const) {
      if (!(Number.isFinite(value[key]) && value[key] > 0)) throw new Error(`${key} must be a finite number > 0`);
    }
    value.measurement = resolveLesionPhenotypeOptions(value.measurement);
    checkLogisticModel(value.phenotype, 'phenotype');
    const names = patientPhenotypeFeatureNames(value.measurement.shellCount);
    if (value.phenotype.names.join() !== names.join()) throw new Error(`the phenotype model's features must be ${names.join(', ')}`);
    const screen = value.candidates;
    if (screen !== null) {
      if (typeof screen !== 'object') throw new Error('candidates must be a candidate screen or null');
      checkLogisticModel(screen.model, 'candidates.model');
      if (screen.model.names.join() !== LESION_CANDIDATE_FEATURES.join()) throw new Error(`the candidate screen's features must be ${LESION_CANDIDATE_FEATURES.join(', ')}`);
      if (!(screen.threshold >= 0 && screen.threshold <= 1)) throw new Error('candidates.threshold must be a probability');
      if (!(Number.isFinite(screen.rimMm) && screen.rimMm > 0)) throw new Error('candidates.rimMm must be a finite number > 0');
    }
  } catch (err) {
    throw new ModelFileError(`invalid patient model: ${(err as Error).message}`, file);
  }
  return value;
}
