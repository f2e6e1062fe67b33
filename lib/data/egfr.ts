import { DatasetError } from '../errors';

/** 'binary': wildtype 0, mutant 1. 'three-class': wildtype 0, exon-19 deletion 1, L858R 2. */
export type EgfrScheme = 'binary' | 'three-class';

export const EGFR_CLASS_NAMES: Record<EgfrScheme, string[]> = {
  binary: ['wildtype', 'mutant'],
  'three-class': ['wildtype', '19del', 'l858r'],
};

/** Spellings accepted (lower-cased, trimmed), and the class they mean; integers are class indices. */
const WORDS: Record<string, { binary?: number; three?: number }> = {
  wildtype: { binary: 0, three: 0 },
  'wild-type': { binary: 0, three: 0 },
  wt: { binary: 0, three: 0 },
  mutant: { binary: 1 },
  '19del': { binary: 1, three: 1 },
  l858r: { binary: 1, three: 2 },
};

export interface EgfrCell {
  value: string;
  /** Where the value came from, for the error message: e.g. "line 7". */
  where: string;
}

/**
 * Parses a column of EGFR labels. An empty cell is unknown (null): allowed, for inference-only cohorts. The scheme is
 * `scheme` when given, else detected: three-class when any value is 19del, l858r or 2, binary otherwise. Under the
 * binary scheme 19del and l858r count as mutant (a coarsening); under three-class, 'mutant' is an error because the
 * subtype is unknown. Any other value is a DatasetError naming the file and the row.
 */
export function parseEgfrColumn(
  cells: EgfrCell[],
  file: string,
  scheme?: EgfrScheme,
): { scheme: EgfrScheme; labels: Array<number | null> } {
  const norm = cells.map((c) => c.value.trim().toLowerCase());
  const detected: EgfrScheme =
    scheme ?? (norm.some((v) => v === '19del' || v === 'l858r' || v === '2') ? 'three-class' : 'binary');
  const nClasses = EGFR_CLASS_NAMES[detected].length;
  const labels = norm.map((v, i) => {
    if (v === '') return null;
    if (/^\d+$/.test(v)) {
      const k = Number(v);
      if (k < nClasses) return k;
    } else {
      const w = WORDS[v];
      const k = w && (detected === 'binary' ? w.binary : w.three);
      if (k !== undefined) return k;
    }
    throw new DatasetError(
      `${cells[i].where}: unknown EGFR label '${cells[i].value}' for the ${detected} scheme ` +
        `(expected ${EGFR_CLASS_NAMES[detected].join(', ')}, 0..${nClasses - 1}, or empty for unknown)`,
      file,
    );
  });
  return { scheme: detected, labels };
}
