/**
 * Issue 17: two local workers on one study folder, one of them killed (SIGKILL) in the middle of a cell: the other
 * finishes its own cell, waits for the killed worker's lease to expire, takes the cell over and continues it from its
 * checkpoint; the study ends with the numbers of an uninterrupted sequential run.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridCells, resolveGrid } from '../../lib/experiments/grid';
import { startLocalWorkers } from '../../lib/experiments/workers';
import { cli, histories, longGrid, ONE_THREAD, rowsByCell, waitForHalfTrained } from './cluster-helpers';
import { writeTinyCohort } from './tiny-study';

describe('experiments: local workers sharing a study folder', function () {
  this.timeout(300000);
  let root: string;
  let common: string[];
  let cells: string[];
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'workers-'));
    const data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    const test = await writeTinyCohort(join(root, 'test'), 4, 8);
    const gridFile = join(root, 'long.json');
    writeFileSync(gridFile, JSON.stringify(longGrid));
    cells = gridCells(resolveGrid(longGrid, { fast: false })).map((c) => c.id);
    common = ['--grid', gridFile, '--data', data, '--test', `t=${test}`, '--bootstrap', '20'];
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a worker killed mid-cell: the other takes the cell over after the lease expires and resumes it', async () => {
    const reference = join(root, 'sequential');
    const seq = await cli(['ablate', ...common, '--out', reference]);
    assert.equal(seq.code, 0, seq.out);

    const out = join(root, 'shared');
    const lines: string[] = [];
    const workers = startLocalWorkers({ workers: 2, args: [...common, '--out', out, '--lease', '6'], env: { ...process.env, ...ONE_THREAD }, onLine: (w, l) => lines.push(`[${w}] ${l}`) });
    // Worker 0's share comes first: cell 0. Kill it once that cell has a checkpoint.
    const step = await waitForHalfTrained(out, cells[0]);
    const killedAt = Date.now();
    workers[0].kill('SIGKILL');
    const [killed, survivor] = await Promise.all(workers.map((w) => w.exited));
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(survivor.code, 0, lines.join('\n'));

    const h = await histories(out, cells);
    const takeover = h[cells[0]].find((e) => e.event === 'took-over');
    assert.ok(takeover, `no takeover in ${JSON.stringify(h[cells[0]])}`);
    assert.ok(Date.parse(takeover.at) - killedAt >= 4000, 'taken over only once the lease had expired');
    assert.ok(takeover.fromStep! >= step && takeover.fromStep! > 0, 'continued from the checkpoint');
    assert.ok(lines.some((l) => /^\[1\].*taking over from/.test(l)));
    for (const c of cells) {
      assert.equal(h[c].filter((e) => (e.event === 'claimed' || e.event === 'took-over') && e.fromStep === 0).length, 1, `${c} started from scratch once`);
      assert.equal(h[c].filter((e) => e.event === 'finished').length, 1, `${c} finished once`);
    }
    assert.deepEqual(rowsByCell(out, cells), rowsByCell(reference, cells), 'the numbers of the sequential run');
  });
});
