/**
 * Fitting the patient-level EGFR model (lib/eval/patient-model.ts) of a multi-task run: its phenotype model on the
 * lesions of the training patients' ground-truth masks, then its temperature on the validation patients' predictions
 * (the network's probability and predicted mask, as a test patient gives them). The train command runs it after the
 * network; `egfr-gtv patient-model` runs it for an existing run.
 */
import type { Case } from '../data/case';
import { readCaseInput, type CaseInput } from '../data/slice-dataset';
import { ConfigError, DatasetError } from '../errors';
import type { MultiTaskModel } from '../model/multitask';
import { fitLogistic, fitTemperature, patientPhenotypeFeatureNames, resolveLesionPhenotypeOptions, type LesionPhenotypeOptions } from '../radiomics/index';
import type { RunConfig } from '../train/run-folder';
import { PATIENT_MODEL_FORMAT, logOdds, phenotypeOf, phenotypeSequence, type PatientModel } from './patient-model';
import { predictCase } from './predict';

/** Progress labels of the two stages of fitting. */
export const PATIENT_MODEL_STAGES = { train: 'patient model: measure training masks', val: 'patient model: calibrate on validation' } as const;

export interface FitPatientModelOptions {
  measurement: Partial<LesionPhenotypeOptions>;
  /** L2 penalty of the logistic regression, on standardised features. Default 1. */
  l2: number;
  /** The run's network, to calibrate on the validation patients; without it the temperature is 1. */
  network: MultiTaskModel;
  /** Called after each patient: 'train' measures a ground-truth mask, 'val' predicts a validation patient. */
  onProgress?: (stage: 'train' | 'val', done: number, total: number) => void;
}

/** Fits the patient model of a run from `cases`, the cohort it was trained on (its training split is used). */
export async function fitPatientModel(config: RunConfig, cases: readonly Case[], options: Partial<FitPatientModelOptions> = {}): Promise<PatientModel> {
  if (config.model.kind !== 'mtl') throw new ConfigError(`the patient model fuses a segmentation and a classifier: it needs an mtl run, not ${config.model.kind}`);
  const measurement = resolveLesionPhenotypeOptions(options.measurement);
  const { sequence, sequenceIndex } = phenotypeSequence(config.data.sequences);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const read = async (id: string, split: string): Promise<CaseInput & { label: number }> => {
    const c = byId.get(id);
    if (!c) throw new DatasetError(`case ${id} of the run's ${split} split is not in the data folder`, config.data.dir ?? id);
    const input = await readCaseInput(c, config.data.sequences);
    if (input.label === undefined) throw new DatasetError(`case ${id} has no EGFR label`, input.source ?? id);
    return input as CaseInput & { label: number };
  };
  const X: number[][] = [];
  const y: number[] = [];
  for (const id of config.data.train) {
    const input = await read(id, 'training');
    const where = input.source ?? id;
    if (!input.mask) throw new DatasetError(`case ${id} has no GTV mask: the phenotype model is fitted on ground-truth masks`, where);
    X.push(phenotypeOf({ measurement, sequenceIndex }, input.images, input.mask, where).features);
    y.push(input.label > 0 ? 1 : 0);
    options.onProgress?.('train', X.length, config.data.train.length);
  }
  const positives = y.filter((v) => v === 1).length;
  const pm: PatientModel = {
    format: PATIENT_MODEL_FORMAT,
    formatVersion: 1,
    sequence,
    sequenceIndex,
    measurement,
    phenotype: fitLogistic(patientPhenotypeFeatureNames(measurement.shellCount), X, y, { l2: options.l2 ?? 1 }),
    priorLogOdds: Math.log(positives / (y.length - positives)),
    temperature: 1,
    fitted: { trainPatients: X.length, valPatients: 0, created: new Date().toISOString() },
  };
  if (!options.network) return pm;
  const logits: number[] = [];
  const labels: number[] = [];
  for (const id of config.data.val) {
    const input = await read(id, 'validation');
    const egfr = predictCase(options.network, input, config.data.preprocess, { patientModel: pm }).patient;
    if (!egfr) throw new ConfigError('the network gave no mask or no EGFR probability');
    logits.push(logOdds(egfr.probability));
    labels.push(input.label > 0 ? 1 : 0);
    options.onProgress?.('val', logits.length, config.data.val.length);
  }
  pm.fitted.valPatients = logits.length;
  if (labels.includes(0) && labels.includes(1)) pm.temperature = fitTemperature(logits, labels);
  return pm;
}
