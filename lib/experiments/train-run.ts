/**
 * A complete training run from a dataset folder: open the cohort, split it by patient (stratified by EGFR, seeded),
 * put the cases on the model grid, build the model, train with patient-level validation (lib/eval/evaluate.ts) and
 * write the run folder. It lives in eval, not train, because validation needs prediction and metrics, which sit
 * after training in the data flow; the trainer itself only takes a validation function.
 */
import { promises as fs } from 'node:fs';
import { openDataset, type LayoutName } from '../data/dataset';
import { splitByPatient, splitDefaults } from '../data/splits';
import { SliceDataset } from '../data/slice-dataset';
import { inputChannels, resolvePreprocessConfig, type PreprocessConfig } from '../preprocess/config';
import { prepareCase, type PreparedCase } from '../preprocess/prepare-case';
import { readCaseInput } from '../data/case-input';
import { storeCase } from '../data/stored-case';
import type { Case } from '../data/case';
import { initEngine, type BackendName } from '../engine/backend';
import { ConfigError, DatasetError } from '../errors';
import { buildModel } from '../model/multitask';
import { resolveModelConfig, type ModelConfigInput } from '../model/multitask';
import { resolveTrainConfig, type TrainConfigInput } from '../train/config';
import type { TrainCallbacks } from '../train/progress';
import { readRunConfig, runPaths, runVersions, writeRunConfig, type RunConfig } from '../train/run-folder';
import { trainModel, type TrainResult } from '../train/trainer';
import { validationScores } from '../eval/evaluate';
import { networkPredictor } from '../eval/predict';
import { fitPatientModel, type FitPatientModelOptions } from '../patient/fit';
import { savePatientModel, type PatientModel } from '../patient/patient-model';

export interface TrainRunOptions {
  data: string;
  layout?: LayoutName;
  /** Sequences in channel order; default: the first case's sequences, sorted. */
  sequences?: string[];
  /**
   * Train on these cases of the cohort only (ids); the validation split is made among them. Default: every case. A
   * resumed run keeps the split it stored.
   */
  cases?: string[];
  model?: ModelConfigInput;
  preprocess?: Partial<PreprocessConfig>;
  train?: TrainConfigInput;
  /** Share of patients held out for validation; default 0.2 (0: no validation). */
  valFraction?: number;
  /** Seed of the split; default the training seed. */
  splitSeed?: number;
  out: string;
  /** Continue the run in `out` from its latest checkpoint with its stored config (model, split, training options). */
  resume?: boolean;
  backend?: BackendName;
  callbacks?: TrainCallbacks;
  stopAtStep?: number;
  /** Called while cases are read and prepared. */
  onPrepare?: (done: number, total: number) => void;
  /**
   * Fit the patient-level EGFR model (lib/patient/patient-model.ts) after training an mtl model to the end; default
   * true. It measures the training patients' ground-truth lesions (every one needs a mask and a label), then predicts
   * the validation patients and some training patients to fit its lesion screen and calibrate.
   */
  patientModel?: boolean;
  /** Called during each stage of fitting the patient model (PATIENT_MODEL_STAGES of lib/patient/fit.ts). */
  onPatientModel?: FitPatientModelOptions['onProgress'];
}

/** Reads and prepares the cases `ids`, each passed through `keep` as soon as it is ready (so floats can go). */
async function prepareCases<T>(
  cases: Case[],
  ids: string[],
  sequences: string[],
  config: PreprocessConfig,
  keep: (c: PreparedCase) => T,
  onPrepare?: (done: number) => void,
): Promise<T[]> {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const out: T[] = [];
  for (const id of ids) {
    out.push(keep(prepareCase(await readCaseInput(byId.get(id)!, sequences), config)));
    onPrepare?.(out.length);
  }
  return out;
}

/** Builds the run config for a fresh run. */
function freshConfig(options: TrainRunOptions, sequences: string[], classes: string[], split: { train: string[]; val: string[] }, backend: string): RunConfig {
  const preprocess = resolvePreprocessConfig(options.preprocess);
  const m = options.model ?? {};
  const model = resolveModelConfig({
    ...m,
    seed: m.seed ?? options.train?.seed ?? 0,
    input: { height: preprocess.size, width: preprocess.size, channels: inputChannels(sequences.length, preprocess) },
    ...(m.kind === 'seg' || m.kind === 'unet' ? {} : { classifier: { ...m.classifier, numClasses: classes.length } }),
  });
  return {
    format: 'egfr-gtv-run',
    formatVersion: 1,
    created: new Date().toISOString(),
    versions: runVersions(),
    backend,
    model,
    data: {
      dir: options.data,
      sequences,
      classes,
      preprocess,
      valFraction: options.valFraction ?? splitDefaults.valFraction,
      splitSeed: options.splitSeed ?? options.train?.seed ?? 0,
      train: split.train,
      val: split.val,
    },
    train: resolveTrainConfig(options.train ?? {}, model.kind),
  };
}

export interface TrainRunResult {
  config: RunConfig;
  result: TrainResult;
  patientModel: PatientModel | null;
  /** Why no patient model was fitted after a completed mtl run (e.g. one EGFR class among the training patients). */
  patientModelSkipped: string | null;
}

export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const engine = await initEngine(options.backend ? { backend: options.backend } : {});
  const stat = await fs.stat(options.data).catch(() => null);
  if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', options.data);
  const hasRun = await fs.stat(runPaths(options.out).config).then(
    () => true,
    () => false,
  );
  if (hasRun && !options.resume) throw new ConfigError('already holds a training run; pass --resume to continue it or choose another --out', options.out);
  const stored = options.resume && hasRun ? await readRunConfig(options.out) : null;

  const dataset = await openDataset(options.data, { layout: options.layout ?? 'native', ...(options.sequences ? { sequences: options.sequences } : {}) });
  const known = new Set(dataset.cases.map((c) => c.id));
  const unknown = options.cases?.find((id) => !known.has(id));
  if (unknown !== undefined) throw new DatasetError(`case ${unknown} (asked for training) is not in the data folder`, options.data);
  const chosen = options.cases ? new Set(options.cases) : null;
  const cohort = chosen ? dataset.cases.filter((c) => chosen.has(c.id)) : dataset.cases;
  if (cohort.length === 0) throw new DatasetError('no case chosen for training', options.data);
  const sequences = stored?.data.sequences ?? options.sequences ?? [...cohort[0].sequences].sort();
  const valFraction = options.valFraction ?? splitDefaults.valFraction;
  if (!(valFraction >= 0 && valFraction < 1)) throw new ConfigError(`validation fraction must be in [0, 1), got ${valFraction}`);
  const split = stored
    ? { train: stored.data.train, val: stored.data.val }
    : splitByPatient(cohort, { fractions: { train: 1 - valFraction, val: valFraction, test: 0 }, seed: options.splitSeed ?? options.train?.seed ?? 0 });
  const missing = [...split.train, ...split.val].find((id) => !known.has(id));
  if (missing) throw new DatasetError(`case ${missing} of the run's split is not in the data folder`, options.data);
  if (split.train.length === 0) throw new DatasetError('no case left for training after the validation split', options.data);

  const config = stored ?? freshConfig(options, sequences, dataset.classNames, split, engine.backend);
  if (!stored) await writeRunConfig(options.out, config);

  const total = split.train.length + split.val.length;
  const pre = config.data.preprocess;
  const trainCases = await prepareCases(dataset.cases, split.train, sequences, pre, storeCase, (n) => options.onPrepare?.(n, total));
  const valCases = await prepareCases(dataset.cases, split.val, sequences, pre, (c) => c, (n) => options.onPrepare?.(split.train.length + n, total));
  const model = buildModel(config.model);
  let patientModel: PatientModel | null = null;
  let patientModelSkipped: string | null = null;
  try {
    const result = await trainModel({
      model,
      dataset: new SliceDataset(trainCases, pre),
      config: config.train,
      runDir: options.out,
      resume: options.resume === true,
      ...(valCases.length > 0 ? { validate: async (m) => validationScores(m, valCases, pre) } : {}),
      ...(options.callbacks ? { callbacks: options.callbacks } : {}),
      ...(options.stopAtStep !== undefined ? { stopAtStep: options.stopAtStep } : {}),
    });
    if (config.model.kind === 'mtl' && options.patientModel !== false && result.completed) {
      // The network is saved by now: a cohort the patient model can not use (one class, a case without mask) costs
      // the patient model only, and the reason is reported.
      try {
        patientModel = await fitPatientModel(config, dataset.cases, { network: networkPredictor(model, config.data.preprocess), ...(options.onPatientModel ? { onProgress: options.onPatientModel } : {}) });
        await savePatientModel(options.out, patientModel);
      } catch (err) {
        if (!(err instanceof ConfigError || err instanceof DatasetError)) throw err;
        patientModelSkipped = err.message;
      }
    }
    return { config, result, patientModel, patientModelSkipped };
  } finally {
    model.dispose();
  }
}
