import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { parseScoreCsv, readScoreCsv } from '../../lib/metrics/score-csv';

describe('metrics/score-csv', () => {
  it('reads label and score in any column order, ignoring other columns, quotes and blank lines', () => {
    const t = parseScoreCsv('\ncase,Score,label\n"p,1",0.25,1\r\np2,"1e-1",0\n\n', 'x.csv');
    assert.deepEqual([...t.labels], [1, 0]);
    assert.deepEqual([...t.scores], [0.25, 0.1]);
  });

  const bad: [string, RegExp][] = [
    ['label,prob\n1,0.5\n', /x\.csv: missing column score: the header is 'label,prob'/],
    ['id,value\n1,0.5\n', /missing column label and score/],
    ['label,score\n1,0.5\n2,0.3\n', /x\.csv: line 3: label '2' is not 0 or 1/],
    ['label,score\n1,abc\n', /x\.csv: line 2: score 'abc' is not a finite number/],
    ['label,score\n1,\n', /line 2: score '' is not a finite number/],
    ['label,score\n1\n', /line 2: 1 fields, the header has 2/],
    ['label,score\n', /no data rows/],
    ['', /empty file/],
    ['label,score\n"1,0.5\n', /line 2: unterminated quoted field/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)} with a message naming the file and line`, () => {
      assert.throws(() => parseScoreCsv(text, 'x.csv'), (e: unknown) => e instanceof DatasetError && message.test(e.message));
    });
  }

  it('names a file that cannot be read', async () => {
    await assert.rejects(readScoreCsv('/nonexistent/scores.csv'), /\/nonexistent\/scores\.csv: cannot read file: ENOENT/);
  });
});
