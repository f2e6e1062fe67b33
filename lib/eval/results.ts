/**
 * Results as danfojs DataFrames (the notebooks' table type), saved as CSV. danfojs-node is loaded on first use: it
 * takes seconds to load and training does not need it.
 */
import type { DataFrame } from 'danfojs-node';
import { writeFileAtomic } from '../util/atomic-write';

type Cell = string | number | boolean | null;

/** A plain row with arrays or objects in a cell becomes JSON text there, so every column is a scalar column. */
function flatRow(row: object): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as Cell);
  }
  return out;
}

/** Rows (one object per row, same keys) as a DataFrame. */
export async function toDataFrame(rows: object[]): Promise<DataFrame> {
  const dfd = await import('danfojs-node');
  return new dfd.DataFrame(rows.map(flatRow));
}

/** Writes a DataFrame as CSV, atomically. */
export async function saveDataFrameCsv(frame: DataFrame, path: string): Promise<void> {
  const dfd = await import('danfojs-node');
  const text = dfd.toCSV(frame) as string;
  await writeFileAtomic(path, text.endsWith('\n') ? text : text + '\n');
}
