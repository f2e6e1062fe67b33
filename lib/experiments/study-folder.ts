/**
 * The study folder a grid runs in, the one owner of its layout:
 *   <study>/grid.json                     the resolved grid the study was started with
 *   <study>/cells/<cell>/run/             the training run folder (lib/train/run-folder.ts)
 *   <study>/cells/<cell>/eval/<set>/      the evaluation folder of each test set (lib/experiments/evaluation.ts)
 *   <study>/cells/<cell>/result.json      the CellRecord, written last and atomically: the cell is finished exactly
 *                                         when it exists
 *   <study>/results.csv                   the tidy table of every finished cell (results.ts), rebuilt from the
 *                                         records under results.csv.lock, so concurrent workers never write it at once
 * Added for concurrent workers (lib/experiments/claims.ts); a folder without them reads as before:
 *   <study>/cells/<cell>/claim.json       the live claim of the worker training the cell (removed when it is done)
 *   <study>/cells/<cell>/history.jsonl    one line per claim, takeover, finish or failure (written by the holder)
 *   <study>/cells/<cell>/failed.json      the last failure: error, worker, run id and log file
 *   <study>/slurm/                        ablate.sbatch, report.sbatch, logs/ (lib/experiments/slurm.ts)
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { readEvaluationRecord } from './evaluation';
import type { Grid } from './grid';
import type { ResultRow } from './results';

export const studyPaths = (out: string) => ({
  grid: join(out, 'grid.json'),
  results: join(out, 'results.csv'),
  cells: join(out, 'cells'),
  cell: (id: string) => join(out, 'cells', id),
  run: (id: string) => join(out, 'cells', id, 'run'),
  evaluation: (id: string, set: string) => join(out, 'cells', id, 'eval', set),
  record: (id: string) => join(out, 'cells', id, 'result.json'),
  claim: (id: string) => join(out, 'cells', id, 'claim.json'),
  history: (id: string) => join(out, 'cells', id, 'history.jsonl'),
  failed: (id: string) => join(out, 'cells', id, 'failed.json'),
  resultsLock: join(out, 'results.csv.lock'),
  slurm: join(out, 'slurm'),
});

/** One line of a cell's history.jsonl. */
export interface CellHistoryEntry {
  at: string;
  event: 'claimed' | 'took-over' | 'finished' | 'failed' | 'lost';
  worker: string;
  host: string;
  pid: number;
  log?: string;
  /** The checkpoint step the work started from (0: from scratch). */
  fromStep?: number;
  error?: string;
}

/** What failed.json holds. */
export interface CellFailure {
  cell: string;
  at: string;
  worker: string;
  /** The run (Slurm array job, local workers' parent) the failing worker belonged to. */
  runId: string;
  error: string;
  log?: string;
}

/** Appends to a cell's history (only the claim holder does, so one writer at a time). */
export async function appendCellHistory(out: string, cell: string, entry: CellHistoryEntry): Promise<void> {
  await fs.appendFile(studyPaths(out).history(cell), JSON.stringify(entry) + '\n');
}

export async function readCellHistory(out: string, cell: string): Promise<CellHistoryEntry[]> {
  const text = await fs.readFile(studyPaths(out).history(cell), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as CellHistoryEntry);
}

export async function readCellFailure(out: string, cell: string): Promise<CellFailure | null> {
  const text = await fs.readFile(studyPaths(out).failed(cell), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as CellFailure;
  } catch {
    return null;
  }
}

export async function writeCellFailure(out: string, failure: CellFailure): Promise<void> {
  await writeFileAtomic(studyPaths(out).failed(failure.cell), JSON.stringify(failure, null, 1) + '\n');
}

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

/** Writes grid.json, or checks that the folder was started with the same grid. */
export async function claimStudyFolder(grid: Grid, out: string): Promise<void> {
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

/** Writes a cell's result.json (atomically: a reader never sees half a record). */
export async function writeCellRecord(out: string, record: CellRecord): Promise<void> {
  await writeFileAtomic(studyPaths(out).record(record.cell), JSON.stringify(record, null, 1) + '\n');
}

/** The test cohort folder a cell was evaluated on, as its evaluation's summary.json records it. */
export async function evaluationDataDir(out: string, cell: string, set: string): Promise<string> {
  return (await readEvaluationRecord(studyPaths(out).evaluation(cell, set))).data;
}
