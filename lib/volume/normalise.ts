import { ConfigError } from '../errors';
import { percentiles } from '../util/percentile';
import type { Volume, VoxelArray } from './volume';

export interface NormaliseOptions {
  /** Statistics come from voxels where mask > 0 (a brain mask); without one, from every voxel. */
  mask?: ArrayLike<number>;
  /**
   * Percentiles (0..100) to clip intensities to before the z-score, computed inside the mask (numpy's linear
   * method); null for no clipping. Default [0.5, 99.5], which tames bright vessels and fat without touching tissue.
   */
  clip?: [number, number] | null;
  /** What voxels outside the mask become: 0 (the mean after z-scoring; the default) or their normalised value. */
  outside?: 'zero' | 'keep';
}

function maskedValues(data: VoxelArray, mask: ArrayLike<number> | undefined): Float32Array {
  if (!mask) return Float32Array.from(data);
  if (mask.length !== data.length) throw new ConfigError(`mask has ${mask.length} voxels, the image ${data.length}`);
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) n++;
  const out = new Float32Array(n);
  let o = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) out[o++] = data[i];
  return out;
}

/** Clips intensities to the [low, high] percentiles of the voxels inside the mask. */
export function percentileClip(
  volume: Volume<VoxelArray>,
  low: number,
  high: number,
  mask?: ArrayLike<number>,
): Volume<Float32Array> {
  if (!(low >= 0 && low < high && high <= 100)) throw new ConfigError(`clip percentiles [${low}, ${high}] must satisfy 0 <= low < high <= 100`);
  const values = maskedValues(volume.data, mask);
  if (values.length === 0) throw new ConfigError('the mask selects no voxel: no intensity statistics');
  const [lo, hi] = percentiles(values, [low, high]);
  const out = new Float32Array(volume.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(volume.data[i], lo), hi);
  return { data: out, dims: volume.dims, spacing: volume.spacing, affine: volume.affine };
}

/**
 * Brain-mask-aware intensity normalisation: optional percentile clipping, then z-score with the mean and standard
 * deviation (population, ddof 0) of the voxels inside the mask. A constant image inside the mask is an error: its
 * z-score is undefined and a silent all-zero channel would hide a broken sequence.
 */
export function normalise(volume: Volume<VoxelArray>, opts: NormaliseOptions = {}): Volume<Float32Array> {
  const clip = opts.clip === undefined ? ([0.5, 99.5] as [number, number]) : opts.clip;
  const out = clip ? percentileClip(volume, clip[0], clip[1], opts.mask).data : Float32Array.from(volume.data);
  const values = maskedValues(out, opts.mask);
  if (values.length === 0) throw new ConfigError('the mask selects no voxel: no intensity statistics');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / values.length);
  if (!(sd > 0)) throw new ConfigError(`intensities inside the mask are constant (${mean}): cannot z-score`);
  const zeroOutside = opts.mask !== undefined && (opts.outside ?? 'zero') === 'zero';
  for (let i = 0; i < out.length; i++) {
    out[i] = zeroOutside && !(opts.mask![i] > 0) ? 0 : (out[i] - mean) / sd;
  }
  return { data: out, dims: volume.dims, spacing: volume.spacing, affine: volume.affine };
}
