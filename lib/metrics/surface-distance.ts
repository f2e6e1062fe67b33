import type { Vec3 } from '../volume/volume';
import { squaredDistanceTransform } from './edt';
import { surfaceVoxels } from './mask';

/** Distances in mm from each surface voxel of one mask to the nearest surface voxel of the other. */
export interface SurfaceDistances {
  /** One entry per surface voxel of `pred`, in flat-index order. */
  predToGt: Float64Array;
  /** One entry per surface voxel of `gt`, in flat-index order. */
  gtToPred: Float64Array;
}

/**
 * Directed surface distances between two binary masks (0/1, x fastest) on one grid, in mm with the grid's spacing.
 * Surface voxels are those of `surfaceVoxels` (a face neighbour outside the mask or outside the volume); the distance
 * is between voxel centres. Against an empty mask every distance is +Infinity.
 *
 * Both exact distance transforms run on the bounding box of the union of the two masks only: every surface voxel
 * lies inside it, and the nearest feature of a point is found exactly as long as all features are in the box, so
 * the crop changes no value and makes a small lesion in a large volume cheap.
 */
export function surfaceDistances(pred: Uint8Array, gt: Uint8Array, dims: Vec3, spacing: Vec3): SurfaceDistances {
  const predSurface = surfaceVoxels(pred, dims);
  const gtSurface = surfaceVoxels(gt, dims);
  const box = boundingBox(predSurface, gtSurface, dims);
  if (!box) return { predToGt: new Float64Array(0), gtToPred: new Float64Array(0) };
  const predCrop = crop(predSurface, dims, box);
  const gtCrop = crop(gtSurface, dims, box);
  return {
    predToGt: distancesAt(predCrop, gtCrop, box.dims, spacing),
    gtToPred: distancesAt(gtCrop, predCrop, box.dims, spacing),
  };
}

/** For each set voxel of `from`, the distance to the nearest set voxel of `to` (+Infinity if `to` is empty). */
function distancesAt(from: Uint8Array, to: Uint8Array, dims: Vec3, spacing: Vec3): Float64Array {
  let count = 0;
  for (let i = 0; i < from.length; i++) count += from[i];
  const out = new Float64Array(count);
  let hasTarget = false;
  for (let i = 0; i < to.length && !hasTarget; i++) hasTarget = to[i] === 1;
  if (!hasTarget) return out.fill(Infinity);
  const d2 = squaredDistanceTransform(dims, spacing, (i) => to[i] === 1);
  let o = 0;
  for (let i = 0; i < from.length; i++) if (from[i]) out[o++] = Math.sqrt(d2[i]);
  return out;
}

interface Box {
  lo: Vec3;
  dims: Vec3;
}

function boundingBox(a: Uint8Array, b: Uint8Array, dims: Vec3): Box | undefined {
  const [nx, ny] = dims;
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-1, -1, -1];
  for (let p = 0; p < a.length; p++) {
    if (!a[p] && !b[p]) continue;
    const i = p % nx;
    const j = Math.floor(p / nx) % ny;
    const k = Math.floor(p / (nx * ny));
    const c: Vec3 = [i, j, k];
    for (let ax = 0; ax < 3; ax++) {
      if (c[ax] < lo[ax]) lo[ax] = c[ax];
      if (c[ax] > hi[ax]) hi[ax] = c[ax];
    }
  }
  if (hi[0] < 0) return undefined;
  return { lo, dims: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
}

function crop(mask: Uint8Array, dims: Vec3, box: Box): Uint8Array {
  const [bx, by, bz] = box.dims;
  const out = new Uint8Array(bx * by * bz);
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const src = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      out.set(mask.subarray(src, src + bx), bx * (j + by * k));
    }
  }
  return out;
}
