import { promises as fs } from 'node:fs';
import { openDataset, LAYOUTS } from '../../data/dataset';
import { BACKEND_NAMES, initEngine } from '../../engine/backend';
import { DatasetError } from '../../errors';
import { fitPatientModel, PATIENT_MODEL_STAGES } from '../../eval/fit-patient-model';
import { savePatientModel } from '../../eval/patient-model';
import { loadRun } from '../../eval/run';
import { runPaths } from '../../train/run-folder';
import { createStagedProgress } from '../../util/progress';
import { choiceOption, flagOptions, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv patient-model --run RUN [--data DIR] [--l2 1] [--layout native] [--backend B] [--json]

Fits the run's patient-level EGFR model and writes RUN/patient-model.json (replacing one there): a logistic model of
EGFR status on the lesion phenotypes (count, sizes, necrotic cores, perilesional oedema on the post-contrast T1) of
the training patients' ground-truth masks, whose log-odds eval and predict add, read off the predicted mask, to the
network's; then the temperature that calibrates that sum on the validation patients' predictions. The train command
already does this for mtl runs; use this command for older runs or to refit.

  --data DIR   the cohort the run was trained on (default: config.json's data.dir)
  --l2 X       L2 penalty of the logistic regression, on standardised features (default 1)`;

export const command: Command = {
  name: 'patient-model',
  summary: "fit a run's patient-level EGFR model (network probability fused with the predicted lesions' phenotypes)",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('run', 'data', 'l2', 'layout', 'backend'),
      ...flagOptions('json'),
    });
    const runDir = requireOption(values, 'run');
    const layout = choiceOption(values, 'layout', LAYOUTS, 'native');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const l2 = numberOption(values, 'l2', 1);
    await initEngine(backend ? { backend } : {});
    const { config, model } = await loadRun(runDir);
    try {
      const data = values.data ?? config.data.dir;
      if (!data) throw new DatasetError('the run records no data folder; pass --data', runDir);
      const stat = await fs.stat(data).catch(() => null);
      if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', data);
      const dataset = await openDataset(data, { layout, sequences: config.data.sequences });
      const pm = await fitPatientModel(config, dataset.cases, { l2, network: model, onProgress: createStagedProgress((stage) => PATIENT_MODEL_STAGES[stage]) });
      await savePatientModel(runDir, pm);
      const weights = { intercept: pm.phenotype.intercept, ...Object.fromEntries(pm.phenotype.names.map((n, i) => [n, pm.phenotype.weights[i]])) };
      const report = {
        patient_model: runPaths(runDir).patientModel,
        sequence: pm.sequence,
        train_patients: pm.fitted.trainPatients,
        val_patients: pm.fitted.valPatients,
        prior_log_odds: pm.priorLogOdds,
        temperature: pm.temperature,
        phenotype_weights: weights,
      };
      if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
      else {
        const w = Object.entries(weights).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
        process.stdout.write(
          `patient model: ${report.patient_model} (measured on ${pm.sequence})\n` +
            `phenotype model on ${pm.fitted.trainPatients} training patients (standardised weights): ${w}\n` +
            `temperature ${pm.temperature.toFixed(3)} (${pm.fitted.valPatients} validation patients)\n`,
        );
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
