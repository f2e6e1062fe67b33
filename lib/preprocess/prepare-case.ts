/**
 * Cases -> the 2D (or 2.5D) slices a model trains and predicts on, with the geometry needed to put predictions back.
 *
 * The model grid of a case: the image is reoriented to RAS (an exact permutation, so axial slices are planes of
 * constant voxel k whatever the acquisition), then resampled in-plane only, onto `size` x `size` pixels of
 * `inPlaneSpacing` mm ('fit': the spacing at which the larger in-plane field of view fills `size` pixels, so the whole
 * field of view is kept and the smaller axis is zero-padded, centred). The slice axis keeps its voxels (no resampling
 * across slices). Images are resampled linearly, the mask by nearest neighbour. Each image channel is then
 * z-scored inside the foreground (model-grid voxels where the first image is > 0: the skull-stripped brain, or the
 * head) after percentile clipping (lib/volume/normalise.ts); voxels outside the foreground are 0.
 * Because the model grid carries its own affine, a prediction on it goes back to the input grid by resampling through
 * world coordinates (lib/eval/predict.ts), which undoes the reorientation, the in-plane resampling and the padding.
 */
import { ConfigError, DatasetError } from '../errors';
import { affineZooms, affinesClose, multiply4 } from '../volume/affine';
import { normalise } from '../volume/normalise';
import { toCanonical } from '../volume/orientation';
import { gridWithSpacing, resampleToGrid, type Grid } from '../volume/resample';
import type { Mat4, Vec3, Volume, VoxelArray } from '../volume/volume';
import type { PreprocessConfig } from './config';

/** One case as the library hands it over: its images in sequence order, optional GTV mask and class index. */
export interface CaseInput {
  id: string;
  images: Volume<VoxelArray>[];
  mask?: Volume<VoxelArray>;
  label?: number;
  /** Where the case came from (a folder or file), for error messages. */
  source?: string;
}

/** The grid a volume was given on, kept to put predictions back. */
export interface SourceGrid {
  dims: Vec3;
  spacing: Vec3;
  affine: Mat4;
}

export interface PreparedCase {
  id: string;
  label?: number;
  source: SourceGrid;
  /** The model grid: size x size x slices, RAS-ordered. */
  grid: Grid & { spacing: Vec3 };
  /** One normalised volume per sequence on the model grid. */
  channels: Volume<Float32Array>[];
  /** GTV on the model grid, when the case has one. */
  mask?: Volume<Uint8Array>;
  /** Per axial slice: tumour pixels on the model grid (0 without a mask) and the foreground fraction. */
  tumourArea: Int32Array;
  foreground: Float32Array;
}

function sameGrid(a: Volume<VoxelArray>, b: Volume<VoxelArray>): boolean {
  return a.dims.every((d, i) => d === b.dims[i]) && affinesClose(a.affine, b.affine);
}

function describeGrid(v: Volume<VoxelArray>): string {
  return `${v.dims.join('x')} voxels, affine ${JSON.stringify(v.affine.map((r) => r.map((x) => +x.toFixed(4))))}`;
}

/** The model grid of a volume (see the file comment). */
export function modelGrid(volume: Grid, config: PreprocessConfig): Grid & { spacing: Vec3 } {
  const canonical = toCanonical({ data: new Uint8Array(volume.dims[0] * volume.dims[1] * volume.dims[2]), dims: volume.dims, spacing: affineZooms(volume.affine), affine: volume.affine });
  const sp = affineZooms(canonical.affine);
  const [nx, ny, nz] = canonical.dims;
  const s = config.inPlaneSpacing === 'fit' ? Math.max(nx * sp[0], ny * sp[1]) / config.size : config.inPlaneSpacing;
  const resampled = gridWithSpacing(canonical, [s, s, sp[2]]);
  const start = [0, 1].map((a) => Math.floor((resampled.dims[a] - config.size) / 2));
  const shift: Mat4 = [
    [1, 0, 0, start[0]],
    [0, 1, 0, start[1]],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const affine = multiply4(resampled.affine, shift);
  return { dims: [config.size, config.size, nz], affine, spacing: affineZooms(affine) };
}

/**
 * Puts a case on the model grid. Every image, and the mask, must share one grid: otherwise a DatasetError names the
 * case and both grids.
 */
export function prepareCase(input: CaseInput, config: PreprocessConfig): PreparedCase {
  const where = input.source ?? input.id;
  if (input.images.length === 0) throw new DatasetError(`case ${input.id} has no image`, where);
  const first = input.images[0];
  input.images.forEach((img, i) => {
    if (!sameGrid(img, first)) {
      throw new DatasetError(`case ${input.id}: image ${i + 1} (${describeGrid(img)}) is not on the grid of image 1 (${describeGrid(first)})`, where);
    }
  });
  if (input.mask && !sameGrid(input.mask, first)) {
    throw new DatasetError(`case ${input.id}: the mask (${describeGrid(input.mask)}) is not on the grid of its image (${describeGrid(first)})`, where);
  }
  const grid = modelGrid(first, config);
  const onGrid = input.images.map((img) => resampleToGrid(toCanonical(img), grid, { interpolation: 'linear' }));
  const foregroundMask = new Uint8Array(onGrid[0].data.length);
  for (let i = 0; i < foregroundMask.length; i++) foregroundMask[i] = onGrid[0].data[i] > 0 ? 1 : 0;
  let channels: Volume<Float32Array>[];
  try {
    channels = onGrid.map((v) => normalise(v, { mask: foregroundMask, clip: config.clip }));
  } catch (err) {
    if (err instanceof ConfigError) throw new DatasetError(`case ${input.id}: ${err.message}`, where);
    throw err;
  }
  let mask: Volume<Uint8Array> | undefined;
  if (input.mask) {
    const m = input.mask;
    const binary = new Uint8Array(m.data.length);
    for (let i = 0; i < binary.length; i++) binary[i] = m.data[i] > 0 ? 1 : 0;
    mask = resampleToGrid(toCanonical({ ...m, data: binary }), grid, { interpolation: 'nearest' });
  }
  const [W, H, D] = grid.dims;
  const plane = W * H;
  const tumourArea = new Int32Array(D);
  const foreground = new Float32Array(D);
  for (let k = 0; k < D; k++) {
    let t = 0;
    let f = 0;
    for (let i = k * plane; i < (k + 1) * plane; i++) {
      if (mask && mask.data[i]) t++;
      if (foregroundMask[i]) f++;
    }
    tumourArea[k] = t;
    foreground[k] = f / plane;
  }
  return {
    id: input.id,
    ...(input.label !== undefined ? { label: input.label } : {}),
    source: { dims: first.dims.slice() as Vec3, spacing: affineZooms(first.affine), affine: first.affine.map((r) => r.slice()) },
    grid,
    channels,
    ...(mask ? { mask } : {}),
    tumourArea,
    foreground,
  };
}
