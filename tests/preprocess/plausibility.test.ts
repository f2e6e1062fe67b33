/** Issue 21, item 2: images that cannot be what the model expects are refused with what is wrong, in the user's terms. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DatasetError } from '../../lib/errors';
import { readNifti } from '../../lib/io/nifti-read';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { prepareCase, type CaseInput } from '../../lib/preprocess/prepare-case';
import type { Mat4, Vec3, Volume } from '../../lib/volume/volume';
import { tinyCase } from '../train/tiny-cohort';

const COLIN = join(__dirname, '..', '..', 'datasets', 'colin27', 'ch2_1.5mm.nii.gz');
const CORONAL = join(__dirname, '..', 'fixtures', 'nifti', 'KmeansTest_T1UCharRaw.nii.gz');

function refuses(input: CaseInput, context: number, re: RegExp): void {
  assert.throws(
    () => prepareCase(input, resolvePreprocessConfig({ size: 32, context })),
    (e: unknown) => {
      assert.ok(e instanceof DatasetError, String(e));
      assert.ok(e.message.startsWith(`${input.source ?? input.id}: case ${input.id}: `), e.message);
      assert.match(e.message, re);
      return true;
    },
  );
}

/** `slices` axial slices of a volume, from slice `k0` (the z axis of an axial acquisition). */
function slab(v: Volume<Float32Array>, k0: number, slices: number): Volume<Float32Array> {
  const [nx, ny] = v.dims;
  const affine = v.affine.map((r) => r.slice()) as Mat4;
  for (let r = 0; r < 3; r++) affine[r][3] += affine[r][2] * k0;
  return { data: v.data.slice(nx * ny * k0, nx * ny * (k0 + slices)), dims: [nx, ny, slices], spacing: v.spacing, affine };
}

describe('preprocess: image plausibility', () => {
  it('refuses 3 slices above the head as a slab without foreground, in terms of the image', async () => {
    const colin = await readNifti(COLIN);
    const top = slab(colin, colin.dims[2] - 3, 3);
    refuses({ id: 'top', images: [top], source: 'top.nii.gz' }, 0, /covers 192 x 192 x 4\.5 mm .*a slab of 3 slice\(s\) rather than a whole-brain volume/);
    // 8 slices (12 mm) through the brain, blank or stored with an offset: a plausible size, but no foreground.
    const mid = slab(colin, 50, 8);
    refuses({ id: 'blank', images: [{ ...mid, data: new Float32Array(mid.data.length) }] }, 0, /the image has no foreground: no voxel is above 0 \(its values run from 0 to 0\)/);
    const offset = { ...mid, data: mid.data.map((v) => v - 1000) };
    refuses({ id: 'offset', images: [offset] }, 0, /its values run from -1000 to -\d+\).*stored with an offset/);
    // 8 slices through the brain are fine.
    assert.equal(prepareCase({ id: 'mid', images: [mid] }, resolvePreprocessConfig({ size: 32 })).grid.dims[2], 8);
  });

  it('refuses fewer axial slices than the 2.5D context needs, also for a coronal acquisition', async () => {
    const c = tinyCase(1, 7, 1, undefined, [24, 28, 6]);
    refuses(c, 3, /has 6 axial slice\(s\), and the model reads each slice with 3 neighbour\(s\) on each side \(2\.5D context 3\), so it needs at least 7/);
    assert.ok(prepareCase(c, resolvePreprocessConfig({ size: 32, context: 2 })));
    const coronal = await readNifti(CORONAL);
    // 128 x 128 x 62 voxels, coronal: the axial slices run along the second voxel axis (128 of them).
    assert.ok(prepareCase({ id: 'cor', images: [coronal] }, resolvePreprocessConfig({ size: 32, context: 60 })));
    refuses({ id: 'cor', images: [coronal] }, 64, /has 128 axial slice\(s\)/);
  });

  it('refuses a field of view far from a head: voxel sizes in m or in µm', () => {
    const c = tinyCase(0);
    const scaled = (f: number): CaseInput => {
      const affine = c.images[0].affine.map((r, i) => (i < 3 ? r.map((x) => x * f) : r.slice())) as Mat4;
      const spacing = c.images[0].spacing.map((s) => s * f) as Vec3;
      return { id: 'units', images: [{ ...c.images[0], affine, spacing }] };
    };
    refuses(scaled(0.001), 0, /covers 0\.029 x 0\.028 x 0\.015 mm .*less than 10 mm .*not in mm \(pixdim, xyzt_units\)/);
    refuses(scaled(1000), 0, /covers 28800 x 28000 x 15000 mm .*more than 500 mm .*not a head scan/);
  });
});
