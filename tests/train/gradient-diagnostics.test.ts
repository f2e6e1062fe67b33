import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { buildModel } from '../../lib/model/multitask';
import { GradientDiagnosticsLog, diagnosticsHeader, diagnosticsRow, gradientDiagnostics, readGradientDiagnostics } from '../../lib/train/gradient-diagnostics';
import { createTrainStep } from '../../lib/train/step';
import { createWeighting } from '../../lib/weighting/create';
import { disposeBatch, tinyBatch, tinyConfig } from '../model/tiny';

describe('gradient diagnostics', () => {
  let dir: string;
  before(async () => {
    await initEngine();
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-diag-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('norms, the cosine and conflict of two gradients, and the weights', () => {
    const d = gradientDiagnostics(['seg', 'cls'], [Float32Array.from([3, 0]), Float32Array.from([-1, 1])], 'parameters', [0.5, 2]);
    assert.deepEqual(d.norms, { seg: 3, cls: Math.SQRT2 });
    assert.ok(Math.abs(d.cosines['seg|cls'] + Math.SQRT1_2) < 1e-12);
    assert.equal(d.conflict, true);
    assert.deepEqual(d.weights, { seg: 0.5, cls: 2 });
    assert.equal(diagnosticsHeader(['seg', 'cls']), 'step,epoch,space,norm_seg,norm_cls,cos_seg_cls,conflict,weight_seg,weight_cls');
    assert.equal(diagnosticsRow(['seg', 'cls'], 4, 1, { ...d, weights: null }).split(',').slice(-3).join(','), '1,,');
  });

  it('the train step reports them for a gradient method, exact and at the features, and none for a loss method', () => {
    const batch = tinyBatch(16);
    for (const space of ['parameters', 'features'] as const) {
      const model = buildModel(tinyConfig(16));
      const weighting = createWeighting({ kind: 'mgda', space }, model.tasks);
      const optimizer = tf.train.adam(1e-3);
      const r = createTrainStep(model, weighting, optimizer)(batch);
      assert.equal(r.diagnostics?.space, space);
      assert.ok(r.diagnostics!.norms.seg! > 0 && r.diagnostics!.norms.cls! > 0);
      assert.ok(Math.abs(r.diagnostics!.cosines['seg|cls']) <= 1);
      assert.equal(r.diagnostics!.conflict, r.diagnostics!.cosines['seg|cls'] < 0);
      assert.deepEqual(r.diagnostics!.weights, r.taskWeights);
      optimizer.dispose();
      weighting.dispose();
      model.dispose();
    }
    const model = buildModel(tinyConfig(16));
    const weighting = createWeighting({ kind: 'uncertainty' }, model.tasks);
    const optimizer = tf.train.adam(1e-3);
    assert.equal(createTrainStep(model, weighting, optimizer)(batch).diagnostics, undefined);
    optimizer.dispose();
    weighting.dispose();
    model.dispose();
    disposeBatch(batch);
  });

  it('the log keeps the rows before the resumed step and appends after them', async () => {
    const path = join(dir, 'gradient-diagnostics.csv');
    const d = gradientDiagnostics(['seg', 'cls'], [Float32Array.from([1, 0]), Float32Array.from([1, 1])], 'features', [1, 1]);
    const log = await GradientDiagnosticsLog.open(path, ['seg', 'cls']);
    for (let s = 0; s < 4; s++) await log.append(s, 1, d);
    const resumed = await GradientDiagnosticsLog.open(path, ['seg', 'cls'], 2);
    await resumed.append(2, 1, d);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(',')[0]), ['step', '0', '1', '2']);
  });

  it('reads the log back as columns with the mean cosine and the share of steps in conflict', async () => {
    const path = join(dir, 'read-back.csv');
    const log = await GradientDiagnosticsLog.open(path, ['seg', 'cls']);
    const agree = gradientDiagnostics(['seg', 'cls'], [Float32Array.from([1, 0]), Float32Array.from([1, 1])], 'parameters', [0.25, 0.75]);
    const oppose = gradientDiagnostics(['seg', 'cls'], [Float32Array.from([1, 0]), Float32Array.from([-1, 1])], 'parameters', null);
    await log.append(0, 1, agree);
    await log.append(1, 1, oppose);
    await log.append(2, 1, oppose);
    const read = await readGradientDiagnostics(path);
    assert.deepEqual(read.step, [0, 1, 2]);
    assert.deepEqual(read.conflict, [false, true, true]);
    assert.ok(Math.abs(read.conflictShare - 2 / 3) < 1e-15);
    assert.ok(Math.abs(read.meanCosine['seg|cls'] - (Math.SQRT1_2 - 2 * Math.SQRT1_2) / 3) < 1e-6);
    assert.deepEqual(read.weights.seg.slice(0, 1), [0.25]);
    assert.ok(Number.isNaN(read.weights.seg[1]));
    assert.ok(Math.abs(read.norms.cls[1] - Math.SQRT2) < 1e-6);
    await assert.rejects(readGradientDiagnostics(join(dir, 'missing.csv')), /only gradient methods write them/);
  });
});
