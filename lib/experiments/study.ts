/**
 * Reading a study folder written by the ablation runner: its grid, the tidy results, and per finished cell the
 * patient rows of every test set, which is what tables and figures are drawn from.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import type { PatientRow } from '../eval/evaluate';
import { readCellRecord, studyPaths, type CellRecord } from './study-folder';
import { gridCells, NO_WEIGHTING, type Grid } from './grid';
import { summariseResults, type ResultRow, type ResultSummary } from './results';

export interface StudyCell {
  record: CellRecord;
  /** The cell's training run folder. */
  runDir: string;
  /** Patient rows per test set. */
  patients: Record<string, PatientRow[]>;
}

export interface Study {
  dir: string;
  grid: Grid;
  /** The finished cells in grid order. */
  cells: StudyCell[];
  /** Cells of the grid not finished yet. */
  pending: string[];
  /** Test set names in the order the first finished cell was evaluated on them. */
  sets: string[];
  rows: ResultRow[];
  summary: ResultSummary[];
}

async function readJson<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ConfigError(`invalid JSON (${(err as Error).message})`, file);
  }
}

export async function loadStudy(dir: string): Promise<Study> {
  const paths = studyPaths(dir);
  const grid = await readJson<Grid>(paths.grid);
  const cells: StudyCell[] = [];
  const pending: string[] = [];
  let sets: string[] = [];
  for (const cell of gridCells(grid)) {
    const record = await readCellRecord(dir, cell.id);
    if (!record) {
      pending.push(cell.id);
      continue;
    }
    const recordSets = [...new Set(record.rows.map((r) => r.set))];
    const evalDir = join(paths.cell(cell.id), 'eval');
    const listed = await fs.readdir(evalDir).catch(() => [] as string[]);
    const setNames = recordSets.length > 0 ? recordSets : listed.sort();
    if (sets.length === 0) sets = setNames;
    const patients: Record<string, PatientRow[]> = {};
    for (const set of setNames) patients[set] = await readJson<PatientRow[]>(join(paths.evaluation(cell.id, set), 'patients.json'));
    cells.push({ record, runDir: paths.run(cell.id), patients });
  }
  const rows = cells.flatMap((c) => c.record.rows);
  return { dir, grid, cells, pending, sets, rows, summary: summariseResults(rows) };
}

/** "mtl · uncertainty", or just "seg-only" for a single-task model. */
export function variantName(model: string, weighting: string): string {
  return weighting === NO_WEIGHTING ? model : `${model} · ${weighting}`;
}

/** The cells of the study's reference model: the grid's first model with its first weighting, every seed. */
export function referenceCells(study: Study): StudyCell[] {
  const first = study.cells[0];
  if (!first) return [];
  return study.cells.filter((c) => c.record.model === first.record.model && c.record.weighting === first.record.weighting);
}
