import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { parseCsv, parseEgfrColumn } from '../../lib/data';

describe('CSV', () => {
  it('handles a BOM, quotes with commas, newlines and doubled quotes, CRLF and blank lines', () => {
    const t = parseCsv('\ufeffa,b,c\r\n1,"x, ""y""",3\r\n\r\n2,"multi\nline",\n', 'f.csv');
    assert.deepEqual(t.header, ['a', 'b', 'c']);
    assert.deepEqual(t.rows, [
      { line: 2, cells: ['1', 'x, "y"', '3'] },
      { line: 4, cells: ['2', 'multi\nline', ''] },
    ]);
  });

  it('names the file and line of a ragged row or an unterminated quote', () => {
    assert.throws(() => parseCsv('a,b\n1\n', 'f.csv'), (e: unknown) => e instanceof DatasetError && e.message === 'f.csv: line 2: 1 fields, the header has 2');
    assert.throws(() => parseCsv('a,b\n1,"2\n', 'f.csv'), /f\.csv: line 2: unterminated/);
    assert.throws(() => parseCsv('', 'f.csv'), /empty CSV/);
  });
});

describe('EGFR labels', () => {
  const cells = (...v: string[]) => v.map((value, i) => ({ value, where: `line ${i + 2}` }));
  it('reads the binary scheme in its spellings, with unknowns', () => {
    assert.deepEqual(parseEgfrColumn(cells('WT', 'wild-type', 'Mutant', '1', '0', ' '), 'l.csv'), {
      scheme: 'binary',
      labels: [0, 0, 1, 1, 0, null],
    });
  });
  it('coarsens subtypes to mutant when the binary scheme is asked for', () => {
    assert.deepEqual(parseEgfrColumn(cells('19del', 'L858R', 'wildtype'), 'l.csv', 'binary').labels, [1, 1, 0]);
  });
  it('refuses class indices outside the scheme', () => {
    assert.throws(() => parseEgfrColumn(cells('0', '3'), 'l.csv', 'three-class'), /l\.csv: line 3: unknown EGFR label '3'/);
    assert.throws(() => parseEgfrColumn(cells('0', '2'), 'l.csv', 'binary'), /line 3/);
  });
});
