import { strict as assert } from 'node:assert';
import { boxBlurZ, bsplineUpsample, gaussianBlur, latticeDims, smoothRandomField } from '../../lib/synth/fields';
import { Rng } from '../../lib/util/rng';
import type { Vec3 } from '../../lib/volume/volume';

describe('synth fields', () => {
  it('blurs keep a constant field constant and conserve the mean of an impulse away from the border', () => {
    const dims: Vec3 = [21, 21, 21];
    const c = new Float32Array(21 ** 3).fill(3);
    gaussianBlur(c, dims, [1.5, 1, 2]);
    boxBlurZ(c, dims, 2.6);
    for (const x of c) assert.ok(Math.abs(x - 3) < 1e-5);
    const d = new Float32Array(21 ** 3);
    d[10 + 21 * (10 + 21 * 10)] = 1;
    gaussianBlur(d, dims, [1.5, 1, 2]);
    boxBlurZ(d, dims, 3);
    assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(d[10 + 21 * (10 + 21 * 10)] < 0.05);
  });

  it('B-spline upsampling reproduces constant and linear lattices exactly', () => {
    const dims: Vec3 = [17, 9, 5];
    const step: Vec3 = [4, 2.5, 2];
    const cd = latticeDims(dims, step);
    const lattice = new Float32Array(cd[0] * cd[1] * cd[2]);
    // Node c sits at voxel (c - 1) * step: a lattice linear in c upsamples to the same line in voxels.
    for (let k = 0; k < cd[2]; k++) for (let j = 0; j < cd[1]; j++) for (let i = 0; i < cd[0]; i++) lattice[i + cd[0] * (j + cd[1] * k)] = 2 + 0.5 * (i - 1) * step[0];
    const f = bsplineUpsample(lattice, cd, dims, step);
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) assert.ok(Math.abs(f[i + dims[0] * (j + dims[1] * k)] - (2 + 0.5 * i)) < 1e-4);
  });

  it('smooth random fields have about zero mean and unit SD, and are smooth', () => {
    const dims: Vec3 = [64, 64, 48];
    const f = smoothRandomField(new Rng(3), dims, [1.5, 1.5, 1.5], 12);
    let s = 0;
    let s2 = 0;
    let step = 0;
    for (let v = 0; v < f.length; v++) {
      s += f[v];
      s2 += f[v] * f[v];
      if (v % 64 !== 63) step += Math.abs(f[v + 1] - f[v]);
    }
    const mean = s / f.length;
    const sd = Math.sqrt(s2 / f.length - mean * mean);
    assert.ok(Math.abs(mean) < 0.25, `mean ${mean}`);
    assert.ok(sd > 0.75 && sd < 1.25, `sd ${sd}`);
    // Neighbouring voxels 1.5 mm apart on a 12 mm lattice differ by far less than the SD.
    assert.ok(step / f.length < 0.2, `mean step ${step / f.length}`);
  });
});
