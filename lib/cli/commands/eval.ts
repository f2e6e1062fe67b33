import { basename, join, resolve } from 'node:path';
import { LAYOUTS } from '../../data/dataset';
import { initEngine, BACKEND_NAMES } from '../../engine/backend';
import { defaultAggregateOptions, sliceAggregations } from '../../eval/aggregate';
import { evaluateRun, evaluateRunDefaults } from '../../experiments/evaluation';
import { NON_FINITE_RULES, nonFiniteReport, withNonFinite } from '../../io/non-finite';
import { createProgress } from '../../util/progress';
import { choiceOption, flagOptions, integerOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';
import { TEST_TIME_USAGE, testTimeOptions } from '../test-time';

const usage = `usage: egfr-gtv eval --run RUN --data DIR [--json] [--split all|train|val] [--out DIR] [--threshold 0.5]
                     [--bootstrap 2000] [--aggregation M] [--network-only] [--layout native] [--backend B]
                     [--non-finite error|zero] [--tta] [--tta-flips x,y] [--adapt-bn]

Evaluates a run's final model on a cohort, patient by patient, on each image's own grid: segmentation in 3D (dice,
iou, hd95_mm, assd_mm, sensitivity, precision, lesion_sensitivity, lesion_fp; mean, median and n over patients) and
the patient EGFR probability against the labels (auc with auc_ci95, accuracy, sensitivity, specificity, f1, brier at
--threshold, mutant vs wild-type). Writes patients.csv (one row per patient) and summary.json to --out (default
RUN/eval/<name of DIR>).

  --split S         which cases of DIR: all (default; e.g. an external cohort), or the run's own train or val split
  --aggregation M   how slice probabilities become the patient's: ${sliceAggregations.join(', ')} (default
                    ${defaultAggregateOptions.method}: mean weighted by the predicted tumour area of each slice)
  --network-only    score the network's own mask and probability even when the run has a patient model
                    (RUN/patient-model.json, which screens the mask's lesions and fuses the probability with their
                    phenotypes; see egfr-gtv patient-model)
  --non-finite R    NaN or infinite voxels in an image: error (default: refuse it, naming the file and the count) or
                    zero (replace them by 0; --json adds non_finite_replaced and non_finite_files)
${TEST_TIME_USAGE}

With a patient model the segmentation metrics score its screened mask and the EGFR metrics its fused probability;
summary.json adds network_auc and phenotype_auc, and patients.csv has network_probability and phenotype_probability
next to egfr_probability.`;

export const command: Command = {
  name: 'eval',
  summary: "evaluate a run's model on a cohort: 3D segmentation metrics and patient-level EGFR metrics",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('run', 'data', 'split', 'out', 'threshold', 'bootstrap', 'layout', 'backend', 'aggregation', 'non-finite', 'tta-flips'),
      ...flagOptions('json', 'network-only', 'tta', 'adapt-bn'),
    });
    const runDir = requireOption(values, 'run');
    const data = requireOption(values, 'data');
    const split = choiceOption(values, 'split', ['all', 'train', 'val'], 'all');
    const layout = choiceOption(values, 'layout', LAYOUTS, 'native');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const method = choiceOption(values, 'aggregation', sliceAggregations, defaultAggregateOptions.method);
    const replicates = integerOption(values, 'bootstrap', evaluateRunDefaults.bootstrap, 1);
    const nonFinite = choiceOption(values, 'non-finite', NON_FINITE_RULES, 'error');
    await initEngine(backend ? { backend } : {});
    const outDir = values.out ?? join(runDir, 'eval', basename(resolve(data)));
    let progress: ReturnType<typeof createProgress> | undefined;
    const { result: evaluated, replaced } = await withNonFinite(nonFinite, () =>
      evaluateRun(runDir, data, outDir, {
        split,
        layout,
        threshold: numberOption(values, 'threshold', evaluateRunDefaults.threshold),
        bootstrap: replicates,
        aggregation: method,
        patientModel: !values['network-only'],
        ...testTimeOptions(values),
        onPatient: (row, i, total) => {
          progress ??= createProgress('eval', total);
          progress.update(i + 1, row.case_id);
        },
      }),
    );
    const { summary, record } = evaluated;
    const report = { ...record, ...(nonFinite === 'zero' ? nonFiniteReport(replaced) : {}) };
    progress?.finish();
    const cls = summary.classification;
    if (values.json) {
      process.stdout.write(JSON.stringify(report) + '\n');
    } else {
      const f = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
      const seg = summary.segmentation;
      process.stdout.write(
        [
          `${summary.patients} patients (${split} of ${data})`,
          seg ? `dice mean ${f(seg.dice.mean)} median ${f(seg.dice.median)}; hd95 median ${f(seg.hd95_mm.median)} mm; lesion sensitivity ${f(seg.lesion_sensitivity.mean)}` : 'no segmentation',
          cls ? `egfr auc ${f(cls.auc)} (${report.egfr_source}) accuracy ${f(cls.accuracy)} sensitivity ${f(cls.sensitivity)} specificity ${f(cls.specificity)}` : 'no classification',
          `patients: ${join(outDir, 'patients.csv')}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
