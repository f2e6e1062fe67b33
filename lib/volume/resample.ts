import { ConfigError } from '../errors';
import { affineZooms, invertAffine, multiply4 } from './affine';
import { voxelCount, type Mat4, type Vec3, type Volume, type VoxelArray } from './volume';

/** 'linear' (trilinear) for images, 'nearest' for label maps, whose values must not be blended. */
export type Interpolation = 'linear' | 'nearest';

export interface ResampleOptions {
  interpolation: Interpolation;
  /** Value of output voxels whose centre falls outside the input grid by more than half a voxel. Default 0. */
  fill?: number;
}

/** A voxel grid without data: what a volume is resampled onto. */
export interface VoxelGrid {
  dims: Vec3;
  affine: Mat4;
}

/**
 * The earlier name of `VoxelGrid`, still imported by lib/data/slice-dataset.ts; not re-exported from the package
 * root, where `Grid` is the experiment grid.
 */
export type Grid = VoxelGrid;

/**
 * The grid with the given spacing that covers the same world extent as `volume`: dims = round(dims * spacing /
 * target) (at least 1), each axis keeping its direction, and the centre of the new grid on the centre of the old one.
 * So the field of view (dims * spacing) is preserved to within half an output voxel on each side, and a volume
 * resampled there and back lands on its own grid. This is the "align centres" convention (torch's
 * align_corners=False and SimpleITK's centred resampling); the corner voxel centres move by (target - spacing) / 2.
 */
export function gridWithSpacing(volume: VoxelGrid, targetSpacing: Vec3): VoxelGrid {
  if (!targetSpacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new ConfigError(`target spacing ${targetSpacing.join('x')} must be positive`);
  }
  const spacing = affineZooms(volume.affine);
  const ratio = targetSpacing.map((t, a) => t / spacing[a]);
  const dims = volume.dims.map((d, a) => Math.max(1, Math.round(d / ratio[a]))) as Vec3;
  // Output voxel o sits at input index c_in + (o - c_out) * ratio, with c = (dims - 1) / 2 the grid centres.
  const M: Mat4 = [0, 1, 2].map((a) => {
    const row = [0, 0, 0, (volume.dims[a] - 1) / 2 - ((dims[a] - 1) / 2) * ratio[a]];
    row[a] = ratio[a];
    return row;
  });
  M.push([0, 0, 0, 1]);
  return { dims, affine: multiply4(volume.affine, M) };
}

/** Resamples to a target spacing in mm on the grid `gridWithSpacing` defines (its doc gives the convention). */
export function resample<T extends VoxelArray>(
  volume: Volume<T>,
  targetSpacing: Vec3,
  opts: { interpolation: 'nearest'; fill?: number },
): Volume<T>;
export function resample(volume: Volume<VoxelArray>, targetSpacing: Vec3, opts: ResampleOptions): Volume<Float32Array>;
export function resample(volume: Volume<VoxelArray>, targetSpacing: Vec3, opts: ResampleOptions): Volume<VoxelArray> {
  return resampleToGrid(volume, gridWithSpacing(volume, targetSpacing), opts);
}

/**
 * Resamples a volume onto any grid through world coordinates: each output voxel takes the input's value at the same
 * world position. This is how a prediction made on a resampled grid goes back to the input's grid: pass the input
 * volume as the grid. 'nearest' keeps the input's array type; 'linear' gives float32. Positions up to half a voxel
 * outside the input (the outer half of its edge voxels) take the edge value; further out, `fill`.
 */
export function resampleToGrid<T extends VoxelArray>(
  volume: Volume<T>,
  grid: VoxelGrid,
  opts: { interpolation: 'nearest'; fill?: number },
): Volume<T>;
export function resampleToGrid(volume: Volume<VoxelArray>, grid: VoxelGrid, opts: ResampleOptions): Volume<Float32Array>;
export function resampleToGrid(volume: Volume<VoxelArray>, grid: VoxelGrid, opts: ResampleOptions): Volume<VoxelArray> {
  const M = multiply4(invertAffine(volume.affine), grid.affine);
  const n = voxelCount(grid.dims);
  const fill = opts.fill ?? 0;
  const nearest = opts.interpolation === 'nearest';
  const out: VoxelArray = nearest
    ? new (volume.data.constructor as new (n: number) => VoxelArray)(n)
    : new Float32Array(n);
  const axisAligned = [0, 1, 2].every((r) => [0, 1, 2].every((c) => r === c || M[r][c] === 0));
  if (axisAligned) separable(volume, grid.dims, M, nearest, fill, out);
  else general(volume, grid.dims, M, nearest, fill, out);
  return { data: out, dims: grid.dims.slice() as Vec3, spacing: affineZooms(grid.affine), affine: grid.affine };
}

/** Per-axis sampling positions: the two neighbours and the weight of the upper one, or -1 when outside (fill). */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}

function axisTaps(nOut: number, nIn: number, scale: number, offset: number, nearest: boolean): AxisTaps {
  const lo = new Int32Array(nOut);
  const hi = new Int32Array(nOut);
  const w = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    const x = o * scale + offset;
    if (!(x >= -0.5 - 1e-9 && x <= nIn - 0.5 + 1e-9)) {
      lo[o] = -1;
      continue;
    }
    const c = Math.min(Math.max(x, 0), nIn - 1);
    if (nearest) {
      lo[o] = hi[o] = Math.min(Math.round(c), nIn - 1);
    } else {
      const f = Math.floor(c);
      lo[o] = f;
      hi[o] = Math.min(f + 1, nIn - 1);
      w[o] = c - f;
    }
  }
  return { lo, hi, w };
}

function separable(
  volume: Volume<VoxelArray>,
  dims: Vec3,
  M: Mat4,
  nearest: boolean,
  fill: number,
  out: VoxelArray,
): void {
  const [nx, ny] = volume.dims;
  const src = volume.data;
  const [tx, ty, tz] = [0, 1, 2].map((a) => axisTaps(dims[a], volume.dims[a], M[a][a], M[a][3], nearest));
  const sxy = nx * ny;
  let o = 0;
  for (let k = 0; k < dims[2]; k++) {
    const k0 = tz.lo[k];
    const zk0 = k0 * sxy;
    const zk1 = tz.hi[k] * sxy;
    const wz = tz.w[k];
    for (let j = 0; j < dims[1]; j++) {
      const j0 = ty.lo[j];
      if (k0 < 0 || j0 < 0) {
        out.fill(fill, o, o + dims[0]);
        o += dims[0];
        continue;
      }
      const yj0 = j0 * nx;
      const yj1 = ty.hi[j] * nx;
      const wy = ty.w[j];
      for (let i = 0; i < dims[0]; i++, o++) {
        const i0 = tx.lo[i];
        if (i0 < 0) {
          out[o] = fill;
        } else if (nearest) {
          out[o] = src[i0 + yj0 + zk0];
        } else {
          const i1 = tx.hi[i];
          const wx = tx.w[i];
          const c00 = src[i0 + yj0 + zk0] * (1 - wx) + src[i1 + yj0 + zk0] * wx;
          const c10 = src[i0 + yj1 + zk0] * (1 - wx) + src[i1 + yj1 + zk0] * wx;
          const c01 = src[i0 + yj0 + zk1] * (1 - wx) + src[i1 + yj0 + zk1] * wx;
          const c11 = src[i0 + yj1 + zk1] * (1 - wx) + src[i1 + yj1 + zk1] * wx;
          const c0 = c00 * (1 - wy) + c10 * wy;
          const c1 = c01 * (1 - wy) + c11 * wy;
          out[o] = c0 * (1 - wz) + c1 * wz;
        }
      }
    }
  }
}

function general(
  volume: Volume<VoxelArray>,
  dims: Vec3,
  M: Mat4,
  nearest: boolean,
  fill: number,
  out: VoxelArray,
): void {
  const [nx, ny, nz] = volume.dims;
  const src = volume.data;
  const sxy = nx * ny;
  const eps = 1e-9;
  let o = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      let x = M[0][1] * j + M[0][2] * k + M[0][3];
      let y = M[1][1] * j + M[1][2] * k + M[1][3];
      let z = M[2][1] * j + M[2][2] * k + M[2][3];
      for (let i = 0; i < dims[0]; i++, o++, x += M[0][0], y += M[1][0], z += M[2][0]) {
        if (
          !(x >= -0.5 - eps && x <= nx - 0.5 + eps && y >= -0.5 - eps && y <= ny - 0.5 + eps) ||
          !(z >= -0.5 - eps && z <= nz - 0.5 + eps)
        ) {
          out[o] = fill;
          continue;
        }
        const cx = Math.min(Math.max(x, 0), nx - 1);
        const cy = Math.min(Math.max(y, 0), ny - 1);
        const cz = Math.min(Math.max(z, 0), nz - 1);
        if (nearest) {
          out[o] = src[Math.round(cx) + nx * Math.round(cy) + sxy * Math.round(cz)];
          continue;
        }
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        const z0 = Math.floor(cz);
        const x1 = Math.min(x0 + 1, nx - 1);
        const y1 = Math.min(y0 + 1, ny - 1);
        const z1 = Math.min(z0 + 1, nz - 1);
        const wx = cx - x0;
        const wy = cy - y0;
        const wz = cz - z0;
        const a = nx * y0 + sxy * z0;
        const b = nx * y1 + sxy * z0;
        const c = nx * y0 + sxy * z1;
        const d = nx * y1 + sxy * z1;
        const c0 = (src[x0 + a] * (1 - wx) + src[x1 + a] * wx) * (1 - wy) + (src[x0 + b] * (1 - wx) + src[x1 + b] * wx) * wy;
        const c1 = (src[x0 + c] * (1 - wx) + src[x1 + c] * wx) * (1 - wy) + (src[x0 + d] * (1 - wx) + src[x1 + d] * wx) * wy;
        out[o] = c0 * (1 - wz) + c1 * wz;
      }
    }
  }
}
