import type { Mat4, Vec3 } from './volume';

/**
 * Small 4x4 affine algebra on the row-major nested arrays of `Mat4`. Kept beside the `Volume` type because reading,
 * writing, resampling and reorienting all need it and none of them should own it.
 */

export function multiply4(a: Mat4, b: Mat4): Mat4 {
  const out: Mat4 = [[], [], [], []];
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[r][k] * b[k][c];
      out[r][c] = s;
    }
  }
  return out;
}

/** Inverse of an affine (last row 0 0 0 1); throws a RangeError when the 3x3 part is singular. */
export function invertAffine(m: Mat4): Mat4 {
  const [a, b, c] = [m[0][0], m[0][1], m[0][2]];
  const [d, e, f] = [m[1][0], m[1][1], m[1][2]];
  const [g, h, i] = [m[2][0], m[2][1], m[2][2]];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('invertAffine: the affine is singular');
  const r = [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
  const t = [m[0][3], m[1][3], m[2][3]];
  const out: Mat4 = r.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]);
  out.push([0, 0, 0, 1]);
  return out;
}

/** World coordinates of the (possibly fractional) voxel index p. */
export function applyAffine(m: Mat4, p: Vec3): Vec3 {
  return [0, 1, 2].map((r) => m[r][0] * p[0] + m[r][1] * p[1] + m[r][2] * p[2] + m[r][3]) as Vec3;
}

/** Length of each of the first three columns: the voxel size along each voxel axis, as nibabel's zooms. */
export function affineZooms(m: Mat4): Vec3 {
  return [0, 1, 2].map((c) => Math.hypot(m[0][c], m[1][c], m[2][c])) as Vec3;
}

/** True when every entry differs by at most `atol`. */
export function affinesClose(a: Mat4, b: Mat4, atol = 1e-4): boolean {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) if (!(Math.abs(a[r][c] - b[r][c]) <= atol)) return false;
  return true;
}
