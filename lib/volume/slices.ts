import { ConfigError } from '../errors';
import { voxelCount, type Mat4, type Vec3, type Volume, type VoxelArray } from './volume';

/**
 * Volume <-> slice samples for 2D and 2.5D networks, channels-last ([N, H, W, C]).
 *
 * Plane layout: slicing along `axis`, the two remaining voxel axes u < v give W = dims[u] (columns, fastest) and
 * H = dims[v] (rows). For axis 2 (axial in a RAS volume) a slice is [H = y, W = x], stored exactly as in the volume,
 * so row 0 is the lowest y (posterior in RAS): flip rows for radiological display, not for the network.
 *
 * 2.5D: with `context` k, each input volume contributes 2k + 1 channels, the slices s - k .. s + k in that order
 * (indices clamped at the volume's ends, i.e. edge slices repeat). Channel c * (2k + 1) + (d + k) holds volume c at
 * offset d. With k = 0 this is plain 2D with one channel per volume.
 */
export type SliceAxis = 0 | 1 | 2;

export interface SliceLayout {
  axis: SliceAxis;
  /** The slice index along `axis` of each sample, in batch order. */
  indices: number[];
  /** The grid the slices came from, so predictions can be put back in it. */
  grid: { dims: Vec3; spacing: Vec3; affine: Mat4 };
}

export interface SliceBatch {
  /** Channels-last samples, length N * H * W * C. */
  data: Float32Array;
  shape: [number, number, number, number];
  layout: SliceLayout;
}

export interface SliceOptions {
  axis?: SliceAxis;
  /** Neighbour slices on each side (2.5D); 0 for 2D. */
  context?: number;
  /** Which slices to take (default: all, in order). */
  indices?: number[];
}

/** The in-plane axes [u (columns), v (rows)] for slices along `axis`. */
export function planeAxes(axis: SliceAxis): [number, number] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
}

/** Voxel strides of a grid: [1, nx, nx * ny]. */
function strides(dims: Vec3): Vec3 {
  return [1, dims[0], dims[0] * dims[1]];
}

/** Slices of one or more co-registered volumes (the channels), as a channels-last batch. */
export function extractSlices(volumes: Array<Volume<VoxelArray>>, opts: SliceOptions = {}): SliceBatch {
  if (volumes.length === 0) throw new ConfigError('extractSlices needs at least one volume');
  const axis = opts.axis ?? 2;
  const k = opts.context ?? 0;
  if (![0, 1, 2].includes(axis)) throw new ConfigError(`slice axis must be 0, 1 or 2, got ${axis}`);
  if (!(Number.isInteger(k) && k >= 0)) throw new ConfigError(`context must be a non-negative integer, got ${k}`);
  const { dims } = volumes[0];
  for (const v of volumes) {
    if (!v.dims.every((d, a) => d === dims[a])) {
      throw new ConfigError(`channel volumes differ in dims: ${v.dims.join('x')} vs ${dims.join('x')}`);
    }
  }
  const depth = dims[axis];
  const indices = opts.indices ?? Array.from({ length: depth }, (_, i) => i);
  for (const s of indices) {
    if (!(Number.isInteger(s) && s >= 0 && s < depth)) throw new ConfigError(`slice index ${s} outside 0..${depth - 1}`);
  }
  const [u, v] = planeAxes(axis);
  const W = dims[u];
  const H = dims[v];
  const per = 2 * k + 1;
  const C = volumes.length * per;
  const st = strides(dims);
  const data = new Float32Array(indices.length * H * W * C);
  let o = 0;
  for (const s of indices) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const inPlane = r * st[v] + c * st[u];
        for (const vol of volumes) {
          for (let d = -k; d <= k; d++) {
            const sd = Math.min(Math.max(s + d, 0), depth - 1);
            data[o++] = vol.data[inPlane + sd * st[axis]];
          }
        }
      }
    }
  }
  const g = volumes[0];
  return {
    data,
    shape: [indices.length, H, W, C],
    layout: { axis, indices: indices.slice(), grid: { dims: g.dims, spacing: g.spacing, affine: g.affine } },
  };
}

/**
 * Puts per-slice predictions ([N, H, W, C], channels-last, in the layout's order) back into a volume on the layout's
 * grid, taking channel `channel`. Voxels of slices not in the layout are `fill`. A slice listed twice keeps the last.
 */
export function slicesToVolume(
  predictions: ArrayLike<number>,
  shape: [number, number, number, number],
  layout: SliceLayout,
  channel = 0,
  fill = 0,
): Volume<Float32Array> {
  const { axis, indices, grid } = layout;
  const [u, v] = planeAxes(axis);
  const [N, H, W, C] = shape;
  if (N !== indices.length || H !== grid.dims[v] || W !== grid.dims[u]) {
    throw new ConfigError(
      `prediction shape ${shape.join('x')} does not fit ${indices.length} slices of ${grid.dims[v]}x${grid.dims[u]}`,
    );
  }
  if (predictions.length !== N * H * W * C) throw new ConfigError(`predictions have ${predictions.length} values, shape ${shape.join('x')} needs ${N * H * W * C}`);
  if (!(channel >= 0 && channel < C)) throw new ConfigError(`channel ${channel} outside 0..${C - 1}`);
  const out = new Float32Array(voxelCount(grid.dims));
  if (fill !== 0) out.fill(fill);
  const st = strides(grid.dims);
  let p = channel;
  indices.forEach((s) => {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++, p += C) out[r * st[v] + c * st[u] + s * st[axis]] = predictions[p];
    }
  });
  return { data: out, dims: grid.dims.slice() as Vec3, spacing: grid.spacing.slice() as Vec3, affine: grid.affine };
}
