/**
 * The ablation runner: every cell of a grid is trained on the development cohort (lib/experiments/train-run.ts: the same
 * patient split for every cell) and evaluated on each test cohort (lib/eval/evaluate.ts), and all of it lands in one
 * study folder:
 *   <out>/grid.json                     the resolved grid the study was started with
 *   <out>/cells/<cell>/run/             the training run folder (config, logs, checkpoints, model)
 *   <out>/cells/<cell>/eval/<set>/      patients.csv (one row per patient, p_<class> columns), the same rows as patients.json (typed, for
 *                                       the report and notebooks) and summary.json, per test set
 *   <out>/cells/<cell>/result.json      written last, atomically: the cell is finished exactly when it exists
 *   <out>/results.csv                   the tidy table of every finished cell (results.ts), rewritten after each cell
 * Re-running on the same folder skips finished cells, and a half-finished cell continues from its run's latest
 * checkpoint (exact resumption, lib/train/trainer.ts), then is evaluated again from scratch. A folder started with
 * another grid is refused rather than mixed.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../data/dataset';
import { readCaseInput } from '../data/case-input';
import type { CaseInput } from '../preprocess/prepare-case';
import { ConfigError } from '../errors';
import { evaluateModel, type EvaluationSummary, type PatientRow } from '../eval/evaluate';
import { writePatientsCsv } from '../eval/results';
import { loadRun } from '../eval/run';
import { trainRun } from './train-run';
import type { TrainCallbacks } from '../train/progress';
import { runPaths } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic-write';
import { gridCells, type Grid, type GridCell } from './grid';
import { writeResultsCsv, type ResultRow } from './results';

export interface AblationOptions {
  grid: Grid;
  /** The study folder (created when missing). */
  out: string;
  /** The development cohort: training and validation (project-native layout). */
  data: string;
  /** Test cohorts by set name, e.g. { internal: DIR, external: DIR }. */
  tests: Record<string, string>;
  /** Bootstrap replicates of the AUC interval per test set (default 1000). */
  bootstrap?: number;
  /** Stop after this many cells have been trained in this call (the rest stay for a later call). */
  maxCells?: number;
  /** Training progress of each cell. */
  trainCallbacks?: (cell: GridCell) => TrainCallbacks | undefined;
  onEvent?: (event: AblationEvent) => void;
}

export type AblationEvent =
  | { kind: 'skip'; cell: GridCell; index: number; total: number }
  | { kind: 'start'; cell: GridCell; index: number; total: number; resumed: boolean }
  | { kind: 'evaluated'; cell: GridCell; set: string; summary: EvaluationSummary }
  | { kind: 'done'; cell: GridCell; index: number; total: number; seconds: number };

/** What result.json holds. */
export interface CellRecord {
  cell: string;
  model: string;
  weighting: string;
  seed: number;
  /** Training steps done and the seconds they took (interrupted parts included). */
  steps: number;
  trainSeconds: number;
  /** Seconds of this call's work on the cell (training and evaluation). */
  seconds: number;
  rows: ResultRow[];
}

export interface AblationResult {
  rows: ResultRow[];
  records: CellRecord[];
  /** Cells not finished (only when `maxCells` stopped the call early). */
  pending: string[];
}

export const studyPaths = (out: string) => ({
  grid: join(out, 'grid.json'),
  results: join(out, 'results.csv'),
  cells: join(out, 'cells'),
  cell: (id: string) => join(out, 'cells', id),
  run: (id: string) => join(out, 'cells', id, 'run'),
  evaluation: (id: string, set: string) => join(out, 'cells', id, 'eval', set),
  record: (id: string) => join(out, 'cells', id, 'result.json'),
});

/** The metrics a cell reports per test set, from the evaluation summary; a metric the model lacks is left out. */
export function summaryMetrics(summary: EvaluationSummary): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, v: number | null | undefined) => {
    if (v !== null && v !== undefined && Number.isFinite(v)) out[name] = v;
  };
  const seg = summary.segmentation;
  if (seg) {
    put('dice', seg.dice.mean);
    put('dice_median', seg.dice.median);
    put('iou', seg.iou.mean);
    put('hd95_mm', seg.hd95_mm.median);
    put('lesion_sensitivity', seg.lesion_sensitivity.mean);
  }
  const cls = summary.classification;
  if (cls) {
    put('auc', cls.auc);
    put('accuracy', cls.accuracy);
    put('sensitivity', cls.sensitivity);
    put('specificity', cls.specificity);
    put('brier', cls.brier);
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes grid.json, or checks that the folder was started with the same grid. */
async function claimStudyFolder(grid: Grid, out: string): Promise<void> {
  const file = studyPaths(out).grid;
  const text = JSON.stringify(grid, null, 1) + '\n';
  await fs.mkdir(out, { recursive: true });
  const stored = await fs.readFile(file, 'utf8').catch(() => null);
  if (stored === null) {
    await writeFileAtomic(file, text);
    return;
  }
  if (stored !== text) {
    throw new ConfigError('this study folder was started with another grid; finish it with that grid or choose another folder', file);
  }
}

export async function readCellRecord(out: string, id: string): Promise<CellRecord | null> {
  const file = studyPaths(out).record(id);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as CellRecord;
  } catch (err) {
    throw new ConfigError(`corrupt cell record (${(err as Error).message}); delete it to rerun the cell`, file);
  }
}

/** Evaluates a finished run on one cohort: patient rows and the summary, both also written to `dir`. */
export async function evaluateRunOn(runDir: string, data: string, dir: string, bootstrap: number): Promise<{ rows: PatientRow[]; summary: EvaluationSummary }> {
  const { config, model } = await loadRun(runDir);
  try {
    const dataset = await openDataset(data, { layout: 'native', sequences: config.data.sequences });
    async function* inputs(): AsyncGenerator<CaseInput> {
      for (const c of dataset.cases) yield await readCaseInput(c, config.data.sequences);
    }
    const result = await evaluateModel(model, inputs(), config.data.preprocess, { bootstrap: { replicates: bootstrap, seed: 0 } });
    await fs.mkdir(dir, { recursive: true });
    await writePatientsCsv(result.rows, config.data.classes, join(dir, 'patients.csv'));
    await writeFileAtomic(join(dir, 'patients.json'), JSON.stringify(result.rows) + '\n');
    await writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ run: runDir, data, ...result.summary }, null, 1) + '\n');
    return result;
  } finally {
    model.dispose();
  }
}

async function runCell(cell: GridCell, options: AblationOptions): Promise<Omit<CellRecord, 'seconds'>> {
  const { grid, out } = options;
  const paths = studyPaths(out);
  const runDir = paths.run(cell.id);
  const size = cell.modelConfig.input?.height ?? 128;
  const callbacks = options.trainCallbacks?.(cell);
  const { result } = await trainRun({
    data: options.data,
    model: cell.modelConfig,
    preprocess: { ...grid.data.preprocess, size },
    train: cell.train,
    valFraction: grid.data.valFraction,
    splitSeed: grid.data.splitSeed,
    out: runDir,
    resume: await exists(runPaths(runDir).config),
    // Ablations compare networks; the patient model, fitted on top of an mtl network, would blur that comparison.
    patientModel: false,
    ...(callbacks ? { callbacks } : {}),
  });
  const trainSeconds = result.epochs.length > 0 ? result.epochs[result.epochs.length - 1].seconds : 0;
  const rows: ResultRow[] = [];
  const base = { grid: grid.name, cell: cell.id, model: cell.model, weighting: cell.weighting, seed: cell.seed };
  for (const [set, dir] of Object.entries(options.tests)) {
    const { summary } = await evaluateRunOn(runDir, dir, paths.evaluation(cell.id, set), options.bootstrap ?? 1000);
    options.onEvent?.({ kind: 'evaluated', cell, set, summary });
    for (const [metric, value] of Object.entries(summaryMetrics(summary))) rows.push({ ...base, set, metric, value });
  }
  return { cell: cell.id, model: cell.model, weighting: cell.weighting, seed: cell.seed, steps: result.steps, trainSeconds, rows };
}

/** Runs (or continues) a study; see the file comment for the folder it writes. */
export async function runAblation(options: AblationOptions): Promise<AblationResult> {
  const { grid, out } = options;
  if (Object.keys(options.tests).length === 0) throw new ConfigError('ablation: no test cohort given');
  await claimStudyFolder(grid, out);
  const paths = studyPaths(out);
  const cells = gridCells(grid);
  const records: CellRecord[] = [];
  const pending: string[] = [];
  let trained = 0;
  for (const [index, cell] of cells.entries()) {
    const done = await readCellRecord(out, cell.id);
    if (done) {
      records.push(done);
      options.onEvent?.({ kind: 'skip', cell, index, total: cells.length });
      continue;
    }
    if (options.maxCells !== undefined && trained >= options.maxCells) {
      pending.push(cell.id);
      continue;
    }
    const resumed = await exists(runPaths(paths.run(cell.id)).config);
    options.onEvent?.({ kind: 'start', cell, index, total: cells.length, resumed });
    const started = Date.now();
    const record: CellRecord = { ...(await runCell(cell, options)), seconds: (Date.now() - started) / 1000 };
    await writeFileAtomic(paths.record(cell.id), JSON.stringify(record, null, 1) + '\n');
    records.push(record);
    trained++;
    await writeResultsCsv(records.flatMap((r) => r.rows), paths.results);
    options.onEvent?.({ kind: 'done', cell, index, total: cells.length, seconds: record.seconds });
  }
  const rows = records.flatMap((r) => r.rows);
  await writeResultsCsv(rows, paths.results);
  return { rows, records, pending };
}
