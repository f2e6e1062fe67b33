/**
 * Fitting the patient-level EGFR model (lib/patient/patient-model.ts) of a multi-task run, in three stages:
 * 1. its phenotype model on the lesions of the training patients' ground-truth masks;
 * 2. with the run's network, its candidate screen on the components of the network's predicted masks of the
 *    validation patients and of the first `candidatePatients` training patients (a component is a lesion when it
 *    touches the ground truth). The network has seen the training patients, so their masks alone would show it at its
 *    best; the validation patients show it as a test patient does. Fewer than MIN_CANDIDATES_PER_KIND true or false
 *    candidates leave the run without a screen. So that the screen travels to other scanners (issue 16), each
 *    validation patient is also predicted once as a thick-slice copy (`thickSliceCopies`, default on): its images
 *    re-acquired in slabs of a thickness drawn from the training's scanner randomisation range (1.5-7 mm,
 *    lib/data/scanner-randomisation.ts `simulateThickSlices`, seeded by the patient id), so the screen's features
 *    (flatness and rim brightness above all, which thick slices shift) are fitted on thin and thick slices alike; the
 *    copies' candidates join the screen's data and nothing else (the temperatures use the patients as they are);
 * 3. its temperatures on the validation patients' predictions (the network's probability and the screened mask's
 *    phenotypes, as a test patient gives them).
 * The train command runs it after the network; `egfr-gtv patient-model` runs it for an existing run.
 */
import type { Case } from '../data/case';
import { readCaseInput } from '../data/case-input';
import type { CaseInput } from '../preprocess/prepare-case';
import { ConfigError, DatasetError } from '../errors';
import { scannerRandomisationDefaults, simulateThickSlices } from '../data/scanner-randomisation';
import { Rng } from '../util/rng';
import { DEFAULT_RIM_MM, LESION_CANDIDATE_FEATURES } from './lesion-candidates';
import { fitLogistic, fitTemperature, logisticLogit } from './logistic-regression';
import { patientPhenotypeFeatureNames, resolveLesionPhenotypeOptions, type LesionPhenotypeOptions } from './lesion-phenotype';
import type { RunConfig } from '../train/run-folder';
import type { Volume } from '../volume/volume';
import { PATIENT_MODEL_FORMAT, PATIENT_MODEL_VERSION, candidatesOf, fusedLogOdds, logOdds, phenotypeOf, phenotypeSequence, screenLesions, type CandidateScreen, type PatientModel } from './patient-model';

/** Progress labels of the stages of fitting. */
export const PATIENT_MODEL_STAGES = {
  train: 'patient model: measure training masks',
  val: 'patient model: predict validation patients',
  candidates: 'patient model: predict training patients for the lesion screen',
} as const;

export type PatientModelStage = keyof typeof PATIENT_MODEL_STAGES;

/** A candidate screen needs at least this many true and this many false candidates to be fitted. */
export const MIN_CANDIDATES_PER_KIND = 5;

export interface FitPatientModelOptions {
  measurement: Partial<LesionPhenotypeOptions>;
  /** L2 penalty of the phenotype model and of the candidate screen, on standardised features. Default 1. */
  l2: number;
  /**
   * The run's network, as what it predicts for a case (eval's `networkPredictor`), to fit the candidate screen and the
   * temperatures; without it neither is fitted.
   */
  network: NetworkPredictor;
  /**
   * Training patients predicted for the candidate screen, besides the validation patients. Default 60: with a few
   * tens of validation patients, enough candidates (false ones above all) to fit the screen's logistic regression, at
   * the cost of predicting each of them once (the quality run's counts and time: docs/model-spec.md, "Measurements
   * behind some defaults").
   */
  candidatePatients: number;
  /** P(lesion) below which the screen drops a component. Default 0.5. */
  candidateThreshold: number;
  /** Also fit the screen on a thick-slice copy of each validation patient (see the file comment). Default true. */
  thickSliceCopies: boolean;
  /** The copies' slice thickness range, mm. Default the training randomisation's, [1.5, 7]. */
  thickSliceMm: [number, number];
  onProgress?: (stage: PatientModelStage, done: number, total: number) => void;
}

export const fitPatientModelDefaults = {
  l2: 1,
  candidatePatients: 60,
  candidateThreshold: 0.5,
  thickSliceCopies: true,
  thickSliceMm: scannerRandomisationDefaults.lowResolution.range,
};

type LabelledInput = CaseInput & { label: number };

/** The network's own output for a case: its GTV mask on the case's grid and its EGFR probability. */
export type NetworkPredictor = (input: CaseInput) => { mask: Volume<Uint8Array> | null; egfrProbability: number | null };

/** Fits the patient model of a run from `cases`, the cohort it was trained on (its training split is used). */
export async function fitPatientModel(config: RunConfig, cases: readonly Case[], options: Partial<FitPatientModelOptions> = {}): Promise<PatientModel> {
  if (config.model.kind !== 'mtl') throw new ConfigError(`the patient model fuses a segmentation and a classifier: it needs an mtl run, not ${config.model.kind}`);
  const o = { ...fitPatientModelDefaults, ...options };
  if (!(Number.isInteger(o.candidatePatients) && o.candidatePatients >= 0)) throw new ConfigError(`candidatePatients must be an integer >= 0, got ${o.candidatePatients}`);
  if (!(o.candidateThreshold >= 0 && o.candidateThreshold <= 1)) throw new ConfigError(`candidateThreshold must be in [0, 1], got ${o.candidateThreshold}`);
  const measurement = resolveLesionPhenotypeOptions(options.measurement);
  const { sequence, sequenceIndex } = phenotypeSequence(config.data.sequences);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const read = async (id: string, split: string): Promise<LabelledInput> => {
    const c = byId.get(id);
    if (!c) throw new DatasetError(`case ${id} of the run's ${split} split is not in the data folder`, config.data.dir ?? id);
    const input = await readCaseInput(c, config.data.sequences);
    if (input.label === undefined) throw new DatasetError(`case ${id} has no EGFR label`, input.source ?? id);
    if (!input.mask) throw new DatasetError(`case ${id} has no GTV mask: the patient model is fitted against ground-truth masks`, input.source ?? id);
    return input as LabelledInput;
  };
  const X: number[][] = [];
  const y: number[] = [];
  for (const id of config.data.train) {
    const input = await read(id, 'training');
    X.push(phenotypeOf({ measurement, sequenceIndex }, input.images, input.mask!, input.source ?? id).features);
    y.push(input.label > 0 ? 1 : 0);
    o.onProgress?.('train', X.length, config.data.train.length);
  }
  const positives = y.filter((v) => v === 1).length;
  const pm: PatientModel = {
    format: PATIENT_MODEL_FORMAT,
    formatVersion: PATIENT_MODEL_VERSION,
    sequence,
    sequenceIndex,
    measurement,
    candidates: null,
    phenotype: fitLogistic(patientPhenotypeFeatureNames(measurement.shellCount), X, y, { l2: o.l2 }),
    priorLogOdds: Math.log(positives / (y.length - positives)),
    networkTemperature: 1,
    phenotypeTemperature: 1,
    temperature: 1,
    fitted: { trainPatients: X.length, valPatients: 0, candidatePatients: 0, candidates: 0, falseCandidates: 0, created: new Date().toISOString() },
  };
  const network = options.network;
  if (!network) return pm;

  const screenData = { features: [] as number[][], truth: [] as number[] };
  const predict = (input: LabelledInput) => {
    const prediction = network(input);
    if (!prediction.mask || prediction.egfrProbability === null) throw new ConfigError('the network gave no mask or no EGFR probability');
    const found = labelledCandidates(input, prediction.mask, sequenceIndex, measurement);
    screenData.features.push(...found.features);
    screenData.truth.push(...found.truth);
    return { mask: prediction.mask, networkProbability: prediction.egfrProbability };
  };
  const val: Array<{ id: string; mask: Volume<Uint8Array>; networkProbability: number; label: number }> = [];
  for (const id of config.data.val) {
    const input = await read(id, 'validation');
    val.push({ id, ...predict(input), label: input.label > 0 ? 1 : 0 });
    if (o.thickSliceCopies) {
      const rng = new Rng(`thick-slice-copy:${id}`);
      const thickness = rng.uniform(o.thickSliceMm[0], o.thickSliceMm[1]);
      const phase = rng.uniform(0, 1);
      predict({ ...input, images: input.images.map((image) => simulateThickSlices(image, thickness, phase)) });
    }
    o.onProgress?.('val', val.length, config.data.val.length);
  }
  const screenIds = config.data.train.slice(0, o.candidatePatients);
  for (const [k, id] of screenIds.entries()) {
    predict(await read(id, 'training'));
    o.onProgress?.('candidates', k + 1, screenIds.length);
  }
  const falseCandidates = screenData.truth.filter((t) => t === 0).length;
  pm.candidates = fitCandidateScreen(screenData.features, screenData.truth, { l2: o.l2, threshold: o.candidateThreshold });
  pm.fitted = { ...pm.fitted, valPatients: val.length, candidatePatients: screenIds.length, candidates: screenData.truth.length, falseCandidates };

  const labels = val.map((v) => v.label);
  if (!(labels.includes(0) && labels.includes(1))) return pm;
  const prior = pm.priorLogOdds;
  const networkLogits: number[] = [];
  const phenotypeLogits: number[] = [];
  for (const v of val) {
    // Read again rather than held since the prediction: only the masks stay in memory, not every patient's images.
    const input = await read(v.id, 'validation');
    const where = input.source ?? v.id;
    const screened = screenLesions(pm, input.images, v.mask, where);
    phenotypeLogits.push(logisticLogit(pm.phenotype, phenotypeOf(pm, input.images, screened.mask, where).features));
    networkLogits.push(logOdds(v.networkProbability));
  }
  pm.networkTemperature = fitTemperature(networkLogits.map((z) => z - prior), labels, prior);
  pm.phenotypeTemperature = fitTemperature(phenotypeLogits.map((z) => z - prior), labels, prior);
  const untempered = { ...pm, temperature: 1 };
  pm.temperature = fitTemperature(val.map((_, i) => fusedLogOdds(untempered, phenotypeLogits[i], networkLogits[i])), labels);
  return pm;
}

/**
 * The candidate screen from candidates' features and truth (1: touches the ground truth); null with fewer than
 * MIN_CANDIDATES_PER_KIND of either kind (a network with almost no false components needs no screen, and a few
 * examples can not fit one). Its rim width is DEFAULT_RIM_MM, the one `candidatesOf` measures the features with.
 */
export function fitCandidateScreen(features: number[][], truth: number[], options: { l2: number; threshold: number }): CandidateScreen | null {
  const trueCount = truth.filter((t) => t === 1).length;
  if (trueCount < MIN_CANDIDATES_PER_KIND || truth.length - trueCount < MIN_CANDIDATES_PER_KIND) return null;
  return { model: fitLogistic([...LESION_CANDIDATE_FEATURES], features, truth, { l2: options.l2 }), threshold: options.threshold, rimMm: DEFAULT_RIM_MM };
}

/** The candidates of a predicted mask with their truth against the case's ground-truth mask. */
function labelledCandidates(input: CaseInput, mask: Volume<Uint8Array>, sequenceIndex: number, measurement: LesionPhenotypeOptions): { features: number[][]; truth: number[] } {
  const { components, candidates } = candidatesOf({ sequenceIndex, measurement }, input.images, mask, input.source ?? input.id);
  const touches = new Uint8Array(components.count + 1);
  const gt = input.mask!.data;
  for (let i = 0; i < gt.length; i++) if (gt[i] > 0) touches[components.labels[i]] = 1;
  return { features: candidates.map((c) => c.features), truth: candidates.map((c) => touches[c.label]) };
}
