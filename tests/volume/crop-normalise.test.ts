import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { readNifti } from '../../lib/io';
import { applyAffine } from '../../lib/volume/affine';
import { crop, cropOrPadTo, expandBox, extractRegion, insertRegion, pad } from '../../lib/volume/crop';
import { normalise, percentileClip } from '../../lib/volume/normalise';
import { voxelIndex, type Mat4, type Vec3, type Volume } from '../../lib/volume/volume';
import { fixture } from '../io/fixtures';

const affine: Mat4 = [
  [0, 0, -2, 30],
  [1.5, 0, 0, -10],
  [0, 1, 0, 4],
  [0, 0, 0, 1],
];

function ramp(dims: Vec3): Volume<Int16Array> {
  const data = Int16Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, i) => i);
  return { data, dims, spacing: [1.5, 1, 2], affine };
}

describe('crop and pad', () => {
  it('crops a box, keeping every voxel at its world position', () => {
    const v = ramp([6, 5, 4]);
    const c = crop(v, { min: [1, 2, 1], max: [4, 4, 2] });
    assert.deepEqual(c.dims, [4, 3, 2]);
    assert.ok(c.data instanceof Int16Array);
    for (const [i, j, k] of [
      [0, 0, 0],
      [3, 2, 1],
      [2, 1, 0],
    ] as Vec3[]) {
      assert.equal(c.data[voxelIndex(c.dims, i, j, k)], v.data[voxelIndex(v.dims, i + 1, j + 2, k + 1)]);
      assert.deepEqual(applyAffine(c.affine, [i, j, k]), applyAffine(v.affine, [i + 1, j + 2, k + 1]));
    }
  });

  it('pads with a value and crops back to the original', () => {
    const v = ramp([3, 4, 2]);
    const p = pad(v, [1, 0, 2], [2, 1, 0], -5);
    assert.deepEqual(p.dims, [6, 5, 4]);
    assert.equal(p.data[voxelIndex(p.dims, 0, 0, 0)], -5);
    assert.equal(p.data[voxelIndex(p.dims, 1, 0, 2)], v.data[0]);
    const back = crop(p, { min: [1, 0, 2], max: [3, 3, 3] });
    assert.deepEqual(back.data, v.data);
    assert.deepEqual(back.affine, v.affine);
  });

  it('crops or pads to a size around the centre, and insertRegion puts a result back', () => {
    const v = ramp([7, 4, 3]);
    const { volume: r, start } = cropOrPadTo(v, [4, 6, 3]);
    assert.deepEqual(start, [1, -1, 0]);
    assert.equal(r.data[voxelIndex(r.dims, 0, 0, 0)], 0);
    assert.equal(r.data[voxelIndex(r.dims, 0, 1, 0)], v.data[voxelIndex(v.dims, 1, 0, 0)]);
    const target: Volume<Int16Array> = { ...v, data: new Int16Array(v.data.length) };
    insertRegion(target, r, start);
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 4; j++)
        for (let i = 0; i < 7; i++) {
          const inside = i >= 1 && i <= 4;
          assert.equal(target.data[voxelIndex(v.dims, i, j, k)], inside ? v.data[voxelIndex(v.dims, i, j, k)] : 0);
        }
  });

  it('expands a box within the grid and rejects bad regions', () => {
    assert.deepEqual(expandBox({ min: [1, 5, 0], max: [3, 8, 2] }, [2, 2, 2], [10, 9, 3]), { min: [0, 3, 0], max: [5, 8, 2] });
    assert.throws(() => extractRegion(ramp([2, 2, 2]), [0, 0, 0], [0, 1, 1]), ConfigError);
    assert.throws(() => pad(ramp([2, 2, 2]), [-1, 0, 0], [0, 0, 0]), ConfigError);
  });
});

describe('normalise', () => {
  it('matches numpy on the Colin27 crop with a threshold mask (clip 0.5/99.5 percentiles, z-score inside)', async () => {
    // Expected values from numpy 1.24 (np.percentile, mean, std with ddof 0) on the same file.
    const im = await readNifti(fixture('ch2_crop.nii.gz'));
    const mask = Uint8Array.from(im.data, (x) => (x > 60 ? 1 : 0));
    const z = normalise(im, { mask });
    const clipped = percentileClip(im, 0.5, 99.5, mask);
    assert.equal(Math.min(...clipped.data), 61);
    assert.equal(Math.max(...clipped.data), 114);
    let s = 0;
    let ss = 0;
    let n = 0;
    for (let i = 0; i < z.data.length; i++) {
      if (!mask[i]) {
        assert.equal(z.data[i], 0);
        continue;
      }
      s += z.data[i];
      ss += z.data[i] ** 2;
      n++;
    }
    assert.equal(n, 54149);
    assert.ok(Math.abs(s / n) < 1e-5 && Math.abs(ss / n - 1) < 1e-5);
    const kept = normalise(im, { mask, outside: 'keep' });
    assert.ok(Math.abs(kept.data[0] - -1.7533133213636014) < 1e-5);
    assert.ok(Math.abs(z.data[voxelIndex(z.dims, 20, 20, 20)]) < 1e-9);
  });

  it('uses every voxel without a mask and refuses an empty mask or a constant image', () => {
    const v = ramp([4, 4, 4]);
    const z = normalise(v, { clip: null });
    assert.ok(Math.abs(z.data.reduce((a, b) => a + b, 0)) < 1e-3);
    assert.throws(() => normalise(v, { mask: new Uint8Array(64) }), /no voxel/);
    assert.throws(() => normalise({ ...v, data: new Int16Array(64).fill(3) }), /constant/);
  });
});
