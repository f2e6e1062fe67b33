import type { Vec3 } from './volume';

/**
 * Exact squared Euclidean distance transform in millimetres² on an anisotropic 3D grid (x fastest, as `Volume`).
 *
 * For every voxel p the result is min over feature voxels q of Σ_axis ((p_axis - q_axis) · spacing_axis)², or
 * +Infinity when there is no feature voxel at all. The computation is the separable algorithm of Felzenszwalb and
 * Huttenlocher ("Distance Transforms of Sampled Functions", 2012): the squared distance is a sum over axes, so three
 * 1D passes (x, then y, then z), each taking the lower envelope of parabolas centred on the samples of the previous
 * pass, give the exact result in O(voxels) time instead of O(voxels × features) pairs.
 *
 * `isFeature(index)` says whether the voxel at a flat index is a feature (distance 0).
 */
export function squaredDistanceTransform(dims: Vec3, spacing: Vec3, isFeature: (index: number) => boolean): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = isFeature(i) ? 0 : Infinity;
  const longest = Math.max(nx, ny, nz);
  const scratch = {
    f: new Float64Array(longest),
    out: new Float64Array(longest),
    v: new Int32Array(longest),
    z: new Float64Array(longest + 1),
  };
  // The first voxel of every line along x, then y, then z; a length-1 axis has nothing to propagate.
  if (nx > 1) {
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) transformLine(d, nx * (j + ny * k), 1, nx, spacing[0], scratch);
  }
  if (ny > 1) {
    for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) transformLine(d, i + nx * ny * k, nx, ny, spacing[1], scratch);
  }
  if (nz > 1) {
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) transformLine(d, i + nx * j, nx * ny, nz, spacing[2], scratch);
  }
  return d;
}

/**
 * One 1D pass in place: out(p) = min_q ((p - q)·h)² + f(q) over samples q of the line with finite f.
 * Parabolas with f = +Infinity never reach the lower envelope, so they are skipped; a line without any finite sample
 * stays +Infinity.
 */
function transformLine(
  d: Float64Array,
  start: number,
  stride: number,
  len: number,
  h: number,
  s: { f: Float64Array; out: Float64Array; v: Int32Array; z: Float64Array },
): void {
  const { f, out, v, z } = s;
  let k = -1;
  for (let q = 0; q < len; q++) {
    const fq = d[start + q * stride];
    f[q] = fq;
    if (fq === Infinity) continue;
    const xq = q * h;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    // Intersection of the parabola at q with the rightmost one kept so far; drop kept parabolas it hides.
    // z[0] = -Infinity, so the loop stops at k = 0 at the latest.
    let xv = v[k] * h;
    let sect = (fq + xq * xq - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
    while (sect <= z[k]) {
      k--;
      xv = v[k] * h;
      sect = (fq + xq * xq - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
    }
    k++;
    v[k] = q;
    z[k] = sect;
    z[k + 1] = Infinity;
  }
  if (k < 0) return;
  let j = 0;
  for (let p = 0; p < len; p++) {
    const xp = p * h;
    while (z[j + 1] < xp) j++;
    const dx = xp - v[j] * h;
    out[p] = dx * dx + f[v[j]];
  }
  for (let p = 0; p < len; p++) d[start + p * stride] = out[p];
}
