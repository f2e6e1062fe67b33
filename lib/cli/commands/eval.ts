import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openDataset, LAYOUTS, type LayoutName } from '../../data/dataset';
import { readCaseInput, type CaseInput } from '../../data/slice-dataset';
import { initEngine, BACKEND_NAMES, type BackendName } from '../../engine/backend';
import { DatasetError, UsageError } from '../../errors';
import { evaluateModel } from '../../eval/evaluate';
import { writePatientsCsv } from '../../eval/results';
import { loadRun } from '../../eval/run';
import { writeFileAtomic } from '../../util/atomic-write';
import { createProgress } from '../../util/progress';
import { numberOption, parseCommandArgs, requireOption } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv eval --run RUN --data DIR [--json] [--split all|train|val] [--out DIR] [--threshold 0.5]
                     [--bootstrap 2000] [--layout native] [--backend B]

Evaluates a run's final model on a cohort, patient by patient, on each image's own grid: segmentation in 3D (dice,
iou, hd95_mm, assd_mm, sensitivity, precision, lesion_sensitivity, lesion_fp; mean, median and n over patients) and
the patient EGFR probability against the labels (auc with auc_ci95, accuracy, sensitivity, specificity, f1, brier at
--threshold, mutant vs wild-type). Writes patients.csv (one row per patient) and summary.json to --out (default
RUN/eval/<name of DIR>).

  --split S     which cases of DIR: all (default; e.g. an external cohort), or the run's own train or val split`;

export const command: Command = {
  name: 'eval',
  summary: "evaluate a run's model on a cohort: 3D segmentation metrics and patient-level EGFR metrics",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      run: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      split: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      bootstrap: { type: 'string' },
      layout: { type: 'string' },
      backend: { type: 'string' },
    });
    const runDir = requireOption(values, 'run');
    const data = requireOption(values, 'data');
    const split = values.split ?? 'all';
    if (!['all', 'train', 'val'].includes(split)) throw new UsageError(`--split must be all, train or val, got '${split}'`);
    const layout = values.layout ?? 'native';
    if (!(LAYOUTS as string[]).includes(layout)) throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}, got '${layout}'`);
    const backend = values.backend;
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
      throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
    }
    const replicates = numberOption(values, 'bootstrap', 2000);
    if (!Number.isInteger(replicates) || replicates < 1) throw new UsageError(`--bootstrap must be a positive integer, got ${replicates}`);
    const engine = await initEngine(backend ? { backend: backend as BackendName } : {});
    const { config, model } = await loadRun(runDir);
    try {
      const stat = await fs.stat(data).catch(() => null);
      if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', data);
      const dataset = await openDataset(data, { layout: layout as LayoutName, sequences: config.data.sequences });
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
            cls ? `egfr auc ${f(cls.auc)} accuracy ${f(cls.accuracy)} sensitivity ${f(cls.sensitivity)} specificity ${f(cls.specificity)}` : 'no classification',
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
