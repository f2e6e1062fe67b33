/**
 * A run evaluated on a cohort and written to a folder, the one owner of that folder's files:
 *   patients.csv    one row per patient (lib/eval/results.ts), for any tool
 *   patients.json   the same rows, typed, for the report and notebooks
 *   summary.json    the EvaluationRecord below: what `egfr-gtv eval` prints with --json and what a study cell keeps
 *                   per test set (docs/architecture.md, "File formats")
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { openDataset, type LayoutName } from '../data/dataset';
import { readCaseInput } from '../data/case-input';
import { engineReport } from '../engine/backend';
import { DatasetError } from '../errors';
import { defaultAggregateOptions, type SliceAggregation } from '../eval/aggregate';
import { evaluateModel, type EvaluationSummary, type PatientRow } from '../eval/evaluate';
import type { TtaFlip } from '../eval/tta';
import { writePatientsCsv } from '../eval/results';
import { loadRun } from '../eval/run';
import { rocAuc } from '../metrics/classification';
import { loadPatientModel } from '../patient/patient-model';
import type { CaseInput } from '../preprocess/prepare-case';
import { writeFileAtomic } from '../util/atomic-write';

type BinaryReport = NonNullable<EvaluationSummary['classification']>;

/** summary.json of an evaluation folder. */
export interface EvaluationRecord {
  run: string;
  /** The cohort folder evaluated (the report finds example patients through it). */
  data: string;
  split: EvaluationSplit;
  backend: string;
  patients: number;
  aggregation: SliceAggregation;
  /** Which probability the classification metrics score. */
  egfr_source: 'patient-model' | 'network';
  segmentation: EvaluationSummary['segmentation'];
  classification:
    | (Pick<BinaryReport, 'auc' | 'accuracy' | 'sensitivity' | 'specificity' | 'f1' | 'brier' | 'threshold' | 'confusion' | 'positives' | 'negatives'> & {
        auc_ci95: [number, number] | null;
      })
    | null;
  multiclass: EvaluationSummary['multiclass'];
  /** The network's and the phenotypes' own AUCs beside the fused one (null without a patient model). */
  network_auc: number | null;
  phenotype_auc: number | null;
  patients_csv: string;
  /** The test-time options of the evaluation (absent in records written before they existed). */
  tta?: TtaFlip[];
  adapt_bn?: boolean;
}

export type EvaluationSplit = 'all' | 'train' | 'val';

export interface EvaluateRunOptions {
  /** Which cases of the cohort: all (default), or the run's own training or validation split. */
  split: EvaluationSplit;
  layout: LayoutName;
  /** Threshold on the patient EGFR probability. Default 0.5. */
  threshold: number;
  /** Bootstrap replicates of the AUC interval. Default 2000. */
  bootstrap: number;
  aggregation: SliceAggregation;
  /** Use the run's patient model when it has one (default true); false scores the network alone. */
  patientModel: boolean;
  /** Test-time flips (lib/eval/tta.ts); default none. */
  tta: TtaFlip[];
  /** Test-time batch-norm adaptation on each patient's slices (lib/eval/adapt-bn.ts); default false. */
  adaptBn: boolean;
  onPatient?: (row: PatientRow, index: number, total: number) => void;
}

export const evaluateRunDefaults: Omit<EvaluateRunOptions, 'onPatient'> = {
  split: 'all',
  layout: 'native',
  threshold: 0.5,
  bootstrap: 2000,
  aggregation: defaultAggregateOptions.method,
  patientModel: true,
  tta: [],
  adaptBn: false,
};

/** Mutant-vs-wild-type AUC of one probability column over the labelled patients that have it; null without both classes. */
function sourceAuc(rows: readonly PatientRow[], column: 'network_probability' | 'phenotype_probability'): number | null {
  const scored = rows.filter((r) => r.label !== null && r[column] !== null);
  const labels = scored.map((r) => (r.label! > 0 ? 1 : 0));
  if (!(labels.includes(0) && labels.includes(1))) return null;
  return rocAuc(labels, scored.map((r) => r[column]!));
}

/** The summary.json record of an evaluation. */
export function evaluationRecord(
  fields: Pick<EvaluationRecord, 'run' | 'data' | 'split' | 'backend' | 'aggregation' | 'egfr_source' | 'patients_csv'>,
  rows: readonly PatientRow[],
  summary: EvaluationSummary,
): EvaluationRecord {
  const cls = summary.classification;
  return {
    ...fields,
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
    network_auc: sourceAuc(rows, 'network_probability'),
    phenotype_auc: sourceAuc(rows, 'phenotype_probability'),
  };
}

/** Reads an evaluation folder's summary.json; a missing or unreadable one is a DatasetError naming it. */
export async function readEvaluationRecord(dir: string): Promise<EvaluationRecord> {
  const file = join(dir, 'summary.json');
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new DatasetError('missing evaluation summary', file);
  });
  let parsed: Partial<EvaluationRecord>;
  try {
    parsed = JSON.parse(text) as Partial<EvaluationRecord>;
  } catch (err) {
    throw new DatasetError(`evaluation summary is not valid JSON (${(err as Error).message})`, file);
  }
  if (typeof parsed.data !== 'string' || typeof parsed.run !== 'string') throw new DatasetError('evaluation summary names no run or data folder', file);
  return parsed as EvaluationRecord;
}

/**
 * Evaluates a run's final model on a cohort, patient by patient (lib/eval/evaluate.ts), and writes the evaluation
 * folder `outDir` (see the file comment).
 */
export async function evaluateRun(
  runDir: string,
  data: string,
  outDir: string,
  options: Partial<EvaluateRunOptions> = {},
): Promise<{ rows: PatientRow[]; summary: EvaluationSummary; record: EvaluationRecord }> {
  const o = { ...evaluateRunDefaults, ...options };
  const { config, model } = await loadRun(runDir);
  try {
    const patientModel = o.patientModel ? await loadPatientModel(runDir) : null;
    const stat = await fs.stat(data).catch(() => null);
    if (!stat || !stat.isDirectory()) throw new DatasetError('data folder does not exist', data);
    const dataset = await openDataset(data, { layout: o.layout, sequences: config.data.sequences });
    const ids = o.split === 'all' ? null : new Set(o.split === 'train' ? config.data.train : config.data.val);
    const cases = dataset.cases.filter((c) => !ids || ids.has(c.id));
    if (cases.length === 0) throw new DatasetError(`no case of the run's ${o.split} split is in the data folder`, data);
    async function* inputs(): AsyncGenerator<CaseInput> {
      for (const c of cases) yield await readCaseInput(c, config.data.sequences);
    }
    const { rows, summary } = await evaluateModel(model, inputs(), config.data.preprocess, {
      egfrThreshold: o.threshold,
      bootstrap: { replicates: o.bootstrap, seed: 0 },
      aggregation: { method: o.aggregation },
      patientModel,
      tta: o.tta,
      adaptBn: o.adaptBn,
      ...(o.onPatient ? { onPatient: (row: PatientRow, i: number) => o.onPatient!(row, i, cases.length) } : {}),
    });
    await fs.mkdir(outDir, { recursive: true });
    const patientsCsv = join(outDir, 'patients.csv');
    await writePatientsCsv(rows, config.data.classes, patientsCsv);
    await writeFileAtomic(join(outDir, 'patients.json'), JSON.stringify(rows) + '\n');
    const record = evaluationRecord(
      {
        run: runDir,
        data,
        split: o.split,
        backend: engineReport()?.backend ?? 'unknown',
        aggregation: o.aggregation,
        egfr_source: patientModel ? 'patient-model' : 'network',
        patients_csv: patientsCsv,
      },
      rows,
      summary,
    );
    record.tta = o.tta;
    record.adapt_bn = o.adaptBn;
    await writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(record, null, 1) + '\n');
    return { rows, summary, record };
  } finally {
    model.dispose();
  }
}
