/**
 * The study runner: every cell of a grid is trained on the development cohort (lib/experiments/train-run.ts: the same
 * patient split for every cell) and evaluated on each test cohort (lib/experiments/evaluation.ts), and all of it lands
 * in one study folder (lib/experiments/study-folder.ts). Re-running on the same folder skips finished cells, and a
 * half-finished cell continues from its run's latest checkpoint (exact resumption, lib/train/trainer.ts), then is
 * evaluated again from scratch. A folder started with another grid is refused rather than mixed.
 *
 * Several workers can run on one folder at once (local processes, Slurm array tasks, Kubernetes pods; docs/cluster.md):
 * a worker trains a cell only while it holds the cell's claim (lib/experiments/claims.ts), refreshed at every training
 * step and by a timer; a claim whose lease expired (its worker was killed) is taken over, and the cell continues from
 * its checkpoint. A worker with a task index and count takes its share (cells i, i+N, i+2N, ...) first, then helps
 * with any unclaimed cell, and waits while cells are claimed by live workers, until every cell is finished or has
 * failed in this run. results.csv is rebuilt from the finished cells' records under a lock.
 */
import { promises as fs } from 'node:fs';
import { ConfigError } from '../errors';
import type { EvaluationSummary } from '../eval/evaluate';
import type { TrainCallbacks } from '../train/progress';
import { runPaths } from '../train/run-folder';
import { evaluateRun } from './evaluation';
import { gridCells, type Grid, type GridCell } from './grid';
import { writeResultsCsv, type ResultRow } from './results';
import { currentWorker, keepAlive, leaseSeconds, LeaseLostError, tryClaim, withLock, type Claim, type Lease, type WorkerInfo } from './claims';
import {
  appendCellHistory,
  claimStudyFolder,
  readCellFailure,
  readCellRecord,
  studyPaths,
  writeCellFailure,
  writeCellRecord,
  type CellHistoryEntry,
  type CellRecord,
} from './study-folder';
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
  /** This worker's task index and the number of tasks (its share of the cells is taken first); default 0 of 1. */
  taskIndex?: number;
  taskCount?: number;
  /** Lease of a claim in seconds (default: EGFR_GTV_LEASE_SECONDS, else 60). */
  leaseSeconds?: number;
  /** Seconds between looks at cells other workers hold (default: a quarter of the lease, at most 5 s). */
  pollSeconds?: number;
  /** This worker's log file, recorded in its claims and failures (so a failed cell names where to look). */
  log?: string;
  /**
   * The run this worker belongs to (a Slurm array job, a local --workers parent): a cell that failed in this run is not
   * retried by it; default SLURM_ARRAY_JOB_ID or EGFR_GTV_RUN_ID, else this worker alone.
   */
  runId?: string;
  /** Record a failing cell in failed.json and go on with the others (default: stop with its error). */
  continueOnError?: boolean;
}

export type AblationEvent =
  | { kind: 'skip'; cell: GridCell; index: number; total: number }
  | { kind: 'start'; cell: GridCell; index: number; total: number; resumed: boolean }
  | { kind: 'evaluated'; cell: GridCell; set: string; summary: EvaluationSummary }
  | { kind: 'done'; cell: GridCell; index: number; total: number; seconds: number }
  | { kind: 'takeover'; cell: GridCell; index: number; total: number; from: Claim }
  | { kind: 'waiting'; cells: Array<{ cell: string; heldBy: Claim }> }
  | { kind: 'failed'; cell: GridCell; index: number; total: number; error: string }
  | { kind: 'lost'; cell: GridCell; index: number; total: number };


export interface AblationResult {
  rows: ResultRow[];
  records: CellRecord[];
  /** Cells not finished (when `maxCells` stopped the call early, or cells failed). */
  pending: string[];
  /** Cells that failed in this run (with `continueOnError`). */
  failed: string[];
  /** Cells this worker trained (or finished) in this call. */
  trained: string[];
}

/** The order a task works in: its share (cells i, i+N, ...) first, then the others in grid order. */
export function taskOrder<T>(cells: readonly T[], taskIndex: number, taskCount: number): T[] {
  const mine = cells.filter((_, i) => i % taskCount === taskIndex);
  return [...mine, ...cells.filter((_, i) => i % taskCount !== taskIndex)];
}

/** Rebuilds results.csv from the finished cells' records, holding results.csv.lock; returns the records in grid order. */
export async function writeStudyResults(out: string, cells: readonly GridCell[]): Promise<CellRecord[]> {
  const paths = studyPaths(out);
  return withLock(paths.resultsLock, async () => {
    const records: CellRecord[] = [];
    for (const cell of cells) {
      const record = await readCellRecord(out, cell.id);
      if (record) records.push(record);
    }
    await writeResultsCsv(records.flatMap((r) => r.rows), paths.results);
    return records;
  });
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




async function runCell(cell: GridCell, options: AblationOptions, tick?: () => void): Promise<Omit<CellRecord, 'seconds'>> {
  const { grid, out } = options;
  const paths = studyPaths(out);
  const runDir = paths.run(cell.id);
  const size = cell.modelConfig.input?.height ?? 128;
  const given = options.trainCallbacks?.(cell);
  const callbacks: TrainCallbacks | undefined = tick
    ? {
        ...given,
        onStep(e) {
          tick();
          given?.onStep?.(e);
        },
      }
    : given;
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
    tick?.();
    const { summary } = await evaluateRun(runDir, dir, paths.evaluation(cell.id, set), { bootstrap: options.bootstrap ?? 1000, patientModel: false });
    options.onEvent?.({ kind: 'evaluated', cell, set, summary });
    for (const [metric, value] of Object.entries(summaryMetrics(summary))) rows.push({ ...base, set, metric, value });
  }
  return { cell: cell.id, model: cell.model, weighting: cell.weighting, seed: cell.seed, steps: result.steps, trainSeconds, rows };
}

/** The step of a run's latest checkpoint (0 when it has none). */
async function checkpointStep(runDir: string): Promise<number> {
  const text = await fs.readFile(`${runPaths(runDir).checkpoints}/latest.json`, 'utf8').catch(() => null);
  if (text === null) return 0;
  try {
    return Number((JSON.parse(text) as { step?: number }).step ?? 0);
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function historyEntry(worker: WorkerInfo, event: CellHistoryEntry['event'], extra: Partial<CellHistoryEntry> = {}): CellHistoryEntry {
  return { at: new Date().toISOString(), event, worker: worker.id, host: worker.host, pid: worker.pid, ...(worker.log ? { log: worker.log } : {}), ...extra };
}

/** Runs (or continues) a study; see the file comment for the folder it writes and how workers share it. */
export async function runAblation(options: AblationOptions): Promise<AblationResult> {
  const { grid, out } = options;
  if (Object.keys(options.tests).length === 0) throw new ConfigError('ablation: no test cohort given');
  const taskCount = options.taskCount ?? 1;
  const taskIndex = options.taskIndex ?? 0;
  if (!Number.isInteger(taskCount) || taskCount < 1 || !Number.isInteger(taskIndex) || taskIndex < 0 || taskIndex >= taskCount) {
    throw new ConfigError(`ablation: task index ${taskIndex} of ${taskCount} tasks is out of range`);
  }
  await claimStudyFolder(grid, out);
  const paths = studyPaths(out);
  const cells = gridCells(grid);
  const leaseMs = leaseSeconds(options.leaseSeconds) * 1000;
  const pollMs = (options.pollSeconds ?? Math.min(5, leaseMs / 4000)) * 1000;
  const worker = currentWorker(options.log);
  const runId = options.runId ?? process.env.SLURM_ARRAY_JOB_ID ?? process.env.EGFR_GTV_RUN_ID ?? worker.id;
  const indexOf = new Map(cells.map((c, i) => [c.id, i]));
  const order = taskOrder(cells, taskIndex, taskCount);
  const seen = new Set<string>();
  const failed = new Set<string>();
  const trainedCells: string[] = [];
  let stoppedByMax = false;

  // One cell, under its lease: train (or continue), evaluate, write its record, release the claim.
  const work = async (cell: GridCell, lease: Lease): Promise<void> => {
    const index = indexOf.get(cell.id)!;
    const total = cells.length;
    const runDir = paths.run(cell.id);
    const fromStep = await checkpointStep(runDir);
    if (lease.from) options.onEvent?.({ kind: 'takeover', cell, index, total, from: lease.from });
    await appendCellHistory(out, cell.id, historyEntry(worker, lease.from ? 'took-over' : 'claimed', { fromStep }));
    const resumed = await exists(runPaths(runDir).config);
    options.onEvent?.({ kind: 'start', cell, index, total, resumed });
    const alive = keepAlive(lease, leaseMs);
    const started = Date.now();
    try {
      const record: CellRecord = { ...(await runCell(cell, options, () => alive.tick())), seconds: (Date.now() - started) / 1000 };
      await alive.stop();
      if (!(await lease.refresh())) throw new LeaseLostError(lease);
      await writeCellRecord(out, record);
      await appendCellHistory(out, cell.id, historyEntry(worker, 'finished'));
      trainedCells.push(cell.id);
      await writeStudyResults(out, cells);
      options.onEvent?.({ kind: 'done', cell, index, total, seconds: record.seconds });
    } catch (err) {
      await alive.stop();
      if (err instanceof LeaseLostError || lease.lost) {
        await appendCellHistory(out, cell.id, historyEntry(worker, 'lost')).catch(() => undefined);
        options.onEvent?.({ kind: 'lost', cell, index, total });
        return;
      }
      const error = err instanceof Error ? err.message : String(err);
      await appendCellHistory(out, cell.id, historyEntry(worker, 'failed', { error })).catch(() => undefined);
      await writeCellFailure(out, { cell: cell.id, at: new Date().toISOString(), worker: worker.id, runId, error, ...(worker.log ? { log: worker.log } : {}) });
      if (!options.continueOnError) throw err;
      failed.add(cell.id);
      options.onEvent?.({ kind: 'failed', cell, index, total, error });
    } finally {
      await lease.release();
    }
  };

  for (;;) {
    let worked = false;
    const held: Array<{ cell: string; heldBy: Claim }> = [];
    for (const cell of order) {
      if (await readCellRecord(out, cell.id)) {
        if (!seen.has(cell.id)) options.onEvent?.({ kind: 'skip', cell, index: indexOf.get(cell.id)!, total: cells.length });
        seen.add(cell.id);
        continue;
      }
      seen.add(cell.id);
      if (failed.has(cell.id)) continue;
      const failure = await readCellFailure(out, cell.id);
      if (failure && failure.runId === runId) {
        failed.add(cell.id);
        continue;
      }
      if (options.maxCells !== undefined && trainedCells.length >= options.maxCells) {
        stoppedByMax = true;
        continue;
      }
      const attempt = await tryClaim(paths.claim(cell.id), worker, leaseMs);
      if ('heldBy' in attempt) {
        held.push({ cell: cell.id, heldBy: attempt.heldBy });
        continue;
      }
      if (await readCellRecord(out, cell.id)) {
        // Finished by another worker between our look and our claim.
        await attempt.lease.release();
        continue;
      }
      await work(cell, attempt.lease);
      worked = true;
      break; // look again from the top, so this task's own share keeps coming first
    }
    if (worked) continue;
    if (held.length === 0 || stoppedByMax) break;
    options.onEvent?.({ kind: 'waiting', cells: held });
    await sleep(pollMs);
  }
  const records = await writeStudyResults(out, cells);
  const done = new Set(records.map((r) => r.cell));
  const pending = cells.filter((c) => !done.has(c.id)).map((c) => c.id);
  return { rows: records.flatMap((r) => r.rows), records, pending, failed: [...failed], trained: trainedCells };
}
