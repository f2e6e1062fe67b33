import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';
import { RESULT_COLUMNS } from '../../lib/experiments/results';
import { tinyGrid, writeTinyCohort } from '../experiments/tiny-study';


describe('cli ablate', function () {
  this.timeout(120000);
  let root: string;
  let gridFile: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'cli-ablate-'));
    gridFile = join(root, 'tiny.json');
    writeFileSync(gridFile, JSON.stringify({ ...tinyGrid, models: ['mtl'] }));
  });

  it('answers bad usage with exit status 2 and a bad grid with 1, naming the file', async () => {
    assert.equal((await runCli(['ablate'])).code, 2);
    assert.equal((await runCli(['ablate', '--grid', gridFile, '--test', 'x=/tmp'])).code, 2);
    assert.equal((await runCli(['ablate', '--grid', gridFile, '--data', root, '--test', 'no-equals-sign'])).code, 2);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...tinyGrid, models: ['resnet'] }));
    const r = await runCli(['ablate', '--grid', bad, '--data', root, '--test', `t=${root}`]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(bad) && /unknown model 'resnet'/.test(r.stderr));
  });

  it('runs a grid on given cohorts, prints the table, and skips finished cells when run again', async () => {
    const data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    const test = await writeTinyCohort(join(root, 'test'), 4, 8);
    const out = join(root, 'study');
    const args = ['ablate', '--grid', gridFile, '--data', data, '--test', `held-out=${test}`, '--out', out, '--bootstrap', '20'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /held-out:\n\| model \| weighting \| seeds \| dice/);
    assert.match(first.stdout, /\| mtl \| uncertainty \| 1 \| \d\.\d{3}/);
    const results = join(out, 'results.csv');
    assert.equal(readFileSync(results, 'utf8').split('\n')[0], RESULT_COLUMNS.join(','));
    assert.ok(existsSync(join(out, 'cells', 'mtl__uncertainty__s1', 'run', 'model')));
    const again = await runCli(args);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /mtl__uncertainty__s1: finished earlier, skipped/);
  });
});
