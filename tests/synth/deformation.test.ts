import { strict as assert } from 'node:assert';
import { addMassEffect, sampleDeformation, warpVolumes, type Deformation } from '../../lib/synth/deformation';
import { Rng } from '../../lib/util/rng';
import type { Vec3 } from '../../lib/volume/volume';

const dims: Vec3 = [33, 33, 33];
const spacing: Vec3 = [1.5, 1.5, 1.5];

function identity(): Deformation {
  const source = new Float32Array(3 * 33 ** 3);
  for (let k = 0, v = 0; k < 33; k++) for (let j = 0; j < 33; j++) for (let i = 0; i < 33; i++, v++) source.set([i, j, k], 3 * v);
  return { source, params: { rotationDeg: [0, 0, 0], scale: [1, 1, 1], shear: [0, 0, 0], translationMm: [0, 0, 0], elasticSdMm: 0 } };
}

describe('synth deformation', () => {
  it('warps with trilinear interpolation (identity map returns the volume; outside reads 0)', () => {
    const vol = Float32Array.from({ length: 33 ** 3 }, (_, v) => v % 7);
    const [same, nearest] = warpVolumes(identity(), dims, [vol], [vol]);
    assert.deepEqual(same, vol);
    assert.deepEqual(nearest, vol);
    const shifted = identity();
    for (let v = 0; v < 33 ** 3; v++) shifted.source[3 * v] += 0.5;
    const [half] = warpVolumes(shifted, dims, [vol]);
    assert.equal(half[0], 0.5);
    assert.equal(half[32], 0);
  });

  it('draws a smooth, seeded deformation near the identity', () => {
    const a = sampleDeformation(new Rng(4), dims, spacing, [16, 16, 16]);
    const b = sampleDeformation(new Rng(4), dims, spacing, [16, 16, 16]);
    assert.deepEqual(a.source, b.source);
    const id = identity().source;
    let worst = 0;
    for (let q = 0; q < id.length; q++) worst = Math.max(worst, Math.abs(a.source[q] - id[q]));
    // Scale, rotation and a few mm of elastic displacement move no voxel of this small grid by more than ~8 voxels.
    assert.ok(worst > 0.1 && worst < 8, `largest displacement ${worst} voxels`);
  });

  it('adds a volume-conserving push around a lesion that fades to nothing at 4 radii', () => {
    const d = identity();
    const R = 4;
    addMassEffect(d, dims, spacing, [{ centreVoxel: [16, 16, 16], radiusMm: R }], 0.6);
    const at = (i: number, j: number, k: number) => Array.from(d.source.subarray(3 * (i + 33 * (j + 33 * k)), 3 * (i + 33 * (j + 33 * k)) + 3));
    // 6 mm (4 voxels) out along x, within 2R: it came from cbrt(6³ - 0.6·4³) mm.
    const expected = 16 + Math.cbrt(6 ** 3 - 0.6 * R ** 3) / 1.5;
    assert.ok(Math.abs(at(20, 16, 16)[0] - expected) < 0.02, `${at(20, 16, 16)[0]} vs ${expected}`);
    assert.ok(at(20, 16, 16)[0] < 20);
    // Beyond 4R (16 mm, 10.7 voxels) nothing moves.
    assert.deepEqual(at(28, 16, 16), [28, 16, 16]);
    assert.deepEqual(at(0, 0, 0), [0, 0, 0]);
  });
});
