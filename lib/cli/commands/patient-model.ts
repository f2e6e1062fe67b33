import { promises as fs } from 'node:fs';
import { openDataset, LAYOUTS } from '../../data/dataset';
import { BACKEND_NAMES, initEngine } from '../../engine/backend';
import { DatasetError, UsageError } from '../../errors';
import { fitPatientModel, fitPatientModelDefaults, PATIENT_MODEL_STAGES } from '../../patient/fit';
import { savePatientModel } from '../../patient/patient-model';
import { networkPredictor } from '../../eval/predict';
import { loadRun } from '../../eval/run';
import { runPaths } from '../../train/run-folder';
import { createStagedProgress } from '../../util/progress';
import { choiceOption, flagOptions, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv patient-model --run RUN [--data DIR] [--l2 1] [--candidate-patients 60] [--layout native]
                             [--backend B] [--json]

Fits the run's patient-level EGFR model and writes RUN/patient-model.json (replacing one there):
- a logistic model of EGFR status on the lesion phenotypes (count, sizes, necrotic cores, perilesional oedema on the
  post-contrast T1) of the training patients' ground-truth masks, whose log-odds eval and predict add, read off the
  predicted mask, to the network's;
- a lesion-candidate screen that drops the predicted mask's components that look like vessels, dura or plexus rather
  than a lesion, fitted on the network's masks of the validation patients and of some training patients;
- the temperatures that calibrate the network's evidence, the phenotypes' and their sum on the validation patients.
The train command already does this for mtl runs; use this command for older runs or to refit.

  --data DIR                the cohort the run was trained on (default: config.json's data.dir)
  --l2 X                    L2 penalty of the logistic regressions, on standardised features (default 1)
  --candidate-patients N    training patients predicted for the lesion screen, besides the validation patients
                            (default 60; 0: validation patients only)`;

export const command: Command = {
  name: 'patient-model',
  summary: "fit a run's patient-level EGFR model (network probability fused with the predicted lesions' phenotypes)",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('run', 'data', 'l2', 'candidate-patients', 'layout', 'backend'),
      ...flagOptions('json'),
    });
    const runDir = requireOption(values, 'run');
    const layout = choiceOption(values, 'layout', LAYOUTS, 'native');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const l2 = numberOption(values, 'l2', fitPatientModelDefaults.l2);
    const candidatePatients = numberOption(values, 'candidate-patients', fitPatientModelDefaults.candidatePatients);
    if (!(Number.isInteger(candidatePatients) && candidatePatients >= 0)) throw new UsageError(`--candidate-patients must be an integer >= 0, got ${candidatePatients}`);
    await initEngine(backend ? { backend } : {});
    const { config, model } = await loadRun(runDir);
    try {
      const data = values.data ?? config.data.dir;
      if (!data) throw new DatasetError('the run records no data folder; pass --data', runDir);
      const stat = await fs.stat(data).catch(() => null);
      if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', data);
      const dataset = await openDataset(data, { layout, sequences: config.data.sequences });
      const pm = await fitPatientModel(config, dataset.cases, { l2, candidatePatients, network: networkPredictor(model, config.data.preprocess), onProgress: createStagedProgress((stage) => PATIENT_MODEL_STAGES[stage]) });
      await savePatientModel(runDir, pm);
      const weights = { intercept: pm.phenotype.intercept, ...Object.fromEntries(pm.phenotype.names.map((n, i) => [n, pm.phenotype.weights[i]])) };
      const report = {
        patient_model: runPaths(runDir).patientModel,
        sequence: pm.sequence,
        train_patients: pm.fitted.trainPatients,
        val_patients: pm.fitted.valPatients,
        candidate_patients: pm.fitted.candidatePatients,
        candidates: pm.fitted.candidates,
        false_candidates: pm.fitted.falseCandidates,
        candidate_screen: pm.candidates ? Object.fromEntries(pm.candidates.model.names.map((n, i) => [n, pm.candidates!.model.weights[i]])) : null,
        prior_log_odds: pm.priorLogOdds,
        network_temperature: pm.networkTemperature,
        phenotype_temperature: pm.phenotypeTemperature,
        temperature: pm.temperature,
        phenotype_weights: weights,
      };
      if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
      else {
        const w = Object.entries(weights).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
        process.stdout.write(
          `patient model: ${report.patient_model} (measured on ${pm.sequence})\n` +
            `phenotype model on ${pm.fitted.trainPatients} training patients (standardised weights): ${w}\n` +
            (pm.candidates
              ? `lesion screen on ${pm.fitted.candidates} candidates (${pm.fitted.falseCandidates} false) of ${pm.fitted.valPatients} validation and ${pm.fitted.candidatePatients} training patients\n`
              : `no lesion screen: ${pm.fitted.candidates} candidates (${pm.fitted.falseCandidates} false) are too few of a kind\n`) +
            `temperatures (${pm.fitted.valPatients} validation patients): network ${pm.networkTemperature.toFixed(3)}, phenotypes ${pm.phenotypeTemperature.toFixed(3)}, sum ${pm.temperature.toFixed(3)}\n`,
        );
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
