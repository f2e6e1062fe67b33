import { UsageError } from '../../errors';
import { BACKEND_NAMES } from '../../engine/backend';
import { LAYOUTS } from '../../data/dataset';
import { trainRun } from '../../experiments/train-run';
import type { ModelKind } from '../../model/multitask';
import { splitDefaults } from '../../data/splits';
import { trainDefaults } from '../../train/config';
import { terminalProgress } from '../../train/progress';
import { runPaths } from '../../train/run-folder';
import { NON_FINITE_RULES, nonFiniteReport, withNonFinite } from '../../io/non-finite';
import { PATIENT_MODEL_STAGES } from '../../patient/fit';
import { createLazyProgress, createStagedProgress } from '../../util/progress';
import { weightingKinds } from '../../weighting/create';
import { weightingHelp } from '../../weighting/registry';
import type { WeightingConfig } from '../../weighting/create';
import { choiceOption, flagOptions, integerOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const d = trainDefaults;
const usage = `usage: egfr-gtv train --data DIR --model mtl|seg|cls|unet --out RUN [options]

Trains a model on a cohort (project-native layout by default) and writes the run folder RUN: config.json (everything
needed to rebuild the run), metrics.csv (per epoch), task-weights.csv (per step), checkpoints/ and model/; for mtl
also patient-model.json, the patient-level EGFR model that eval and predict fuse with the network's probability
(see egfr-gtv patient-model).
The cohort is split by patient, stratified by EGFR, into training and validation (--val-fraction).

  --steps N              optimiser steps (default: --epochs x --steps-per-epoch, else ${d.steps})
  --epochs N             epochs of --steps-per-epoch steps
  --steps-per-epoch N    default ${d.stepsPerEpoch}
  --batch B              slices per step (default ${d.batchSize})
  --lr X                 peak learning rate (default ${d.learningRate}), warm-up ${d.warmupShare * 100}% then cosine
  --weight-decay X       decoupled weight decay of AdamW (default 0: Adam)
  --seed S               seed of weights, sampling, augmentation and split (default ${d.seed})
  --weighting W          the task-weighting strategy (default: uncertainty for mtl), one of:
${weightingHelp('                           ')}
  --size P               slice size in pixels, a multiple of 16 (default 128)
  --base-channels C      channels of the first encoder stage (default 16)
  --context K            neighbouring slices on each side as extra channels (2.5D; default 0)
  --sequences a,b        sequences in channel order (default: all of the first case, sorted)
  --cases a,b            train on these cases of the cohort only (ids; default all), validation split among them
  --val-fraction F       share of patients for validation (default ${splitDefaults.valFraction}; 0 for none)
  --validate-every N     validate every N epochs (default ${d.validateEvery}) on the held-out patients (3D Dice, EGFR AUC)
  --patience N           stop after N validations without improvement of the validation score (mean of the
                         validation Dice and AUC); the best epoch's model is kept either way (default: never stop
                         early); 0 turns both off and keeps the last weights
  --tumour-fraction F    share of tumour slices in a batch (default ${d.tumourFraction}; 1 for cls)
  --no-augment           no augmentation
  --no-patient-model     do not fit the patient-level EGFR model after an mtl run
  --layout L             ${LAYOUTS.join(' | ')} (default native)
  --backend B            ${BACKEND_NAMES.join(' | ')} (default: the fastest available)
  --resume               continue RUN from its latest checkpoint with its stored config
  --non-finite R         NaN or infinite voxels in an image: error (default: refuse it, naming the file and the
                         count) or zero (replace them by 0; --json adds non_finite_replaced and non_finite_files)
  --json                 print the summary as one JSON object`;

export const command: Command = {
  name: 'train',
  summary: 'train a multi-task, segmentation or classification model and write a run folder',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('data', 'model', 'out', 'steps', 'epochs', 'steps-per-epoch', 'batch', 'lr', 'weight-decay', 'seed', 'weighting'),
      ...stringOptions('size', 'base-channels', 'context', 'sequences', 'cases', 'val-fraction', 'patience', 'validate-every'),
      ...stringOptions('tumour-fraction', 'layout', 'backend', 'non-finite'),
      ...flagOptions('no-augment', 'no-patient-model', 'resume', 'json'),
    });
    const data = requireOption(values, 'data');
    const out = requireOption(values, 'out');
    const kinds: ModelKind[] = ['mtl', 'seg', 'cls', 'unet'];
    // A resumed run takes its model from its own config.json; 'mtl' only fills the option.
    if (!values.resume) requireOption(values, 'model');
    const kind = choiceOption(values, 'model', kinds, 'mtl');
    const weighting = choiceOption(values, 'weighting', weightingKinds);
    const layout = choiceOption(values, 'layout', LAYOUTS, 'native');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const positive = (name: string): number | undefined => integerOption(values, name, undefined, 1);
    const size = integerOption(values, 'size', 128, 16);
    if (size % 16 !== 0) throw new UsageError(`--size must be a positive multiple of 16, got ${size}`);
    const patience = integerOption(values, 'patience', undefined, 0);
    const seed = integerOption(values, 'seed', 0, 0);
    const nonFinite = choiceOption(values, 'non-finite', NON_FINITE_RULES, 'error');
    const { result: trained, replaced } = await withNonFinite(nonFinite, () => trainRun({
      data,
      out,
      layout,
      ...(values.sequences ? { sequences: values.sequences.split(',').map((s) => s.trim()) } : {}),
      ...(values.cases ? { cases: values.cases.split(',').map((s) => s.trim()) } : {}),
      model: { kind, ...(values['base-channels'] ? { encoder: { baseChannels: positive('base-channels')! } } : {}) },
      preprocess: { size, context: integerOption(values, 'context', 0, 0) },
      train: {
        seed,
        ...(values['steps'] !== undefined ? { steps: positive('steps') } : {}),
        ...(values['epochs'] !== undefined ? { epochs: positive('epochs') } : {}),
        ...(values['steps-per-epoch'] !== undefined ? { stepsPerEpoch: positive('steps-per-epoch') } : {}),
        ...(values['batch'] !== undefined ? { batchSize: positive('batch') } : {}),
        ...(values['validate-every'] !== undefined ? { validateEvery: positive('validate-every') } : {}),
        optimizer: { learningRate: numberOption(values, 'lr', d.learningRate), weightDecay: numberOption(values, 'weight-decay', 0) },
        ...(weighting ? { weighting: { kind: weighting } as WeightingConfig } : {}),
        ...(patience === 0 ? { earlyStopping: null } : {}),
        ...(patience !== undefined && patience > 0 ? { earlyStopping: { metric: 'score', mode: 'max' as const, patience, minDelta: 0 } } : {}),
        ...(values['tumour-fraction'] !== undefined ? { sampler: { tumourFraction: numberOption(values, 'tumour-fraction', d.tumourFraction) } } : {}),
        ...(values['no-augment'] ? { augment: null } : {}),
      },
      valFraction: numberOption(values, 'val-fraction', splitDefaults.valFraction),
      ...(backend ? { backend } : {}),
      resume: values.resume === true,
      callbacks: terminalProgress(),
      onPrepare: createLazyProgress('prepare cases'),
      patientModel: !values['no-patient-model'],
      onPatientModel: createStagedProgress((stage) => PATIENT_MODEL_STAGES[stage]),
    }));
    const { config, result, patientModel, patientModelSkipped } = trained;
    if (patientModelSkipped) process.stderr.write(`egfr-gtv train: no patient model fitted: ${patientModelSkipped}\n`);
    const last = result.epochs[result.epochs.length - 1];
    const summary = {
      run: out,
      model: runPaths(out).model,
      patient_model: patientModel ? runPaths(out).patientModel : null,
      patient_model_skipped: patientModelSkipped,
      kind: config.model.kind,
      backend: config.backend,
      steps: result.steps,
      epochs: result.epochs.length,
      stopped_early: result.stoppedEarly,
      best_epoch: result.bestEpoch,
      seconds: last?.seconds ?? 0,
      // The whole process, all threads (preparation and validation included): what a CPU budget counts.
      cpu_seconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e4) / 100,
      train_cases: config.data.train.length,
      val_cases: config.data.val.length,
      last_validation: last?.validation ?? {},
      ...(nonFinite === 'zero' ? nonFiniteReport(replaced) : {}),
    };
    process.stdout.write(values.json ? JSON.stringify(summary) + '\n' : `trained ${summary.steps} steps in ${Math.round(summary.seconds)} s; model in ${summary.model}\n`);
    return 0;
  },
};
