import { promises as fs } from 'node:fs';
import { DatasetError } from '../errors';

/** Binary labels and scores read from a table of predictions made by any tool. */
export interface ScoreTable {
  labels: Float64Array;
  scores: Float64Array;
}

/**
 * Reads a CSV of binary predictions with a header row holding the columns `label` and `score` (any order, other
 * columns ignored, names matched case-insensitively). Fields may be double-quoted ("" for a quote inside), but a
 * field may not span lines. Blank lines are skipped. Every error is a `DatasetError` naming the file and, for a bad
 * value, its line number and column: a missing column, a label other than 0 or 1, a score that is not a finite
 * number, a row with too few fields, or no data rows at all.
 */
export async function readScoreCsv(path: string): Promise<ScoreTable> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new DatasetError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  return parseScoreCsv(text.replace(/^\uFEFF/, ''), path);
}

/** `readScoreCsv` on text already in memory; `file` names it in errors. */
export function parseScoreCsv(text: string, file: string): ScoreTable {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new DatasetError('empty file: expected a header with columns label,score', file);
  const header = splitCsvLine(lines[headerAt], headerAt + 1, file).map((h) => h.trim().toLowerCase());
  const labelCol = header.indexOf('label');
  const scoreCol = header.indexOf('score');
  const missing = [labelCol < 0 ? 'label' : '', scoreCol < 0 ? 'score' : ''].filter(Boolean);
  if (missing.length > 0) {
    throw new DatasetError(`missing column ${missing.join(' and ')}: the header is '${lines[headerAt].trim()}'`, file);
  }
  const labels: number[] = [];
  const scores: number[] = [];
  for (let l = headerAt + 1; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const line = l + 1;
    const fields = splitCsvLine(lines[l], line, file);
    if (fields.length <= Math.max(labelCol, scoreCol)) {
      throw new DatasetError(`line ${line}: ${fields.length} fields, the header has ${header.length}`, file);
    }
    const labelText = fields[labelCol].trim();
    const scoreText = fields[scoreCol].trim();
    const label = Number(labelText);
    if (labelText === '' || (label !== 0 && label !== 1)) {
      throw new DatasetError(`line ${line}: label '${labelText}' is not 0 or 1`, file);
    }
    const score = Number(scoreText);
    if (scoreText === '' || !Number.isFinite(score)) {
      throw new DatasetError(`line ${line}: score '${scoreText}' is not a finite number`, file);
    }
    labels.push(label);
    scores.push(score);
  }
  if (labels.length === 0) throw new DatasetError('no data rows after the header', file);
  return { labels: Float64Array.from(labels), scores: Float64Array.from(scores) };
}

function splitCsvLine(text: string, line: number, file: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new DatasetError(`line ${line}: unterminated quoted field`, file);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      const comma = text.indexOf(',', i);
      const rest = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (rest.trim() !== '') throw new DatasetError(`line ${line}: text after a closing quote`, file);
      i = comma < 0 ? text.length : comma;
    } else {
      const comma = text.indexOf(',', i);
      field = comma < 0 ? text.slice(i) : text.slice(i, comma);
      i = comma < 0 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // past the comma
  }
}
