import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { benchRows } from '../../lib/bench/registry';
import { headPhantom, PREDICT_PHANTOM, timePredictVolume } from '../../lib/bench/predict';
import { initEngine } from '../../lib/engine/backend';
import { affineZooms } from '../../lib/volume/affine';

describe('bench predict_volume', () => {
  it('is a registered row', () => {
    assert.ok(benchRows.some(([name]) => name === 'predict_volume'));
  });

  it('the phantom is a 150-slice radiological scan with a head in every slice and zeros around it', () => {
    const v = headPhantom(PREDICT_PHANTOM);
    const [nx, ny, nz] = v.dims;
    assert.deepEqual(v.dims, [128, 128, 150]);
    assert.deepEqual(affineZooms(v.affine).map((s) => +s.toFixed(6)), [1.8, 1.8, 1]);
    assert.ok(v.affine[0][0] < 0, 'x runs right to left');
    const plane = nx * ny;
    for (let k = 0; k < nz; k++) {
      let fg = 0;
      for (let i = k * plane; i < (k + 1) * plane; i++) if (v.data[i] > 0) fg++;
      assert.ok(fg > 0 && fg < plane, `slice ${k}: ${fg} of ${plane} voxels inside the head`);
    }
    assert.equal(v.data[0], 0);
    assert.deepEqual(headPhantom(PREDICT_PHANTOM).data, v.data);
  });

  it('times predictCase on a short stack without leaking tensors', async () => {
    await initEngine();
    const before = tf.memory().numTensors;
    const t = timePredictVolume({ warmup: 0, runs: 1, phantom: { dims: [40, 40, 4], spacing: [5, 5, 20], seed: 2 } });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(t.predict_volume_slices, 4);
    assert.equal(t.predict_volume_slices_predicted, 4);
    assert.ok(t.predict_volume_ms > 0 && t.predict_volume_cpu_ms > 0);
  });
});
