import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { SliceDataset } from '../../lib/data/slice-dataset';
import { modelGrid, prepareCase } from '../../lib/preprocess/prepare-case';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { initEngine } from '../../lib/engine';
import { ConfigError, DatasetError } from '../../lib/errors';
import { applyAffine } from '../../lib/volume/affine';
import { axcodes } from '../../lib/volume/orientation';
import { extractSlices } from '../../lib/volume/slices';
import { tinyAffine, tinyCase, TINY_DIMS } from '../train/tiny-cohort';

describe('slice dataset', () => {
  before(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('puts a case on a size x size RAS grid that keeps the whole field of view', () => {
    const config = resolvePreprocessConfig({ size: 32 });
    const grid = modelGrid({ dims: TINY_DIMS, affine: tinyAffine() }, config);
    assert.deepEqual(grid.dims, [32, 32, TINY_DIMS[2]]);
    assert.equal(axcodes(grid.affine), 'RAS');
    // 'fit': the larger in-plane extent (24 x 1.2 = 28.8 mm vs 28 x 1 = 28 mm) fills the 32 pixels.
    assert.ok(Math.abs(grid.spacing[0] - 28.8 / 32) < 1e-9);
    assert.equal(grid.spacing[2], 2.5);
    // The grid's centre is the input's centre, to within the half pixel an odd padding leaves.
    const centreIn = applyAffine(tinyAffine(), [(TINY_DIMS[0] - 1) / 2, (TINY_DIMS[1] - 1) / 2, 0]);
    const centreOut = applyAffine(grid.affine, [15.5, 15.5, 0]);
    centreIn.forEach((v, a) => assert.ok(Math.abs(v - centreOut[a]) <= grid.spacing[a] / 2 + 1e-9));
  });

  it('normalises inside the foreground, resamples the mask and counts tumour pixels per slice', () => {
    const config = resolvePreprocessConfig({ size: 32 });
    const input = tinyCase(0);
    const prepared = prepareCase(input, config);
    const [, , nz] = prepared.grid.dims;
    assert.equal(prepared.tumourArea.length, nz);
    const withTumour = [...prepared.tumourArea].map((a, k) => (a > 0 ? k : -1)).filter((k) => k >= 0);
    const sourceSlices = new Set<number>();
    const [nx, ny] = TINY_DIMS;
    input.mask!.data.forEach((v, i) => v && sourceSlices.add(Math.floor(i / (nx * ny))));
    assert.deepEqual(withTumour, [...sourceSlices].sort());
    const ch = prepared.channels[0].data;
    let n = 0;
    let sum = 0;
    for (let i = 0; i < ch.length; i++) {
      if (ch[i] === 0) continue;
      n++;
      sum += ch[i];
    }
    assert.ok(Math.abs(sum / n) < 0.05, 'z-scored inside the foreground');
    assert.ok(prepared.foreground.every((f) => f > 0.3 && f < 0.9));
  });

  it('builds training batches with masks and labels, 2.5D channels included', () => {
    const config = resolvePreprocessConfig({ size: 32, context: 1 });
    const ds = new SliceDataset([prepareCase(tinyCase(0, 7, 2), config), prepareCase(tinyCase(1, 7, 2), config)], config);
    assert.equal(ds.channels, 6);
    const batch = ds.batch([
      { caseIndex: 0, slice: 2 },
      { caseIndex: 1, slice: 0 },
    ]);
    assert.deepEqual(batch.image.shape, [2, 32, 32, 6]);
    assert.deepEqual(batch.mask!.shape, [2, 32, 32, 1]);
    assert.deepEqual(Array.from(batch.label!.dataSync()), [0, 1]);
    tf.dispose([batch.image, batch.mask!, batch.label!]);
  });

  it('holds each channel in 16-bit fixed point; its slices equal the prepared floats within half a step', () => {
    const config = resolvePreprocessConfig({ size: 32, context: 1 });
    const prepared = prepareCase(tinyCase(0, 7, 2), config);
    const ds = new SliceDataset([prepared], config);
    const stored = ds.cases[0];
    assert.ok(stored.channels.every((v, c) => v.data instanceof Int16Array && v.data.byteLength * 2 === prepared.channels[c].data.byteLength));
    prepared.channels.forEach((v, c) => {
      const max = v.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      assert.ok(Math.abs(stored.scales[c] - max / 32767) <= 1e-12 * max, `scale of channel ${c}`);
    });
    assert.notEqual(stored.scales[0], stored.scales[1], 'the two sequences need their own scales for this test to see a mix-up');
    const all = Array.from({ length: prepared.grid.dims[2] }, (_, k) => k);
    const got = ds.slices(0, all).data;
    const want = extractSlices(prepared.channels, { axis: 2, context: 1, indices: all }).data;
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      const scale = stored.scales[Math.floor((i % 6) / 3)];
      assert.ok(Math.abs(got[i] - want[i]) <= scale / 2 + 1e-6 * Math.abs(want[i]), `value ${i}: ${got[i]} vs ${want[i]}`);
    }
  });

  it('refuses images on different grids, naming the case', () => {
    const config = resolvePreprocessConfig({ size: 32 });
    const a = tinyCase(0);
    const shifted = tinyCase(0, 7, 1, tinyAffine().map((r, i) => (i === 0 ? [r[0], r[1], r[2], r[3] + 5] : r)));
    assert.throws(() => prepareCase({ ...a, images: [a.images[0], shifted.images[0]] }, config), (e: Error) => e instanceof DatasetError && /tiny-0.*image 2/.test(e.message));
    assert.throws(() => prepareCase({ ...a, mask: shifted.mask }, config), /the mask .* is not on the grid/);
    assert.throws(() => resolvePreprocessConfig({ size: 0 }), ConfigError);
  });
});
