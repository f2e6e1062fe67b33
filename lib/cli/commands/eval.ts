import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openDataset, LAYOUTS } from '../../data/dataset';
import { readCaseInput } from '../../data/case-input';
import type { CaseInput } from '../../preprocess/prepare-case';
import { initEngine, BACKEND_NAMES } from '../../engine/backend';
import { DatasetError } from '../../errors';
import { defaultAggregateOptions, sliceAggregations } from '../../eval/aggregate';
import { evaluateModel, type PatientRow } from '../../eval/evaluate';
import { rocAuc } from '../../metrics/classification';
import { writePatientsCsv } from '../../eval/results';
import { loadPatientModel } from '../../patient/patient-model';
import { loadRun } from '../../eval/run';
import { writeFileAtomic } from '../../util/atomic-write';
import { createProgress } from '../../util/progress';
import { choiceOption, flagOptions, integerOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv eval --run RUN --data DIR [--json] [--split all|train|val] [--out DIR] [--threshold 0.5]
                     [--bootstrap 2000] [--aggregation M] [--network-only] [--layout native] [--backend B]

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

With a patient model the segmentation metrics score its screened mask and the EGFR metrics its fused probability;
summary.json adds network_auc and phenotype_auc, and patients.csv has network_probability and phenotype_probability
next to egfr_probability.`;

/** Mutant-vs-wild-type AUC of one probability column over the labelled patients that have it; null without both classes. */
function sourceAuc(rows: readonly PatientRow[], column: 'network_probability' | 'phenotype_probability'): number | null {
  const scored = rows.filter((r) => r.label !== null && r[column] !== null);
  return scored.length ? rocAuc(scored.map((r) => (r.label! > 0 ? 1 : 0)), scored.map((r) => r[column]!)) : null;
}

export const command: Command = {
  name: 'eval',
  summary: "evaluate a run's model on a cohort: 3D segmentation metrics and patient-level EGFR metrics",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('run', 'data', 'split', 'out', 'threshold', 'bootstrap', 'layout', 'backend', 'aggregation'),
      ...flagOptions('json', 'network-only'),
    });
    const runDir = requireOption(values, 'run');
    const data = requireOption(values, 'data');
    const split = choiceOption(values, 'split', ['all', 'train', 'val'], 'all');
    const layout = choiceOption(values, 'layout', LAYOUTS, 'native');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const method = choiceOption(values, 'aggregation', sliceAggregations, defaultAggregateOptions.method);
    const replicates = integerOption(values, 'bootstrap', 2000, 1);
    const engine = await initEngine(backend ? { backend } : {});
    const { config, model } = await loadRun(runDir);
    try {
      const patientModel = values['network-only'] ? null : await loadPatientModel(runDir);
      const stat = await fs.stat(data).catch(() => null);
      if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', data);
      const dataset = await openDataset(data, { layout, sequences: config.data.sequences });
      const ids = split === 'all' ? null : new Set(split === 'train' ? config.data.train : config.data.val);
      const cases = dataset.cases.filter((c) => !ids || ids.has(c.id));
      if (cases.length === 0) throw new DatasetError(`no case of the run's ${split} split is in the data folder`, data);
      const progress = createProgress('eval', cases.length);
      async function* inputs(): AsyncGenerator<CaseInput> {
        for (const c of cases) yield await readCaseInput(c, config.data.sequences);
      }
      const { rows, summary } = await evaluateModel(model, inputs(), config.data.preprocess, {
        egfrThreshold: numberOption(values, 'threshold', 0.5),
        bootstrap: { replicates },
        aggregation: { method },
        patientModel,
        onPatient: (row, i) => progress.update(i + 1, row.case_id),
      });
      progress.finish();
      const outDir = values.out ?? join(runDir, 'eval', basename(resolve(data)));
      await fs.mkdir(outDir, { recursive: true });
      await writePatientsCsv(rows, config.data.classes, join(outDir, 'patients.csv'));
      const cls = summary.classification;
      const report = {
        run: runDir,
        data,
        split,
        backend: engine.backend,
        patients: summary.patients,
        aggregation: method,
        egfr_source: patientModel ? 'patient-model' : 'network',
        segmentation: summary.segmentation,
        classification: cls
          ? {
              auc: cls.auc,
              auc_ci95: cls.aucCi ? [cls.aucCi.lower, cls.aucCi.upper] : null,
              accuracy: cls.accuracy,
              sensitivity: cls.sensitivity,
              specificity: cls.specificity,
              f1: cls.f1,
              brier: cls.brier,
              threshold: cls.threshold,
              confusion: cls.confusion,
              positives: cls.positives,
              negatives: cls.negatives,
            }
          : null,
        multiclass: summary.multiclass,
        network_auc: sourceAuc(rows, 'network_probability'),
        phenotype_auc: sourceAuc(rows, 'phenotype_probability'),
        patients_csv: join(outDir, 'patients.csv'),
      };
      await writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(report, null, 1) + '\n');
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
    } finally {
      model.dispose();
    }
  },
};
