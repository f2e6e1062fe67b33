import type { BoundingBox } from '../volume/components';
import { expandBox } from '../volume/crop';
import { squaredDistanceTransform } from '../volume/distance-transform';
import type { Vec3 } from '../volume/volume';

export interface ComponentDistances {
  /** Squared distance in mm² to component `c`, per voxel of its box grown by the reach (x fastest). */
  d2: Float64Array;
  /** The volume's flat index of entry r of `d2`. */
  index: (r: number) => number;
}

/**
 * Distances to one labelled component within `reachMm` of its bounding box: the transform runs on that region only,
 * not on the whole volume, since the shells and rims measured around a lesion reach a few radii at most.
 */
export function componentDistances(labels: Int32Array, c: number, box: BoundingBox, dims: Vec3, spacing: Vec3, reachMm: number): ComponentDistances {
  const [nx, ny] = dims;
  const region = expandBox(box, spacing.map((s) => Math.ceil(reachMm / s)) as Vec3, dims);
  const rd: Vec3 = [0, 1, 2].map((a) => region.max[a] - region.min[a] + 1) as Vec3;
  const index = (r: number) => {
    const i = r % rd[0];
    const j = Math.floor(r / rd[0]) % rd[1];
    const k = Math.floor(r / (rd[0] * rd[1]));
    return region.min[0] + i + nx * (region.min[1] + j + ny * (region.min[2] + k));
  };
  return { d2: squaredDistanceTransform(rd, spacing, (r) => labels[index(r)] === c), index };
}
