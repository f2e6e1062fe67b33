import { ConfigError } from '../errors';
import { multiply4 } from './affine';
import type { BoundingBox } from './components';
import { voxelCount, type Vec3, type Volume, type VoxelArray } from './volume';

/**
 * The box of `dims` voxels starting at voxel `start` of the input, which may reach outside it: crop and pad are both
 * this. Voxels outside the input take `fill`. The affine moves with the origin, so every voxel keeps its world
 * position and the region can be put back with `insertRegion` (or resampled onto the input grid).
 */
export function extractRegion<T extends VoxelArray>(volume: Volume<T>, start: Vec3, dims: Vec3, fill = 0): Volume<T> {
  if (!dims.every((d) => Number.isInteger(d) && d >= 1) || !start.every(Number.isInteger)) {
    throw new ConfigError(`region start ${start.join(',')} and dims ${dims.join('x')} must be integers, dims >= 1`);
  }
  const [nx, ny, nz] = volume.dims;
  const Ctor = volume.data.constructor as new (n: number) => T;
  const out = new Ctor(voxelCount(dims));
  if (fill !== 0) out.fill(fill);
  // Only the overlap with the input is copied, one x-row at a time.
  const x0 = Math.max(0, start[0]);
  const x1 = Math.min(nx, start[0] + dims[0]);
  if (x1 > x0) {
    for (let k = Math.max(0, start[2]); k < Math.min(nz, start[2] + dims[2]); k++) {
      for (let j = Math.max(0, start[1]); j < Math.min(ny, start[1] + dims[1]); j++) {
        const src = x0 + nx * (j + ny * k);
        const dst = x0 - start[0] + dims[0] * (j - start[1] + dims[1] * (k - start[2]));
        out.set(volume.data.subarray(src, src + x1 - x0), dst);
      }
    }
  }
  const shift = [
    [1, 0, 0, start[0]],
    [0, 1, 0, start[1]],
    [0, 0, 1, start[2]],
    [0, 0, 0, 1],
  ];
  return { data: out, dims: dims.slice() as Vec3, spacing: volume.spacing.slice() as Vec3, affine: multiply4(volume.affine, shift) };
}

/** The voxels inside an inclusive box (a `BoundingBox`). */
export function crop<T extends VoxelArray>(volume: Volume<T>, box: BoundingBox): Volume<T> {
  return extractRegion(volume, box.min, box.max.map((m, a) => m - box.min[a] + 1) as Vec3);
}

/** Adds `before` and `after` voxels of `value` on each axis. */
export function pad<T extends VoxelArray>(volume: Volume<T>, before: Vec3, after: Vec3, value = 0): Volume<T> {
  if (![...before, ...after].every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ConfigError(`padding ${before.join(',')} / ${after.join(',')} must be non-negative integers`);
  }
  const dims = volume.dims.map((d, a) => d + before[a] + after[a]) as Vec3;
  return extractRegion(volume, before.map((b) => -b) as Vec3, dims, value);
}

/**
 * Crops or pads each axis to `dims`, keeping the centre (an odd difference puts the extra voxel at the end). Returns
 * the region's start in the input, so `insertRegion` can put a result on it back.
 */
export function cropOrPadTo<T extends VoxelArray>(
  volume: Volume<T>,
  dims: Vec3,
  fill = 0,
): { volume: Volume<T>; start: Vec3 } {
  const start = volume.dims.map((d, a) => Math.floor((d - dims[a]) / 2)) as Vec3;
  return { volume: extractRegion(volume, start, dims, fill), start };
}

/** Writes `region` into `target` (in place) with its voxel (0,0,0) at `start`; parts outside `target` are dropped. */
export function insertRegion(target: Volume<VoxelArray>, region: Volume<VoxelArray>, start: Vec3): void {
  const [nx, ny, nz] = target.dims;
  const [rx, ry, rz] = region.dims;
  for (let k = 0; k < rz; k++) {
    const tk = start[2] + k;
    if (tk < 0 || tk >= nz) continue;
    for (let j = 0; j < ry; j++) {
      const tj = start[1] + j;
      if (tj < 0 || tj >= ny) continue;
      for (let i = Math.max(0, -start[0]); i < Math.min(rx, nx - start[0]); i++) {
        target.data[start[0] + i + nx * (tj + ny * tk)] = region.data[i + rx * (j + ry * k)];
      }
    }
  }
}

/** A box grown by `margin` voxels on every side and clipped to a grid of `dims`. */
export function expandBox(box: BoundingBox, margin: Vec3, dims: Vec3): BoundingBox {
  return {
    min: box.min.map((m, a) => Math.max(0, m - margin[a])) as Vec3,
    max: box.max.map((m, a) => Math.min(dims[a] - 1, m + margin[a])) as Vec3,
  };
}
