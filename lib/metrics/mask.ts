import { DatasetError } from '../errors';
import type { Vec3 } from '../volume/volume';

/**
 * A label map on a grid: the voxel data (x fastest, as `Volume`), its dims and its spacing in mm. Any `Volume` is one;
 * metrics need no affine, only that both masks share the same grid.
 */
export interface MaskGrid {
  data: ArrayLike<number>;
  dims: Vec3;
  spacing: Vec3;
}

/** 1 where the voxel value is > 0, else 0: the binarisation every segmentation metric applies to its inputs. */
export function binarise(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] > 0 ? 1 : 0;
  return out;
}

/** Relative tolerance on spacing, so masks written by different tools (float32 vs float64 pixdim) still match. */
const SPACING_RTOL = 1e-5;

/** Throws a `DatasetError` unless both masks have the same dims and spacing and data of the right length. */
export function assertSameGrid(pred: MaskGrid, gt: MaskGrid): void {
  for (const [name, m] of [
    ['prediction', pred],
    ['ground truth', gt],
  ] as const) {
    const expected = m.dims[0] * m.dims[1] * m.dims[2];
    if (m.data.length !== expected) {
      throw new DatasetError(`${name} mask has ${m.data.length} voxels, its dims ${m.dims.join('x')} need ${expected}`);
    }
    if (!m.spacing.every((s) => s > 0 && Number.isFinite(s))) {
      throw new DatasetError(`${name} mask has a non-positive spacing ${m.spacing.join('x')}`);
    }
  }
  const sameDims = pred.dims.every((d, a) => d === gt.dims[a]);
  const sameSpacing = pred.spacing.every((s, a) => Math.abs(s - gt.spacing[a]) <= SPACING_RTOL * Math.max(s, gt.spacing[a]));
  if (!sameDims || !sameSpacing) {
    throw new DatasetError(
      `grids differ: prediction ${pred.dims.join('x')} at ${pred.spacing.join('x')} mm, ` +
        `ground truth ${gt.dims.join('x')} at ${gt.spacing.join('x')} mm`,
    );
  }
}

/**
 * Surface voxels of a binary mask: mask voxels with at least one of their 6 face neighbours outside the mask. A voxel
 * on the border of the volume counts as having an outside neighbour there (the image is padded with background), so
 * in a single-slice volume (dims z = 1) every mask voxel is a surface voxel. This is the convention of
 * `mask & ~scipy.ndimage.binary_erosion(mask)` with its default border_value 0, which MONAI's surface distances use.
 */
export function surfaceVoxels(mask: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const sx = 1;
  const sy = nx;
  const sz = nx * ny;
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const p = i + nx * (j + ny * k);
        if (!mask[p]) continue;
        const interior =
          i > 0 && i < nx - 1 && j > 0 && j < ny - 1 && k > 0 && k < nz - 1 &&
          mask[p - sx] && mask[p + sx] && mask[p - sy] && mask[p + sy] && mask[p - sz] && mask[p + sz];
        if (!interior) out[p] = 1;
      }
    }
  }
  return out;
}
