import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { extractSlices, slicesToVolume, type SliceAxis } from '../../lib/volume/slices';
import { voxelIndex, type Vec3, type Volume } from '../../lib/volume/volume';

const dims: Vec3 = [5, 4, 3];
const affine = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 2, 0],
  [0, 0, 0, 1],
];
/** Channel c holds 1000 * c + voxel index, so every value says where it came from. */
function channel(c: number): Volume<Float32Array> {
  return { data: Float32Array.from({ length: 60 }, (_, i) => 1000 * c + i), dims, spacing: [1, 1, 2], affine };
}

describe('slices', () => {
  it('extracts axial 2D slices channels-last: [N, H = y, W = x, C = volumes]', () => {
    const b = extractSlices([channel(0), channel(1)]);
    assert.deepEqual(b.shape, [3, 4, 5, 2]);
    const at = (n: number, r: number, c: number, ch: number) => b.data[((n * 4 + r) * 5 + c) * 2 + ch];
    assert.equal(at(2, 3, 1, 0), voxelIndex(dims, 1, 3, 2));
    assert.equal(at(1, 0, 4, 1), 1000 + voxelIndex(dims, 4, 0, 1));
  });

  it('lays out sagittal and coronal planes as documented', () => {
    const sag = extractSlices([channel(0)], { axis: 0, indices: [3] });
    assert.deepEqual(sag.shape, [1, 3, 4, 1]); // H = z, W = y
    assert.equal(sag.data[2 * 4 + 1], voxelIndex(dims, 3, 1, 2));
    const cor = extractSlices([channel(0)], { axis: 1, indices: [2] });
    assert.deepEqual(cor.shape, [1, 3, 5, 1]); // H = z, W = x
    assert.equal(cor.data[1 * 5 + 4], voxelIndex(dims, 4, 2, 1));
  });

  it('stacks 2.5D neighbours per volume, repeating edge slices', () => {
    const b = extractSlices([channel(0), channel(1)], { context: 1, indices: [0, 2] });
    assert.deepEqual(b.shape, [2, 4, 5, 6]);
    const px = (n: number) => b.data.subarray(((n * 4 + 1) * 5 + 2) * 6, ((n * 4 + 1) * 5 + 2) * 6 + 6);
    const v = (c: number, k: number) => 1000 * c + voxelIndex(dims, 2, 1, k);
    assert.deepEqual(Array.from(px(0)), [v(0, 0), v(0, 0), v(0, 1), v(1, 0), v(1, 0), v(1, 1)]);
    assert.deepEqual(Array.from(px(1)), [v(0, 1), v(0, 2), v(0, 2), v(1, 1), v(1, 2), v(1, 2)]);
  });

  for (const axis of [0, 1, 2] as SliceAxis[]) {
    it(`puts predictions back into the volume grid exactly (axis ${axis})`, () => {
      const b = extractSlices([channel(0), channel(1)], { axis });
      const vol = slicesToVolume(b.data, b.shape, b.layout, 1);
      assert.deepEqual(vol.data, channel(1).data);
      assert.deepEqual(vol.affine, affine);
    });
  }

  it('fills slices that were not predicted and rejects a shape that does not fit', () => {
    const b = extractSlices([channel(0)], { indices: [1] });
    const vol = slicesToVolume(b.data, b.shape, b.layout, 0, -1);
    assert.equal(vol.data[voxelIndex(dims, 0, 0, 0)], -1);
    assert.equal(vol.data[voxelIndex(dims, 3, 2, 1)], voxelIndex(dims, 3, 2, 1));
    assert.throws(() => slicesToVolume(b.data, [1, 5, 4, 1], b.layout), ConfigError);
    assert.throws(() => extractSlices([channel(0)], { indices: [3] }), ConfigError);
  });
});
