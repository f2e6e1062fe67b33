import { symmetricEigen3 } from '../util/symmetric-eigen3';
import { multiply4 } from './affine';
import type { Mat4, Vec3, Volume, VoxelArray } from './volume';
import { voxelCount } from './volume';

/**
 * Orientation codes as nibabel defines them: for each voxel axis, the world (RAS+) direction its index increases
 * towards, e.g. "RAS" (x to the right, y anterior, z superior) or "LPS" (DICOM/ITK's convention). The codes come from
 * the affine's closest rotation (polar decomposition), so an oblique acquisition gets the codes of its nearest axes,
 * exactly as `nibabel.aff2axcodes` prints them.
 */

/** Per voxel axis: the world axis (0 = x/R, 1 = y/A, 2 = z/S) it runs along and the sign (+1 towards R, A or S). */
export type Orientation = Array<{ axis: 0 | 1 | 2; sign: 1 | -1 }>;

const LETTERS: Array<[string, string]> = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
];

/**
 * nibabel's `io_orientation`: normalise the affine's columns, take the closest orthogonal matrix R (from the SVD,
 * keeping singular values above S.max * 3 * eps), then for each voxel axis in order pick the world axis with the
 * largest |R| entry in its column and remove that world axis from further choice. Throws a RangeError for an axis
 * with no direction (a rank-deficient affine), which nibabel reports as None.
 */
export function ioOrientation(affine: Mat4): Orientation {
  const zooms = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c]) || 1);
  const RS = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r][c] / zooms[c]));
  // RS = U S V^T, so RS^T RS = V S^2 V^T and the polar factor is R = sum over kept i of (RS v_i / s_i) v_i^T.
  const gram = [0, 1, 2].map((i) => [0, 1, 2].map((j) => RS[0][i] * RS[0][j] + RS[1][i] * RS[1][j] + RS[2][i] * RS[2][j]));
  const { values, vectors } = symmetricEigen3(gram);
  const sv = values.map((x) => Math.sqrt(Math.max(x, 0)));
  const tol = Math.max(...sv) * 3 * Number.EPSILON;
  const R = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < 3; i++) {
    if (!(sv[i] > tol)) continue;
    const vi = [vectors[0][i], vectors[1][i], vectors[2][i]];
    const ui = [0, 1, 2].map((r) => (RS[r][0] * vi[0] + RS[r][1] * vi[1] + RS[r][2] * vi[2]) / sv[i]);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) R[r][c] += ui[r] * vi[c];
  }
  const out: Orientation = [];
  for (let inAx = 0; inAx < 3; inAx++) {
    const col = [R[0][inAx], R[1][inAx], R[2][inAx]];
    // numpy's allclose(col, 0) with its default atol 1e-8.
    if (col.every((x) => Math.abs(x) <= 1e-8)) {
      throw new RangeError(`ioOrientation: voxel axis ${inAx} has no direction in the affine`);
    }
    let best = 0;
    for (let r = 1; r < 3; r++) if (Math.abs(col[r]) > Math.abs(col[best])) best = r;
    out.push({ axis: best as 0 | 1 | 2, sign: col[best] < 0 ? -1 : 1 });
    R[best] = [0, 0, 0];
  }
  return out;
}

/** The orientation codes of an affine, e.g. "RAS", "LPS", "LSA" (nibabel's `''.join(aff2axcodes(affine))`). */
export function axcodes(affine: Mat4): string {
  return ioOrientation(affine)
    .map((o) => LETTERS[o.axis][o.sign > 0 ? 1 : 0])
    .join('');
}

/** Parses codes such as "RAS" or "lps"; a RangeError unless they name each world axis exactly once. */
export function parseAxcodes(codes: string): Orientation {
  const up = codes.toUpperCase();
  const out: Orientation = [];
  for (const ch of up) {
    const axis = LETTERS.findIndex((pair) => pair.includes(ch));
    if (axis < 0) throw new RangeError(`orientation codes '${codes}': '${ch}' is not one of L R P A I S`);
    out.push({ axis: axis as 0 | 1 | 2, sign: LETTERS[axis][1] === ch ? 1 : -1 });
  }
  if (out.length !== 3 || new Set(out.map((o) => o.axis)).size !== 3) {
    throw new RangeError(`orientation codes '${codes}' must name each of the three world axes once`);
  }
  return out;
}

/**
 * Reorders and flips a volume's voxel axes so that its orientation codes become `codes`, without interpolation: the
 * voxels are the same, only their storage order changes, and the affine is updated so that every voxel keeps its
 * world position. `reorient(reorient(v, 'RAS'), axcodes(v.affine))` gives back v's data and affine exactly, which is
 * how a prediction made on the canonical grid is written in the input's own grid.
 */
export function reorient<T extends VoxelArray>(volume: Volume<T>, codes: string): Volume<T> {
  const from = ioOrientation(volume.affine);
  const to = parseAxcodes(codes);
  const { dims } = volume;
  const inStride = [1, dims[0], dims[0] * dims[1]];
  // For each output axis a: the input axis it reads and whether it runs backwards.
  const src = to.map((t) => {
    const p = from.findIndex((f) => f.axis === t.axis);
    return { p, flip: from[p].sign !== t.sign };
  });
  const outDims = src.map(({ p }) => dims[p]) as Vec3;
  // M maps output voxel indices to input voxel indices; the new affine is A @ M.
  const M: Mat4 = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 1],
  ];
  src.forEach(({ p, flip }, a) => {
    M[p][a] = flip ? -1 : 1;
    M[p][3] = flip ? dims[p] - 1 : 0;
  });
  const step = src.map(({ p, flip }) => (flip ? -inStride[p] : inStride[p]));
  const start = src.reduce((s, { p, flip }) => s + (flip ? (dims[p] - 1) * inStride[p] : 0), 0);
  const Ctor = volume.data.constructor as new (n: number) => T;
  const out = new Ctor(voxelCount(outDims));
  let o = 0;
  for (let k = 0; k < outDims[2]; k++) {
    const bk = start + k * step[2];
    for (let j = 0; j < outDims[1]; j++) {
      let idx = bk + j * step[1];
      for (let i = 0; i < outDims[0]; i++, idx += step[0]) out[o++] = volume.data[idx];
    }
  }
  const spacing = src.map(({ p }) => volume.spacing[p]) as Vec3;
  return { data: out, dims: outDims, spacing, affine: multiply4(volume.affine, M) };
}

/** The volume in RAS+ voxel order (nibabel's `as_closest_canonical`). */
export function toCanonical<T extends VoxelArray>(volume: Volume<T>): Volume<T> {
  return reorient(volume, 'RAS');
}

/** The inverse of `toCanonical`: a volume on the canonical grid of `original`, back in `original`'s voxel order. */
export function fromCanonical<T extends VoxelArray>(canonical: Volume<T>, original: { affine: Mat4 }): Volume<T> {
  return reorient(canonical, axcodes(original.affine));
}
