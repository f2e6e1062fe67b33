/**
 * The results of a grid as one tidy table: one row per (cell, evaluation set, metric) with its value. A metric a model
 * cannot have (no Dice for a classifier-only model) is simply absent, so the table has no empty cells and any
 * grouping (by model, weighting, set, metric) is a plain group-by. Tables go through danfojs-node; it is loaded on
 * first use (about 3 s) and typed locally with the few calls made here, so importing the library stays fast and
 * tslab's type checker never parses danfojs's typings.
 */
import { promises as fs } from 'node:fs';
import { DatasetError } from '../errors';
import { parseCsv } from '../data/csv';
import { writeFileAtomic } from '../util/atomic-write';
import { loadDanfojs } from '../util/danfo';

/** One measured value. */
export interface ResultRow {
  grid: string;
  cell: string;
  model: string;
  weighting: string;
  seed: number;
  /** The evaluation set, e.g. 'internal' (held-out test split) or 'external' (the other centre). */
  set: string;
  metric: string;
  value: number;
}

export const RESULT_COLUMNS = ['grid', 'cell', 'model', 'weighting', 'seed', 'set', 'metric', 'value'] as const;

/** Mean and sample standard deviation of one metric over the seeds of a (model, weighting, set). */
export interface ResultSummary {
  model: string;
  weighting: string;
  set: string;
  metric: string;
  mean: number;
  /** Sample SD (n - 1); null with one seed, where it is undefined. */
  sd: number | null;
  n: number;
}

interface DanfoFrame {
  groupby(columns: string[]): { agg(spec: Record<string, string[]>): DanfoFrame };
}
interface Danfo {
  DataFrame: new (rows: object[]) => DanfoFrame;
  toCSV(frame: DanfoFrame): string;
  toJSON(frame: DanfoFrame): object[];
}
const loadDanfo = () => loadDanfojs<Danfo>();

function checkRows(rows: readonly ResultRow[]): void {
  for (const r of rows) {
    if (!Number.isFinite(r.value)) {
      throw new DatasetError(`result ${r.cell} ${r.set} ${r.metric} is ${r.value}: leave a metric out instead of storing a non-finite value`);
    }
  }
}

/** The tidy CSV text of the rows (columns RESULT_COLUMNS). */
export function resultsCsv(rows: readonly ResultRow[]): string {
  checkRows(rows);
  if (rows.length === 0) return RESULT_COLUMNS.join(',') + '\n';
  const { DataFrame, toCSV } = loadDanfo();
  const ordered = rows.map((r) => Object.fromEntries(RESULT_COLUMNS.map((c) => [c, r[c]])));
  const text = toCSV(new DataFrame(ordered));
  return text.endsWith('\n') ? text : text + '\n';
}

export async function writeResultsCsv(rows: readonly ResultRow[], path: string): Promise<void> {
  await writeFileAtomic(path, resultsCsv(rows));
}

/** Reads a results CSV written by `writeResultsCsv`; a wrong header or a non-numeric value names the file and line. */
export async function readResultsCsv(path: string): Promise<ResultRow[]> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new DatasetError(`cannot read results: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  const { header, rows } = parseCsv(text, path);
  if (header.join(',') !== RESULT_COLUMNS.join(',')) {
    throw new DatasetError(`header must be ${RESULT_COLUMNS.join(',')}, got ${header.join(',')}`, path);
  }
  return rows.map(({ line, cells }) => {
    const seed = Number(cells[4]);
    const value = Number(cells[7]);
    if (!Number.isInteger(seed) || cells[7].trim() === '' || !Number.isFinite(value)) {
      throw new DatasetError(`line ${line}: seed '${cells[4]}' or value '${cells[7]}' is not a number`, path);
    }
    return { grid: cells[0], cell: cells[1], model: cells[2], weighting: cells[3], seed, set: cells[5], metric: cells[6], value };
  });
}

/** Mean +/- sd over seeds for every (model, weighting, set, metric), in the order the rows first name them. */
export function summariseResults(rows: readonly ResultRow[]): ResultSummary[] {
  checkRows(rows);
  if (rows.length === 0) return [];
  const { DataFrame, toJSON } = loadDanfo();
  const keys = ['model', 'weighting', 'set', 'metric'];
  const frame = new DataFrame(rows.map((r) => ({ model: r.model, weighting: r.weighting, set: r.set, metric: r.metric, value: r.value })));
  const grouped = toJSON(frame.groupby(keys).agg({ value: ['mean', 'std', 'count'] })) as Array<Record<string, string | number>>;
  return grouped.map((g) => {
    const n = Number(g.value_count);
    return {
      model: String(g.model),
      weighting: String(g.weighting),
      set: String(g.set),
      metric: String(g.metric),
      mean: Number(g.value_mean),
      // danfojs reports 0 for a single value; the sample SD of one value is undefined, and 0 would read as "no spread".
      sd: n > 1 ? Number(g.value_std) : null,
      n,
    };
  });
}

/** `0.812 ± 0.031`, or `0.812` with one seed. */
export function formatMeanSd(row: Pick<ResultSummary, 'mean' | 'sd'>, digits = 3): string {
  return row.sd === null ? row.mean.toFixed(digits) : `${row.mean.toFixed(digits)} ± ${row.sd.toFixed(digits)}`;
}

/** A display table: one row per (model, weighting), one column per metric, cells "mean ± sd". */
export interface MeanSdTable {
  title: string;
  header: string[];
  rows: string[][];
}

/**
 * The mean +/- sd table of one evaluation set: rows (model, weighting, seeds) in the order of the summary, columns
 * the metrics asked for; '—' where a model has no such metric.
 */
export function meanSdTable(summary: readonly ResultSummary[], set: string, metrics: readonly string[], title = set): MeanSdTable {
  const rows: string[][] = [];
  const index = new Map<string, string[]>();
  for (const s of summary) {
    if (s.set !== set) continue;
    const key = `${s.model}\u0000${s.weighting}`;
    let row = index.get(key);
    if (!row) {
      row = [s.model, s.weighting, String(s.n), ...metrics.map(() => '—')];
      index.set(key, row);
      rows.push(row);
    }
    row[2] = String(Math.max(Number(row[2]), s.n));
    const m = metrics.indexOf(s.metric);
    if (m >= 0) row[3 + m] = formatMeanSd(s);
  }
  return { title, header: ['model', 'weighting', 'seeds', ...metrics], rows };
}

/** The table as GitHub-flavoured Markdown (for notebooks and logs). */
export function tableMarkdown(table: MeanSdTable): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(table.header), line(table.header.map(() => '---')), ...table.rows.map(line)].join('\n');
}
