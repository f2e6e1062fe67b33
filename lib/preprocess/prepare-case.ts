/**
 * Cases -> the 2D (or 2.5D) slices a model trains and predicts on, with the geometry needed to put predictions back.
 *
 * The model grid of a case: the image is reoriented to RAS (an exact permutation, so axial slices are planes of
 * constant voxel k whatever the acquisition), then resampled in-plane only, onto `size` x `size` pixels of
 * `inPlaneSpacing` mm ('fit': the spacing at which the larger in-plane field of view fills `size` pixels, so the whole
 * field of view is kept and the smaller axis is zero-padded, centred). The slice axis keeps its voxels (no resampling
 * across slices, whatever the slice thickness: nnU-Net's rule for anisotropic volumes in 2D, lib/preprocess/config.ts
 * `ANISOTROPY_THRESHOLD`). Images are resampled linearly, the mask by nearest neighbour. Each image channel is then
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

/**
 * The extent along each axis (mm) a head acquisition can have: a brain is about 140 x 170 x 120 mm and a head scan
 * covers 150 to 300 mm; outside this range the image is not a head (or its voxel sizes are not in mm, or it is a
 * slab of a few slices). Wide on purpose: the tests' and examples' small synthetic heads (about 30 mm) pass.
 */
export const PLAUSIBLE_EXTENT_MM = { min: 10, max: 500 } as const;

const mm = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));

/**
 * The checks that an image can be what the model expects, with messages in the user's terms: enough axial slices
 * for the 2.5D context, a field of view of a head's size, and (on the model grid, `checkForeground`) some foreground.
 */
function checkPlausible(input: CaseInput, config: PreprocessConfig, where: string): void {
  const first = input.images[0];
  const zooms = affineZooms(first.affine);
  const extent = first.dims.map((d, a) => d * zooms[a]);
  const covers = `the image covers ${extent.map(mm).join(' x ')} mm (${first.dims.join(' x ')} voxels of ${zooms.map(mm).join(' x ')} mm)`;
  if (extent.some((e) => !(e >= PLAUSIBLE_EXTENT_MM.min))) {
    const thin = Math.min(...first.dims);
    throw new DatasetError(
      `case ${input.id}: ${covers}, less than ${PLAUSIBLE_EXTENT_MM.min} mm along an axis, where a brain is about 140 x 170 x 120 mm: ` +
        `either the voxel sizes in the header are not in mm (pixdim, xyzt_units), or the image is a slab of ${thin} slice(s) ` +
        `rather than a whole-brain volume`,
      where,
    );
  }
  if (extent.some((e) => e > PLAUSIBLE_EXTENT_MM.max)) {
    throw new DatasetError(
      `case ${input.id}: ${covers}, more than ${PLAUSIBLE_EXTENT_MM.max} mm along an axis, where a head scan covers 150 to 300 mm: ` +
        `either the voxel sizes in the header are not in mm (pixdim, xyzt_units), or the image is not a head scan`,
      where,
    );
  }
  const need = 2 * config.context + 1;
  // Axial slices are planes of the voxel axis closest to world z (what reorientation to RAS makes the third axis).
  const zAxis = [0, 1, 2].reduce((best, a) => (Math.abs(first.affine[2][a]) / zooms[a] > Math.abs(first.affine[2][best]) / zooms[best] ? a : best), 2);
  const slices = first.dims[zAxis];
  if (config.context > 0 && slices < need) {
    throw new DatasetError(
      `case ${input.id}: the image has ${slices} axial slice(s), and the model reads each slice with ${config.context} ` +
        `neighbour(s) on each side (2.5D context ${config.context}), so it needs at least ${need}`,
      where,
    );
  }
}

/** The first image has no voxel > 0 on the model grid: nothing of a brain to normalise or predict. */
function checkForeground(input: CaseInput, foreground: Uint8Array, where: string): void {
  for (let i = 0; i < foreground.length; i++) if (foreground[i]) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.images[0].data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  throw new DatasetError(
    `case ${input.id}: the image has no foreground: no voxel is above 0 (its values run from ${lo} to ${hi}), and the ` +
      `foreground (the voxels > 0 of the first sequence: the skull-stripped brain, or the head) is what the model ` +
      `normalises and predicts on; the image is blank, holds no brain (slices outside the head), or is stored with an ` +
      `offset that leaves the brain at or below 0`,
    where,
  );
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
 * case and both grids. An image that cannot be what the model expects (a field of view far from a head's, fewer
 * slices than the 2.5D context needs, no foreground) is a DatasetError saying what is wrong with it.
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
  checkPlausible(input, config, where);
  const grid = modelGrid(first, config);
  const onGrid = input.images.map((img) => resampleToGrid(toCanonical(img), grid, { interpolation: 'linear' }));
  const foregroundMask = new Uint8Array(onGrid[0].data.length);
  for (let i = 0; i < foregroundMask.length; i++) foregroundMask[i] = onGrid[0].data[i] > 0 ? 1 : 0;
  checkForeground(input, foregroundMask, where);
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
