import { strict as assert } from 'node:assert';
import { ANISOTROPY_THRESHOLD, resolvePreprocessConfig, sliceAnisotropy } from '../../lib/preprocess/config';
import { modelGrid } from '../../lib/preprocess/prepare-case';

describe('anisotropic inputs', () => {
  it("nnU-Net's threshold: slice spacing more than 3 x the in-plane one", () => {
    assert.equal(ANISOTROPY_THRESHOLD, 3);
    assert.deepEqual(sliceAnisotropy([1.5, 1.5, 1.5]), { ratio: 1, anisotropic: false });
    assert.equal(sliceAnisotropy([0.5, 0.5, 5]).anisotropic, true);
    assert.equal(sliceAnisotropy([1, 1, 3]).anisotropic, false);
  });

  it('the model grid keeps the acquired slices of a thick-slice volume, resampling in-plane only', () => {
    const affine = [
      [0.5, 0, 0, -60],
      [0, 0.5, 0, -70],
      [0, 0, 5, -50],
      [0, 0, 0, 1],
    ];
    const grid = modelGrid({ dims: [256, 288, 24], affine }, resolvePreprocessConfig({ size: 128 }));
    assert.equal(grid.dims[2], 24);
    assert.ok(Math.abs(grid.spacing[2] - 5) < 1e-9);
    assert.ok(Math.abs(grid.spacing[0] - (288 * 0.5) / 128) < 1e-9);
    assert.equal(grid.affine[2][3], -50, 'slice k of the model grid is acquired slice k');
  });
});
