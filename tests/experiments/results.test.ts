import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../../lib/errors';
import {
  RESULT_COLUMNS,
  meanSdTable,
  readResultsCsv,
  summariseResults,
  tableMarkdown,
  writeResultsCsv,
  type ResultRow,
} from '../../lib/experiments/results';

function row(model: string, seed: number, metric: string, value: number, set = 'internal'): ResultRow {
  const weighting = model === 'seg-only' ? 'none' : 'uncertainty';
  return { grid: 'g', cell: `${model}__${weighting}__s${seed}`, model, weighting, seed, set, metric, value };
}

const rows: ResultRow[] = [
  row('mtl', 1, 'dice', 0.7),
  row('mtl', 2, 'dice', 0.8),
  row('mtl', 3, 'dice', 0.9),
  row('mtl', 1, 'auc', 0.6),
  row('mtl', 2, 'auc', 0.7),
  row('mtl', 3, 'auc', 0.8),
  row('mtl', 1, 'dice', 0.5, 'external'),
  row('seg-only', 1, 'dice', 0.65),
];

describe('experiments: results table', function () {
  // danfojs-node loads in a few seconds on a busy machine.
  this.timeout(30000);

  it('writes a tidy CSV and reads back the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'results-'));
    const file = join(dir, 'results.csv');
    await writeResultsCsv(rows, file);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], RESULT_COLUMNS.join(','));
    assert.equal(text.trim().split('\n').length, rows.length + 1);
    assert.deepEqual(await readResultsCsv(file), rows);
  });

  it('refuses non-finite values and a foreign header', async () => {
    await assert.rejects(writeResultsCsv([row('mtl', 1, 'hd95', Infinity)], '/nonexistent/x.csv'), DatasetError);
    const dir = mkdtempSync(join(tmpdir(), 'results-'));
    const file = join(dir, 'other.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    await assert.rejects(readResultsCsv(file), (e: Error) => e instanceof DatasetError && e.message.includes(file));
  });

  it('summarises mean and sample SD over seeds; one seed has no SD', () => {
    const summary = summariseResults(rows);
    const dice = summary.find((s) => s.model === 'mtl' && s.metric === 'dice' && s.set === 'internal')!;
    assert.ok(Math.abs(dice.mean - 0.8) < 1e-12);
    assert.ok(Math.abs(dice.sd! - 0.1) < 1e-12);
    assert.equal(dice.n, 3);
    const single = summary.find((s) => s.model === 'seg-only')!;
    assert.equal(single.sd, null);
    assert.equal(single.n, 1);
  });

  it('lays the summary out as a mean ± sd table per evaluation set', () => {
    const table = meanSdTable(summariseResults(rows), 'internal', ['dice', 'auc']);
    assert.deepEqual(table.header, ['model', 'weighting', 'seeds', 'dice', 'auc']);
    assert.deepEqual(table.rows, [
      ['mtl', 'uncertainty', '3', '0.800 ± 0.100', '0.700 ± 0.100'],
      ['seg-only', 'none', '1', '0.650', '—'],
    ]);
    assert.match(tableMarkdown(table), /^\| model \| weighting \| seeds \| dice \| auc \|\n\| --- /);
  });
});
