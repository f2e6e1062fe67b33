/**
 * The study runner: every cell of a grid is trained on the development cohort (lib/experiments/train-run.ts: the same
 * patient split for every cell) and evaluated on each test cohort (lib/experiments/evaluation.ts), and all of it lands
 * in one study folder (lib/experiments/study-folder.ts). Re-running on the same folder skips finished cells, and a
 * half-finished cell continues from its run's latest checkpoint (exact resumption, lib/train/trainer.ts), then is
 * evaluated again from scratch. A folder started with another grid is refused rather than mixed.
 */
import { promises as fs } from 'node:fs';
import { ConfigError } from '../errors';
import type { EvaluationSummary } from '../eval/evaluate';
import type { TrainCallbacks } from '../train/progress';
import { runPaths } from '../train/run-folder';
import { evaluateRun } from './evaluation';
import { gridCells, type Grid, type GridCell } from './grid';
import { writeResultsCsv, type ResultRow } from './results';
import { claimStudyFolder, readCellRecord, studyPaths, writeCellRecord, type CellRecord } from './study-folder';
import { trainRun } from './train-run';

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


export interface AblationResult {
  rows: ResultRow[];
  records: CellRecord[];
  /** Cells not finished (only when `maxCells` stopped the call early). */
  pending: string[];
}


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
    const { summary } = await evaluateRun(runDir, dir, paths.evaluation(cell.id, set), { bootstrap: options.bootstrap ?? 1000, patientModel: false });
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
    await writeCellRecord(out, record);
    records.push(record);
    trained++;
    await writeResultsCsv(records.flatMap((r) => r.rows), paths.results);
    options.onEvent?.({ kind: 'done', cell, index, total: cells.length, seconds: record.seconds });
  }
  const rows = records.flatMap((r) => r.rows);
  await writeResultsCsv(rows, paths.results);
  return { rows, records, pending };
}
