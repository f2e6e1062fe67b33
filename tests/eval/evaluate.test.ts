import { strict as assert } from 'node:assert';
import { prepareCase } from '../../lib/preprocess/prepare-case';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { initEngine } from '../../lib/engine';
import { saveDataFrameCsv, toDataFrame } from '../../lib/eval/results';
import { evaluateModel, summarise, summariseRows, validationScores, type PatientRow } from '../../lib/eval/evaluate';
import { buildModel } from '../../lib/model/multitask';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { tinyCohort, tinyModelConfig } from '../train/tiny-cohort';

function row(id: string, label: number, p: number, dice: number, hd95: number): PatientRow {
  return {
    case_id: id,
    label,
    egfr_probability: p,
    class_probabilities: [1 - p, p],
    network_probability: p,
    phenotype_probability: null,
    dice,
    iou: dice / (2 - dice),
    hd95_mm: hd95,
    assd_mm: 1,
    sensitivity: 1,
    precision: 1,
    lesion_sensitivity: 1,
    lesion_fp: 0,
    gt_lesions: 1,
    pred_lesions: 1,
    gt_volume_ml: 1,
    pred_volume_ml: 1,
  };
}

describe('evaluation', function () {
  this.timeout(30000);
  before(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('summarises patients: means and medians of finite values, patient-level classification', () => {
    const rows = [row('a', 0, 0.2, 0.9, 2), row('b', 1, 0.7, 0.7, NaN), row('c', 1, 0.4, 0.8, 4), row('d', 0, 0.5, 0.6, 6)];
    const s = summariseRows(rows, { bootstrap: { replicates: 20 } });
    assert.equal(s.patients, 4);
    assert.ok(Math.abs(s.segmentation!.dice.mean! - 0.75) < 1e-12);
    assert.deepEqual(summarise([2, NaN, 4, 6, null]), { mean: 4, median: 4, n: 3 });
    assert.equal(s.segmentation!.hd95_mm.n, 3);
    // Positives score 0.7 and 0.4, negatives 0.2 and 0.5: 3 of 4 pairs ordered.
    assert.equal(s.classification!.auc, 0.75);
    assert.equal(s.classification!.accuracy, 0.5);
    assert.equal(s.multiclass, null);
  });

  it('evaluates a model patient by patient and gives validation scores, without leaking tensors', async () => {
    const config = resolvePreprocessConfig({ size: 32 });
    const cases = tinyCohort(2);
    const model = buildModel(tinyModelConfig());
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const { rows, summary } = await evaluateModel(model, cases, config, { bootstrap: { replicates: 10 }, onPatient: (r) => seen.push(r.case_id) });
    assert.deepEqual(seen, ['tiny-0', 'tiny-1']);
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.dice !== null && r.egfr_probability! >= 0 && r.egfr_probability! <= 1));
    assert.equal(summary.segmentation!.dice.n, 2);
    const prepared = cases.map((c) => prepareCase(c, config));
    const scores = validationScores(model, prepared, config);
    assert.deepEqual(Object.keys(scores).sort(), ['auc', 'dice', 'score']);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('saves results as DataFrame CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-results-'));
    try {
      const frame = await toDataFrame([row('a', 0, 0.25, 0.5, 1)]);
      assert.deepEqual(frame.shape, [1, 18]);
      await saveDataFrameCsv(frame, join(dir, 'p.csv'));
      const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[1], /^a,0,0\.25,"?\[0\.75,0\.25\]"?,0\.25,,0\.5,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
