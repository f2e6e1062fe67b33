import { strict as assert } from 'node:assert';
import { readNifti } from '../../lib/io';
import { affineZooms, applyAffine } from '../../lib/volume/affine';
import { reorient } from '../../lib/volume/orientation';
import { gridWithSpacing, resample, resampleToGrid } from '../../lib/volume/resample';
import { voxelIndex, type Mat4, type Vec3, type Volume } from '../../lib/volume/volume';
import { fixture } from '../io/fixtures';

const oblique: Mat4 = [
  [0.9 * Math.cos(0.5), 0, -2 * Math.sin(0.5), 12],
  [0.9 * Math.sin(0.5), 0, 2 * Math.cos(0.5), -40],
  [0, 1.3, 0, 5],
  [0, 0, 0, 1],
];

/** A volume whose values are an affine function of world position: trilinear interpolation reproduces it exactly. */
function linearField(dims: Vec3, affine: Mat4): Volume<Float32Array> {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const [x, y, z] = applyAffine(affine, [i, j, k]);
        data[voxelIndex(dims, i, j, k)] = 0.5 * x - 0.25 * y + 0.75 * z + 3;
      }
  return { data, dims, spacing: affineZooms(affine), affine };
}

describe('resample', () => {
  // Spacings chosen so that no nearest-neighbour position is an exact .5 tie, which rounding order may break either way.
  it('matches scipy 1.10 map_coordinates (order 1 and 0, mode nearest) on the Colin27 crop', async () => {
    const im = await readNifti(fixture('ch2_crop.nii.gz'));
    const lin = resample(im, [1.7, 1.35, 2.2], { interpolation: 'linear' });
    assert.deepEqual(lin.dims, [24, 36, 16]);
    const at = (v: Volume<Float32Array>, i: number, j: number, k: number) => v.data[voxelIndex(v.dims, i, j, k)];
    let s = 0;
    for (const x of lin.data) s += x;
    // float32 voxels against scipy's float64: agreement to float32 precision.
    assert.ok(Math.abs(s - 1145294.43425) < 0.5, `sum ${s}`);
    assert.ok(Math.abs(at(lin, 3, 5, 7) - 92.065) < 1e-4);
    assert.ok(Math.abs(at(lin, 10, 20, 6) - 87.97) < 1e-4);
    assert.ok(Math.abs(at(lin, 23, 35, 15) - 111) < 1e-4);
    const nn = resample(im, [1.7, 1.35, 2.2], { interpolation: 'nearest' });
    let sn = 0;
    for (const x of nn.data) sn += x;
    assert.equal(sn, 1141473);
  });

  it('keeps the grid centre and the field of view (to half an output voxel)', () => {
    const dims: Vec3 = [31, 20, 17];
    const g = gridWithSpacing({ dims, affine: oblique }, [2.5, 1, 3.1]);
    assert.deepEqual(g.dims, [11, 26, 11]);
    const centreIn = applyAffine(oblique, dims.map((d) => (d - 1) / 2) as Vec3);
    const centreOut = applyAffine(g.affine, g.dims.map((d) => (d - 1) / 2) as Vec3);
    centreIn.forEach((c, a) => assert.ok(Math.abs(c - centreOut[a]) < 1e-9));
    const zIn = affineZooms(oblique);
    const zOut = affineZooms(g.affine);
    assert.deepEqual(zOut.map((z) => +z.toFixed(12)), [2.5, 1, 3.1]);
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(g.dims[a] * zOut[a] - dims[a] * zIn[a]) <= zOut[a] / 2 + 1e-9);
  });

  it('reproduces a linear intensity field exactly (linear) on an oblique grid', () => {
    const v = linearField([23, 19, 15], oblique);
    const r = resample(v, [1.5, 1.5, 1.5], { interpolation: 'linear' });
    const expected = linearField(r.dims, r.affine);
    let checked = 0;
    for (let i = 0; i < r.data.length; i++) {
      // Voxels in the outer half-voxel rim take the edge value (clamped), where the field is not extrapolated.
      const k = Math.floor(i / (r.dims[0] * r.dims[1]));
      const j = Math.floor(i / r.dims[0]) % r.dims[1];
      const x = i % r.dims[0];
      const inner = x > 0 && x < r.dims[0] - 1 && j > 0 && j < r.dims[1] - 1 && k > 0 && k < r.dims[2] - 1;
      if (!inner) continue;
      assert.ok(Math.abs(r.data[i] - expected.data[i]) < 1e-3, `voxel ${i}: ${r.data[i]} vs ${expected.data[i]}`);
      checked++;
    }
    assert.ok(checked > 1000);
  });

  it('takes a label map to a finer grid and back without changing a voxel (nearest keeps the array type)', () => {
    const dims: Vec3 = [9, 8, 7];
    const labels = Uint8Array.from({ length: 9 * 8 * 7 }, (_, i) => (i * 13) % 4);
    const v = { data: labels, dims, spacing: affineZooms(oblique), affine: oblique };
    const fine = resample(v, [0.45, 0.65, 1], { interpolation: 'nearest' });
    assert.ok(fine.data instanceof Uint8Array);
    const back = resampleToGrid(fine, v, { interpolation: 'nearest' });
    assert.deepEqual(back.data, labels);
  });

  it('resamples through world coordinates onto a permuted grid exactly like reorient (general path)', async () => {
    const im = await readNifti(fixture('KmeansTest_T1UCharRaw.nii.gz'));
    const target = reorient(im, 'RAS');
    const viaWorld = resampleToGrid(im, target, { interpolation: 'linear' });
    assert.deepEqual(viaWorld.dims, target.dims);
    assert.deepEqual(viaWorld.data, target.data);
  });

  it('fills voxels outside the input with the fill value', () => {
    const v = linearField([5, 5, 5], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    const shifted = { dims: [5, 5, 5] as Vec3, affine: [[1, 0, 0, 3], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
    const r = resampleToGrid(v, shifted, { interpolation: 'linear', fill: -7 });
    assert.equal(r.data[voxelIndex(r.dims, 1, 2, 2)], v.data[voxelIndex(v.dims, 4, 2, 2)]);
    assert.equal(r.data[voxelIndex(r.dims, 2, 2, 2)], -7);
  });
});
