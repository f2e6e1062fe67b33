import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsv } from '../../lib/data/csv';
import { ConfigError } from '../../lib/errors';
import type { PatientRow } from '../../lib/eval/evaluate';
import { patientRecords, saveDataFrameCsv, toDataFrame, writePatientsCsv } from '../../lib/eval/results';

function patient(id: string, probabilities: number[] | null): PatientRow {
  return {
    case_id: id,
    label: probabilities ? 1 : null,
    egfr_probability: probabilities ? 1 - probabilities[0] : null,
    class_probabilities: probabilities,
    network_probability: probabilities ? 1 - probabilities[0] : null,
    phenotype_probability: null,
    dice: 0.5,
    iou: 1 / 3,
    hd95_mm: null,
    assd_mm: 1.25,
    sensitivity: 0.5,
    precision: 0.5,
    lesion_sensitivity: 1,
    lesion_fp: 0,
    gt_lesions: 1,
    pred_lesions: 1,
    gt_volume_ml: 1.5,
    pred_volume_ml: 1.5,
  };
}

describe('eval results tables', function () {
  // The child process loads the whole library and then danfojs-node, a few seconds each on a busy machine.
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-results-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('importing the library does not load danfojs-node; building a DataFrame does', () => {
    const script = `
      const lib = require('./lib/index');
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/danfojs-node/'));
      const atImport = loaded();
      lib.evaluation.toDataFrame([{ a: 1 }]).then(() => process.stdout.write(JSON.stringify({ atImport, afterFrame: loaded() })));`;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), { atImport: false, afterFrame: true });
  });

  it("danfojs-node's TensorFlow.js is the engine's own: loading it leaves the backend, our kernels and our gradients in place", () => {
    // danfojs-node asks for @tensorflow/tfjs-node, which package.json overrides to the @tensorflow/tfjs the engine
    // loads; a second copy would register tfjs's stock gradients and kernels again over the engine's.
    const script = `
      const tf = require('@tensorflow/tfjs-core');
      const { initEngine } = require('./lib/engine/backend');
      const { toDataFrame } = require('./lib/eval/results');
      (async () => {
        const engine = await initEngine();
        const kernels = ['Conv2D', 'Conv2DBackpropFilter', 'FusedBatchNorm', 'BatchMatMul'].map((k) => tf.getKernel(k, tf.getBackend()));
        const gradients = ['Maximum', 'FusedBatchNorm', 'BatchMatMul', 'SquaredDifference'].map((k) => tf.getGradient(k));
        await toDataFrame([{ a: 1 }]);
        const danfoTf = require(require.resolve('@tensorflow/tfjs-core', { paths: [require.resolve('danfojs-node')] }));
        process.stdout.write(JSON.stringify({
          backend: engine.backend === tf.getBackend() || engine.tfBackend === tf.getBackend(),
          sameCore: danfoTf === tf,
          kernels: kernels.every((k, i) => k === tf.getKernel(['Conv2D', 'Conv2DBackpropFilter', 'FusedBatchNorm', 'BatchMatMul'][i], tf.getBackend())),
          gradients: gradients.every((g, i) => g === tf.getGradient(['Maximum', 'FusedBatchNorm', 'BatchMatMul', 'SquaredDifference'][i])),
        }));
      })();`;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), { backend: true, sameCore: true, kernels: true, gradients: true });
  });

  it('patient records: one p_<class> column per class where class_probabilities stood, empty without a classifier', () => {
    const records = patientRecords([patient('a', [0.25, 0.5, 0.25]), patient('b', null)], ['wildtype', 'ex19del', 'l858r']);
    assert.deepEqual(Object.keys(records[0]).slice(0, 7), ['case_id', 'label', 'egfr_probability', 'p_wildtype', 'p_ex19del', 'p_l858r', 'network_probability']);
    assert.deepEqual([records[0].p_wildtype, records[0].p_ex19del, records[0].p_l858r], [0.25, 0.5, 0.25]);
    assert.deepEqual([records[1].p_wildtype, records[1].p_ex19del, records[1].p_l858r], [null, null, null]);
    assert.throws(
      () => patientRecords([patient('c', [0.5, 0.5])], ['wildtype', 'ex19del', 'l858r']),
      (e: Error) => e instanceof ConfigError && /case c has 2 class probabilities but the run has 3 classes/.test(e.message),
    );
  });

  it('writes patients.csv that an RFC 4180 reader reads back cell for cell, quoting a class name with a comma', async () => {
    const path = join(dir, 'patients.csv');
    await writePatientsCsv([patient('a', [0.75, 0.25]), patient('b', null)], ['wild,type', 'mutant'], path);
    const { header, rows } = parseCsv(readFileSync(path, 'utf8'), path);
    assert.ok(readFileSync(path, 'utf8').startsWith('case_id,label,egfr_probability,"p_wild,type",p_mutant,network_probability,phenotype_probability,dice,'));
    assert.equal(header.length, 19);
    assert.deepEqual(rows[0].cells.slice(0, 10), ['a', '1', '0.25', '0.75', '0.25', '0.25', '', '0.5', String(1 / 3), '']);
    assert.deepEqual(rows[1].cells.slice(0, 5), ['b', '', '', '', '']);
  });

  it('saves a DataFrame as RFC 4180 CSV: cells with commas or quotes are quoted', async () => {
    const path = join(dir, 'frame.csv');
    const frame = await toDataFrame([
      { name: 'x,y', list: [1, 2], n: 1.5, missing: null, flag: true },
      { name: 'say "hi"', list: [], n: Number.NaN, missing: 2, flag: false },
    ]);
    await saveDataFrameCsv(frame, path);
    const { header, rows } = parseCsv(readFileSync(path, 'utf8'), path);
    assert.deepEqual(header, ['name', 'list', 'n', 'missing', 'flag']);
    assert.deepEqual(
      rows.map((r) => r.cells),
      [
        ['x,y', '[1,2]', '1.5', '', 'true'],
        ['say "hi"', '[]', '', '2', 'false'],
      ],
    );
  });
});
