/**
 * Views of volumes for figures: the axial slices worth looking at and intensity histograms. Pure functions of plain
 * arrays, so notebooks and the report draw the same pictures from the same numbers.
 */
import { ConfigError } from '../errors';
import type { Volume, VoxelArray } from './volume';

/** A 2D image, row-major with x fastest (as a `Volume` slice): value at (x, y) is data[y * width + x]. */
export interface SliceImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Axial slice k (constant third voxel index) as a row-major image, x fastest. */
export function axialSlice(volume: Volume<VoxelArray>, k: number): SliceImage {
  const [nx, ny, nz] = volume.dims;
  if (!(Number.isInteger(k) && k >= 0 && k < nz)) throw new ConfigError(`axial slice ${k} is outside 0..${nz - 1}`);
  const plane = nx * ny;
  return { width: nx, height: ny, data: Float32Array.from(volume.data.subarray(k * plane, (k + 1) * plane)) };
}

/** Voxels > 0 of each axial slice. */
export function axialAreas(mask: Volume<VoxelArray>): Int32Array {
  const [nx, ny, nz] = mask.dims;
  const plane = nx * ny;
  const out = new Int32Array(nz);
  for (let k = 0; k < nz; k++) {
    let n = 0;
    for (let i = k * plane; i < (k + 1) * plane; i++) if (mask.data[i] > 0) n++;
    out[k] = n;
  }
  return out;
}

/** The axial slice with the most mask voxels (the lowest index on ties); the middle slice when the mask is empty. */
export function largestMaskSlice(mask: Volume<VoxelArray>): number {
  const areas = axialAreas(mask);
  let best = -1;
  let at = Math.floor(mask.dims[2] / 2);
  areas.forEach((a, k) => {
    if (a > best && a > 0) {
      best = a;
      at = k;
    }
  });
  return at;
}

export interface Histogram {
  /** Bin centres. */
  centres: number[];
  /** Fraction of the counted values in each bin (sums to 1 when every value fell in range). */
  density: number[];
  count: number;
}

/**
 * Histogram of the values where `mask` is set (all values without a mask) over [lo, hi) in `bins` equal bins, as
 * fractions, so cohorts of different sizes and scanners compare on one axis. Values outside the range are not counted.
 */
export function histogram(values: ArrayLike<number>, range: [number, number], bins: number, mask?: ArrayLike<number>): Histogram {
  const [lo, hi] = range;
  if (!(hi > lo)) throw new ConfigError(`histogram range [${lo}, ${hi}] is empty`);
  if (!(Number.isInteger(bins) && bins > 0)) throw new ConfigError(`histogram bins must be a positive integer, got ${bins}`);
  if (mask && mask.length !== values.length) throw new ConfigError(`histogram: ${values.length} values but ${mask.length} mask voxels`);
  const counts = new Float64Array(bins);
  let total = 0;
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    const v = values[i];
    if (!(v >= lo && v < hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    total++;
  }
  return {
    centres: Array.from({ length: bins }, (_, b) => lo + (b + 0.5) * width),
    density: Array.from(counts, (c) => (total > 0 ? c / total : 0)),
    count: total,
  };
}
