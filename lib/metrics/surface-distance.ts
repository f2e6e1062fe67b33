import { boundingBox } from '../volume/components';
import { crop } from '../volume/crop';
import { scalingAffine, type Vec3 } from '../volume/volume';
import { squaredDistanceTransform } from '../volume/distance-transform';
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
  const union = new Uint8Array(pred.length);
  for (let i = 0; i < union.length; i++) union[i] = predSurface[i] | gtSurface[i];
  const box = boundingBox(union, dims);
  if (!box) return { predToGt: new Float64Array(0), gtToPred: new Float64Array(0) };
  const affine = scalingAffine(spacing);
  const predCrop = crop({ data: predSurface, dims, spacing, affine }, box);
  const gtCrop = crop({ data: gtSurface, dims, spacing, affine }, box);
  return {
    predToGt: distancesAt(predCrop.data, gtCrop.data, predCrop.dims, spacing),
    gtToPred: distancesAt(gtCrop.data, predCrop.data, gtCrop.dims, spacing),
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
