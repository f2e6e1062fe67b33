/**
 * What the concurrent-worker tests share: the command line as a child process, a study's rows per cell, the intervals
 * each cell was held in (from cells/<cell>/history.jsonl), and waiting for a cell to be half trained.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCellHistory, studyPaths, type CellHistoryEntry } from '../../lib/experiments/study-folder';
import type { ResultRow } from '../../lib/experiments/results';
import type { GridInput } from '../../lib/experiments/grid';
import { tinyGrid } from './tiny-study';

export const BIN = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');

/** One thread everywhere, so runs in different processes give the same bits (the native engine's sums depend on it). */
export const ONE_THREAD = { EGFR_NATIVE_THREADS: '1', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1' };

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...ONE_THREAD, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, out: chunks.join('') }));
  });
}

/** A two-cell grid long enough (40 steps, a checkpoint every 4) to be cut in the middle of a cell. */
export const longGrid: GridInput = { ...tinyGrid, name: 'long', train: { ...tinyGrid.train, steps: 40, stepsPerEpoch: 4 } };

/** The result rows of every finished cell, by cell, from the cells' records (the numbers results.csv is built from). */
export function rowsByCell(out: string, cells: string[]): Record<string, ResultRow[]> {
  const by: Record<string, ResultRow[]> = {};
  for (const c of cells) by[c] = (JSON.parse(readFileSync(studyPaths(out).record(c), 'utf8')) as { rows: ResultRow[] }).rows;
  return by;
}

export async function histories(out: string, cells: string[]): Promise<Record<string, CellHistoryEntry[]>> {
  const by: Record<string, CellHistoryEntry[]> = {};
  for (const c of cells) by[c] = await readCellHistory(out, c);
  return by;
}

/** [start, end] in ms of each stretch a cell was held: from its claim or takeover to its finish (or the next claim). */
export function heldIntervals(history: CellHistoryEntry[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start: number | undefined;
  for (const e of history) {
    const t = Date.parse(e.at);
    if (e.event === 'claimed' || e.event === 'took-over') {
      if (start !== undefined) out.push([start, t]);
      start = t;
    } else if (start !== undefined) {
      out.push([start, t]);
      start = undefined;
    }
  }
  return out;
}

/** Resolves once `cell` has a checkpoint and no record yet (polling every 50 ms), or rejects after `ms`. */
export async function waitForHalfTrained(out: string, cell: string, ms = 120000): Promise<number> {
  const latest = join(studyPaths(out).run(cell), 'checkpoints', 'latest.json');
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (existsSync(latest) && !existsSync(studyPaths(out).record(cell))) {
      try {
        return (JSON.parse(readFileSync(latest, 'utf8')) as { step: number }).step;
      } catch {
        // being replaced right now
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${cell} never had a checkpoint without a record within ${ms} ms`);
}
