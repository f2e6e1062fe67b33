import type { Rng } from '../util/rng';

/**
 * Drawing voxels with probability proportional to a weight map (lesion centres from a prior, vessel starts from the
 * CSF fraction): prefix sums once, then a binary search per draw.
 */
export interface VoxelSampler {
  sums: Float64Array;
  total: number;
}

/** Prefix sums of `weight` over the voxels `include` accepts (all when omitted). */
export function voxelSampler(weight: ArrayLike<number>, include?: (v: number) => boolean): VoxelSampler {
  const sums = new Float64Array(weight.length);
  let acc = 0;
  for (let v = 0; v < weight.length; v++) {
    if (!include || include(v)) acc += weight[v];
    sums[v] = acc;
  }
  return { sums, total: acc };
}

/** One voxel index drawn from the sampler; the caller checks `total > 0` first. */
export function drawVoxel(rng: Rng, sampler: VoxelSampler): number {
  const target = rng.next() * sampler.total;
  let lo = 0;
  let hi = sampler.sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sampler.sums[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
