import { promises as fs } from 'node:fs';
import { DatasetError } from '../errors';
import type { CaseLabels } from './case';
import { parseCsv } from './csv';
import { parseEgfrColumn, type EgfrScheme } from './egfr';

/** One row of a labels table, keyed by case and/or patient. */
export interface LabelRow extends CaseLabels {
  caseId?: string;
  patientId?: string;
  /** "labels.csv line 7", for messages. */
  where: string;
}

export interface LabelsTable {
  file: string;
  scheme: EgfrScheme;
  rows: LabelRow[];
}

const KEY_COLUMNS = new Set(['case_id', 'patient_id', 'egfr', 'centre']);

/**
 * Reads a labels CSV: an `egfr` column (empty = unknown), `case_id` and/or `patient_id` (`requireCaseId` makes
 * case_id mandatory, as in the project-native layout), optional `centre`, and any other columns, kept as numbers
 * where they parse as one. Column names are matched case-insensitively. Missing columns, duplicate ids and unknown
 * EGFR values are DatasetErrors naming the file (and the line).
 */
export async function readLabelsTable(
  file: string,
  opts: { scheme?: EgfrScheme; requireCaseId?: boolean } = {},
): Promise<LabelsTable> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new DatasetError(`cannot read labels table: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const { header, rows } = parseCsv(text, file);
  const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name);
  const iCase = col('case_id');
  const iPatient = col('patient_id');
  const iEgfr = col('egfr');
  const iCentre = col('centre');
  const missing: string[] = [];
  if (iEgfr < 0) missing.push('egfr');
  if (opts.requireCaseId && iCase < 0) missing.push('case_id');
  if (!opts.requireCaseId && iCase < 0 && iPatient < 0) missing.push('case_id or patient_id');
  if (missing.length > 0) {
    throw new DatasetError(`missing column(s) ${missing.join(', ')} (header: ${header.join(', ')})`, file);
  }
  const { scheme, labels } = parseEgfrColumn(
    rows.map((r) => ({ value: r.cells[iEgfr], where: `line ${r.line}` })),
    file,
    opts.scheme,
  );
  const seen = new Map<string, number>();
  const out = rows.map((r, n): LabelRow => {
    const caseId = iCase >= 0 ? r.cells[iCase].trim() : undefined;
    const patientId = iPatient >= 0 ? r.cells[iPatient].trim() || undefined : undefined;
    if (iCase >= 0 && !caseId) throw new DatasetError(`line ${r.line}: empty case_id`, file);
    if (!caseId && !patientId) throw new DatasetError(`line ${r.line}: empty patient_id`, file);
    const key = caseId ?? `patient ${patientId}`;
    if (seen.has(key)) throw new DatasetError(`line ${r.line}: ${key} repeats line ${seen.get(key)}`, file);
    seen.set(key, r.line);
    const clinical: Record<string, string | number> = {};
    header.forEach((h, i) => {
      if (KEY_COLUMNS.has(h.toLowerCase())) return;
      const v = r.cells[i].trim();
      clinical[h] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    });
    const centre = iCentre >= 0 ? r.cells[iCentre].trim() || undefined : undefined;
    return { caseId, patientId, egfr: labels[n], centre, clinical, where: `${file} line ${r.line}` };
  });
  return { file, scheme, rows: out };
}

/**
 * Labels for a case from a side table: the row with its case id, else the row with its patient id (one label for
 * all of a patient's time points), else unknown.
 */
export function lookupLabels(table: LabelsTable | undefined, caseId: string, patientId: string): { labels: CaseLabels; row?: LabelRow } {
  const row =
    table?.rows.find((r) => r.caseId === caseId) ??
    table?.rows.find((r) => r.caseId === undefined && r.patientId === patientId);
  if (!row) return { labels: { egfr: null, clinical: {} } };
  return { labels: { egfr: row.egfr, centre: row.centre, clinical: row.clinical }, row };
}
