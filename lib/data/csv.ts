import { DatasetError } from '../errors';

/** A parsed CSV: the header and the data rows, each with its 1-based line number in the file for error messages. */
export interface CsvTable {
  header: string[];
  rows: Array<{ line: number; cells: string[] }>;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (which may hold commas, newlines and "" for a
 * quote), LF or CRLF line ends, an optional UTF-8 byte-order mark. Blank lines are skipped. A row with a different
 * number of fields than the header is an error naming the file and line.
 */
export function parseCsv(text: string, file: string): CsvTable {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let fieldStarted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = () => {
    cells.push(field);
    if (!(cells.length === 1 && cells[0] === '' && !fieldStarted)) records.push({ line: startLine, cells });
    cells = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new DatasetError(`line ${line}: a quote inside an unquoted field`, file);
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      cells.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else {
      field += ch;
    }
  }
  if (quoted) throw new DatasetError(`line ${startLine}: unterminated quoted field`, file);
  endRecord();
  if (records.length === 0) throw new DatasetError('empty CSV: no header row', file);
  const [head, ...rows] = records;
  const header = head.cells.map((h) => h.trim());
  for (const r of rows) {
    if (r.cells.length !== header.length) {
      throw new DatasetError(`line ${r.line}: ${r.cells.length} fields, the header has ${header.length}`, file);
    }
  }
  return { header, rows };
}

/** RFC 4180 text of a table, the writer matching `parseCsv`: a cell with a comma, quote or newline is quoted; numbers as JavaScript prints them; null and
 * non-finite numbers are empty cells. */
export function csvText(header: string[], rows: Array<Array<string | number | null>>): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
