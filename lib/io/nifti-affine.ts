import { NiftiError } from '../errors';
import { affineZooms } from '../volume/affine';
import type { Mat4, Vec3 } from '../volume/volume';
import type { NiftiHeader } from './nifti-header';

/**
 * The voxel-to-world affine of a NIfTI header, chosen as nibabel's `get_best_affine` does: the sform when
 * sform_code > 0, else the qform when qform_code > 0, else nibabel's "base" affine (pixdim scaling with x flipped and
 * the centre voxel at the origin, the Analyze convention).
 */
export function headerAffine(h: NiftiHeader, spacing: Vec3, dims: Vec3, file: string): Mat4 {
  let m: Mat4;
  if (h.sform_code > 0) m = [...h.srow.map((r) => r.slice()), [0, 0, 0, 1]];
  else if (h.qform_code > 0) m = qformAffine(h, spacing, file);
  else m = baseAffine(spacing, dims);
  if (!m.every((row) => row.every(Number.isFinite))) throw new NiftiError('the affine has non-finite entries', file);
  return m;
}

/**
 * The qform as nibabel builds it: rotation from the quaternion (b, c, d) with a = sqrt(1 - b^2 - c^2 - d^2), columns
 * scaled by the voxel sizes, the third one also by qfac = pixdim[0] (0 counts as 1, as the standard says).
 */
export function qformAffine(h: NiftiHeader, spacing: Vec3, file: string): Mat4 {
  const [b, c, d] = [h.quatern_b, h.quatern_c, h.quatern_d];
  const w2 = 1 - (b * b + c * c + d * d);
  // nibabel's tolerance for float32 rounding of a unit quaternion (3 float32 epsilons).
  if (w2 < -3 * 1.1920929e-7) throw new NiftiError(`invalid qform quaternion (${b}, ${c}, ${d}): its norm exceeds 1`, file);
  const a = Math.sqrt(Math.max(w2, 0));
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const z = [spacing[0], spacing[1], spacing[2] * qfac];
  const t = [h.qoffset_x, h.qoffset_y, h.qoffset_z];
  return [...R.map((row, r) => [row[0] * z[0], row[1] * z[1], row[2] * z[2], t[r]]), [0, 0, 0, 1]];
}

/** nibabel's `shape_zoom_affine(shape, zooms, x_flip=True)`. */
export function baseAffine(spacing: Vec3, dims: Vec3): Mat4 {
  const sx = -spacing[0];
  const o = dims.map((d) => (d - 1) / 2);
  return [
    [sx, 0, 0, -o[0] * sx],
    [0, spacing[1], 0, -o[1] * spacing[1]],
    [0, 0, spacing[2], -o[2] * spacing[2]],
    [0, 0, 0, 1],
  ];
}

/** A qform: quaternion, offsets and qfac, or undefined when the affine has shear (a qform cannot hold it). */
export interface Qform {
  b: number;
  c: number;
  d: number;
  offset: Vec3;
  qfac: 1 | -1;
}

/**
 * The qform that represents `affine`, following nifti1_io's `nifti_mat44_to_quatern`: normalise the columns, flip
 * the third one when the determinant is negative (qfac = -1), then take the quaternion of the rotation. Returns
 * undefined when the normalised columns are not orthogonal (the affine has shear), so the caller can leave
 * qform_code at 0 and rely on the sform, which holds any affine exactly.
 */
export function affineToQform(affine: Mat4): Qform | undefined {
  const zooms = affineZooms(affine);
  if (zooms.some((z) => !(z > 0))) return undefined;
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r][c] / zooms[c]));
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const dot = R[0][i] * R[0][j] + R[1][i] * R[1][j] + R[2][i] * R[2][j];
      if (Math.abs(dot) > 1e-5) return undefined;
    }
  }
  const det =
    R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) -
    R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
    R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  let qfac: 1 | -1 = 1;
  if (det < 0) {
    qfac = -1;
    for (let r = 0; r < 3; r++) R[r][2] = -R[r][2];
  }
  let a = R[0][0] + R[1][1] + R[2][2] + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (R[2][1] - R[1][2])) / a;
    c = (0.25 * (R[0][2] - R[2][0])) / a;
    d = (0.25 * (R[1][0] - R[0][1])) / a;
  } else {
    const xd = 1 + R[0][0] - (R[1][1] + R[2][2]);
    const yd = 1 + R[1][1] - (R[0][0] + R[2][2]);
    const zd = 1 + R[2][2] - (R[0][0] + R[1][1]);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (R[0][1] + R[1][0])) / b;
      d = (0.25 * (R[0][2] + R[2][0])) / b;
      a = (0.25 * (R[2][1] - R[1][2])) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (R[0][1] + R[1][0])) / c;
      d = (0.25 * (R[1][2] + R[2][1])) / c;
      a = (0.25 * (R[0][2] - R[2][0])) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (R[0][2] + R[2][0])) / d;
      c = (0.25 * (R[1][2] + R[2][1])) / d;
      a = (0.25 * (R[1][0] - R[0][1])) / d;
    }
    // The file stores only b, c, d and derives a >= 0, so the sign goes into (b, c, d).
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  [b, c, d] = float32Quaternion([b, c, d], R);
  return { b, c, d, offset: [affine[0][3], affine[1][3], affine[2][3]], qfac };
}

/** nibabel's tolerance on 1 - (b^2 + c^2 + d^2) below zero: three float32 epsilons. */
const QUATERNION_TOLERANCE = 3 * 1.1920929e-7;

/** The rotation a reader rebuilds from stored (float32) b, c, d, or undefined when a reader would refuse them. */
function rotationFromStored(b: number, c: number, d: number): number[][] | undefined {
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < -QUATERNION_TOLERANCE) return undefined;
  const a = Math.sqrt(Math.max(w2, 0));
  return [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
}

function nextFloat32(x: number, dir: 1 | -1): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) i[0] = dir > 0 ? 1 : -2147483647;
  else i[0] += (x > 0 ? 1 : -1) * dir;
  return f[0];
}

/**
 * The float32 (b, c, d) closest in effect to the exact quaternion of the proper rotation R. Readers derive a = sqrt(1 - b^2 - c^2 - d^2), which
 * amplifies float32 rounding when a is near 0 (rotations near 180 degrees, e.g. every coronal or sagittal
 * acquisition): plain rounding of (0, 0.7071068, 0.7071068) leaves a = 2.4e-4 and direction cosines off by 8e-4.
 * Trying each component rounded down, to nearest and up (27 candidates) and keeping the one whose rebuilt rotation
 * (as nibabel and nifti1_io rebuild it) is closest to the intended one removes that error.
 */
function float32Quaternion(q: number[], R: number[][]): number[] {
  const options = q.map((x) => {
    const f = Math.fround(x);
    return [f, nextFloat32(f, -1), nextFloat32(f, 1)];
  });
  let best = options.map((o) => o[0]);
  let bestErr = Infinity;
  for (const b of options[0]) {
    for (const c of options[1]) {
      for (const d of options[2]) {
        const rot = rotationFromStored(b, c, d);
        if (!rot) continue;
        let err = 0;
        for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) err = Math.max(err, Math.abs(rot[r][k] - R[r][k]));
        if (err < bestErr) {
          bestErr = err;
          best = [b, c, d];
        }
      }
    }
  }
  return best;
}
