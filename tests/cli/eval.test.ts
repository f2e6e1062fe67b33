import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunConfig } from '../../lib/train/run-folder';
import { runCli } from './run-cli';
import { tinyRun } from './tiny-run';

describe('cli eval', function () {
  this.timeout(60000);

  it('scores every patient and writes patients.csv and summary.json', async () => {
    const { root, run, data } = await tinyRun();
    const out = join(root, 'eval-all');
    const r = await runCli(['eval', '--run', run, '--data', data, '--json', '--bootstrap', '50', '--out', out, '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.patients, 4);
    for (const k of ['dice', 'iou', 'hd95_mm', 'assd_mm', 'sensitivity', 'precision', 'lesion_sensitivity', 'lesion_fp']) {
      assert.ok(k in report.segmentation, k);
    }
    for (const k of ['auc', 'auc_ci95', 'accuracy', 'sensitivity', 'specificity', 'f1', 'brier']) assert.ok(k in report.classification, k);
    const csv = readFileSync(join(out, 'patients.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 5);
    assert.match(csv[0], /^case_id,label,egfr_probability,p_wildtype,p_mutant,network_probability,phenotype_probability,dice,/);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), report);
  });

  it("evaluates the run's own validation split on request", async () => {
    const { root, run, data } = await tinyRun();
    const r = await runCli(['eval', '--run', run, '--data', data, '--split', 'val', '--json', '--bootstrap', '10', '--out', join(root, 'eval-val'), '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.patients, (await readRunConfig(run)).data.val.length);
    assert.equal(report.aggregation, 'area-weighted');
    const max = await runCli(['eval', '--run', run, '--data', data, '--split', 'val', '--json', '--bootstrap', '10', '--out', join(root, 'eval-max'), '--aggregation', 'max', '--backend', 'wasm']);
    assert.equal(max.code, 0, max.stderr);
    assert.equal(JSON.parse(max.stdout).aggregation, 'max');
    const bad = await runCli(['eval', '--run', run, '--data', data, '--aggregation', 'median']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--aggregation must be one of area-weighted, max, tumour-mean, got 'median'/);
  });

  it('gives clear errors for a missing run or data folder', async () => {
    const { root, run } = await tinyRun();
    const noData = await runCli(['eval', '--run', run, '--data', join(root, 'missing')]);
    assert.equal(noData.code, 1);
    assert.match(noData.stderr, /missing: data folder does not exist/);
    const noRun = await runCli(['eval', '--run', join(root, 'cohort'), '--data', join(root, 'cohort')]);
    assert.equal(noRun.code, 1);
    assert.match(noRun.stderr, /config\.json: missing: this folder is not a training run/);
  });
});
