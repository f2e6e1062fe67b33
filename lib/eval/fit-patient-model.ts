/**
 * Fitting the patient-level EGFR model (lib/eval/patient-model.ts) of a multi-task run: its phenotype model, on the
 * lesions of the training patients' ground-truth masks. The train command runs it after the network;
 * `egfr-gtv patient-model` runs it for an existing run.
 */
import type { Case } from '../data/case';
import { readCaseInput } from '../data/slice-dataset';
import { ConfigError, DatasetError } from '../errors';
import { fitLogistic, patientPhenotypeFeatureNames, resolveLesionPhenotypeOptions, type LesionPhenotypeOptions } from '../radiomics/index';
import type { RunConfig } from '../train/run-folder';
import { PATIENT_MODEL_FORMAT, phenotypeOf, phenotypeSequence, type PatientModel } from './patient-model';

export interface FitPatientModelOptions {
  measurement: Partial<LesionPhenotypeOptions>;
  /** L2 penalty of the logistic regression, on standardised features. Default 1. */
  l2: number;
  /** Called after each training patient is measured. */
  onProgress?: (done: number, total: number) => void;
}

/** Fits the patient model of a run from `cases`, the cohort it was trained on (its training split is used). */
export async function fitPatientModel(config: RunConfig, cases: readonly Case[], options: Partial<FitPatientModelOptions> = {}): Promise<PatientModel> {
  if (config.model.kind !== 'mtl') throw new ConfigError(`the patient model fuses a segmentation and a classifier: it needs an mtl run, not ${config.model.kind}`);
  const measurement = resolveLesionPhenotypeOptions(options.measurement);
  const { sequence, sequenceIndex } = phenotypeSequence(config.data.sequences);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const X: number[][] = [];
  const y: number[] = [];
  for (const id of config.data.train) {
    const c = byId.get(id);
    if (!c) throw new DatasetError(`case ${id} of the run's training split is not in the data folder`, config.data.dir ?? id);
    const input = await readCaseInput(c, config.data.sequences);
    const where = input.source ?? id;
    if (input.label === undefined) throw new DatasetError(`case ${id} has no EGFR label`, where);
    if (!input.mask) throw new DatasetError(`case ${id} has no GTV mask: the phenotype model is fitted on ground-truth masks`, where);
    X.push(phenotypeOf({ measurement, sequenceIndex }, input.images, input.mask, where).features);
    y.push(input.label > 0 ? 1 : 0);
    options.onProgress?.(X.length, config.data.train.length);
  }
  const positives = y.filter((v) => v === 1).length;
  const phenotype = fitLogistic(patientPhenotypeFeatureNames(measurement.shellCount), X, y, { l2: options.l2 ?? 1 });
  return {
    format: PATIENT_MODEL_FORMAT,
    formatVersion: 1,
    sequence,
    sequenceIndex,
    measurement,
    phenotype,
    priorLogOdds: Math.log(positives / (y.length - positives)),
    fitted: { trainPatients: X.length, created: new Date().toISOString() },
  };
}
