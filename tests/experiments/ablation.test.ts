import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../lib/data/csv';
import { ConfigError } from '../../lib/errors';
import type { PatientRow } from '../../lib/eval/evaluate';
import { runAblation, type AblationEvent } from '../../lib/experiments/ablation';
import { studyPaths } from '../../lib/experiments/study-folder';
import { resolveGrid } from '../../lib/experiments/grid';
import { RESULT_COLUMNS, readResultsCsv } from '../../lib/experiments/results';
import { tinyGrid, writeTinyCohort } from './tiny-study';

describe('experiments: ablation runner', function () {
  this.timeout(180000);
  let root: string;
  let data: string;
  let tests: Record<string, string>;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ablation-'));
    data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    tests = { internal: await writeTinyCohort(join(root, 'test'), 4, 8), external: await writeTinyCohort(join(root, 'ext'), 4, 9) };
  });

  it('runs every cell once, resumes where it stopped, and keeps one tidy results table', async () => {
    const grid = resolveGrid(tinyGrid, { fast: false });
    const out = join(root, 'study');
    const events: AblationEvent[] = [];
    const first = await runAblation({ grid, out, data, tests, bootstrap: 50, maxCells: 1, onEvent: (e) => events.push(e) });
    assert.deepEqual(first.records.map((r) => r.cell), ['mtl__uncertainty__s1']);
    assert.deepEqual(first.pending, ['seg-only__none__s1']);

    const second = await runAblation({ grid, out, data, tests, bootstrap: 50, onEvent: (e) => events.push(e) });
    assert.deepEqual(events.filter((e) => e.kind === 'skip').map((e) => e.cell.id), ['mtl__uncertainty__s1']);
    assert.deepEqual(second.records.map((r) => r.cell), ['mtl__uncertainty__s1', 'seg-only__none__s1']);
    assert.deepEqual(second.pending, []);

    const rows = await readResultsCsv(studyPaths(out).results);
    assert.equal(readFileSync(studyPaths(out).results, 'utf8').split('\n')[0], RESULT_COLUMNS.join(','));
    const metricsOf = (cell: string, set: string) => rows.filter((r) => r.cell === cell && r.set === set).map((r) => r.metric).sort();
    for (const set of ['internal', 'external']) {
      assert.ok(metricsOf('mtl__uncertainty__s1', set).includes('dice'));
      assert.ok(metricsOf('mtl__uncertainty__s1', set).includes('auc'));
      assert.ok(metricsOf('seg-only__none__s1', set).includes('dice'));
      assert.ok(!metricsOf('seg-only__none__s1', set).includes('auc'), 'a segmentation model has no AUC');
    }
    for (const r of rows) assert.ok(Number.isFinite(r.value));
    // patients.csv: one probability column per class, the same numbers as patients.json, every row as wide as the header.
    const evalDir = studyPaths(out).evaluation('mtl__uncertainty__s1', 'external');
    const csvPath = join(evalDir, 'patients.csv');
    const table = parseCsv(readFileSync(csvPath, 'utf8'), csvPath);
    assert.deepEqual(table.header.slice(0, 5), ['case_id', 'label', 'egfr_probability', 'p_wildtype', 'p_mutant']);
    const typed = JSON.parse(readFileSync(join(evalDir, 'patients.json'), 'utf8')) as PatientRow[];
    assert.deepEqual(
      table.rows.map((r) => [r.cells[0], Number(r.cells[3]), Number(r.cells[4])]),
      typed.map((p) => [p.case_id, ...p.class_probabilities!]),
    );

    // A cell whose record is gone (stopped after training, before its record) is continued from its run, then evaluated.
    rmSync(studyPaths(out).record('seg-only__none__s1'));
    const redo: AblationEvent[] = [];
    await runAblation({ grid, out, data, tests, bootstrap: 50, onEvent: (e) => redo.push(e) });
    const start = redo.find((e) => e.kind === 'start');
    assert.ok(start && start.kind === 'start' && start.cell.id === 'seg-only__none__s1' && start.resumed);
    assert.ok(existsSync(studyPaths(out).record('seg-only__none__s1')));
    assert.equal((await readResultsCsv(studyPaths(out).results)).length, rows.length);

    const other = resolveGrid({ ...tinyGrid, seeds: [2] }, { fast: false });
    await assert.rejects(runAblation({ grid: other, out, data, tests }), (e: Error) => e instanceof ConfigError && /another grid/.test(e.message));
  });
});
