/**
 * Results as danfojs DataFrames (the notebooks' table type; lib/util/danfo.ts loads it), saved as CSV. CSV files are
 * RFC 4180 (lib/data/csv.ts `csvText`): a cell with a comma, quote or newline is quoted.
 */
import type { DataFrame } from 'danfojs-node';
import { ConfigError } from '../errors';
import { csvText } from '../data/csv';
import { writeFileAtomic } from '../util/atomic-write';
import { loadDanfojs } from '../util/danfo';
import type { PatientRow } from './evaluate';

type Cell = string | number | boolean | null;

/** A plain row with arrays or objects in a cell becomes JSON text there, so every column is a scalar column. */
function flatRow(row: object): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as Cell);
  }
  return out;
}

function csvCell(v: Cell): string | number | null {
  return typeof v === 'boolean' ? String(v) : v;
}

/** Rows (one object per row, same keys) as a DataFrame. */
export async function toDataFrame(rows: object[]): Promise<DataFrame> {
  const dfd = loadDanfojs<typeof import('danfojs-node')>();
  return new dfd.DataFrame(rows.map(flatRow));
}

/** Writes a DataFrame as CSV, atomically; empty cells for null and NaN. */
export async function saveDataFrameCsv(frame: DataFrame, path: string): Promise<void> {
  const rows = (frame.values as Cell[][]).map((r) => r.map(csvCell));
  await writeFileAtomic(path, csvText(frame.columns, rows));
}

/** The column of class `name`'s patient probability in a patient table. */
export function classProbabilityColumn(name: string): string {
  return `p_${name}`;
}

/**
 * Patient rows as flat records for tables: `class_probabilities` becomes one column per class, `p_<class>` in the
 * run's class order, where it stood (empty cells for a patient without a classifier output), so the table has only
 * numeric and text columns. `classes` are the run's class names (RunConfig.data.classes).
 */
export function patientRecords(rows: readonly PatientRow[], classes: readonly string[]): Record<string, string | number | null>[] {
  return rows.map((row) => {
    const probabilities = row.class_probabilities;
    if (probabilities && probabilities.length !== classes.length) {
      throw new ConfigError(`case ${row.case_id} has ${probabilities.length} class probabilities but the run has ${classes.length} classes (${classes.join(', ')})`);
    }
    const out: Record<string, string | number | null> = {};
    for (const [key, value] of Object.entries(row) as [keyof PatientRow, PatientRow[keyof PatientRow]][]) {
      if (key === 'class_probabilities') {
        classes.forEach((c, i) => (out[classProbabilityColumn(c)] = probabilities ? probabilities[i] : null));
      } else {
        out[key] = value as string | number | null;
      }
    }
    return out;
  });
}

/** Writes patient rows as `patients.csv` (columns of `patientRecords`), atomically, without loading danfojs. */
export async function writePatientsCsv(rows: readonly PatientRow[], classes: readonly string[], path: string): Promise<void> {
  const records = patientRecords(rows, classes);
  const header = records.length > 0 ? Object.keys(records[0]) : [];
  await writeFileAtomic(path, csvText(header, records.map((r) => header.map((h) => r[h]))));
}
