import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';
import { smoothRandomField } from './fields';

/**
 * Per-case smooth random deformation of the template anatomy (affine + elastic), so that no two synthetic patients
 * share a brain. The map is backward: for every voxel of the case grid it gives the template voxel to sample, which is
 * what trilinear warping needs and never leaves holes.
 */
export interface DeformationConfig {
  /** SD of the rotation about each axis, degrees. */
  rotationSdDeg: number;
  /** Brain size relative to the template: mean and SD of the per-axis scale. MNI space is larger than most brains. */
  scaleMean: number;
  scaleSd: number;
  /** SD of the off-diagonal shear terms. */
  shearSd: number;
  /** SD of the translation along each axis, mm. */
  translationSdMm: number;
  /** SD of the elastic displacement along each axis, mm, and its correlation length (B-spline lattice step), mm. */
  elasticSdMm: number;
  elasticStepMm: number;
}

export const defaultDeformationConfig: DeformationConfig = {
  rotationSdDeg: 4,
  scaleMean: 0.95,
  scaleSd: 0.04,
  shearSd: 0.02,
  translationSdMm: 2,
  elasticSdMm: 2.5,
  elasticStepMm: 24,
};

/** The drawn parameters, recorded in each case's metadata. */
export interface DeformationParams {
  rotationDeg: Vec3;
  scale: Vec3;
  shear: Vec3;
  translationMm: Vec3;
  elasticSdMm: number;
}

export interface Deformation {
  params: DeformationParams;
  /** For each case voxel, the template voxel coordinate it samples, as x, y, z triples. */
  source: Float32Array;
}

/**
 * Draws a deformation about `centre` (a voxel coordinate, the brain's centre). `shrink` multiplies the scale; the
 * cohort lowers it when a drawn brain would not fit the grid.
 */
export function sampleDeformation(
  rng: Rng,
  dims: Vec3,
  spacing: Vec3,
  centre: Vec3,
  config: DeformationConfig = defaultDeformationConfig,
  shrink = 1,
): Deformation {
  const params: DeformationParams = {
    rotationDeg: [0, 1, 2].map(() => rng.normal(0, config.rotationSdDeg)) as Vec3,
    scale: [0, 1, 2].map(() => shrink * Math.max(0.75, rng.normal(config.scaleMean, config.scaleSd))) as Vec3,
    shear: [0, 1, 2].map(() => rng.normal(0, config.shearSd)) as Vec3,
    translationMm: [0, 1, 2].map(() => rng.normal(0, config.translationSdMm)) as Vec3,
    elasticSdMm: config.elasticSdMm,
  };
  const fields = [0, 1, 2].map(() => smoothRandomField(rng, dims, spacing, config.elasticStepMm));
  const m = backwardMatrix(params);
  const [nx, ny, nz] = dims;
  const source = new Float32Array(3 * nx * ny * nz);
  const [tx, ty, tz] = params.translationMm;
  const sd = config.elasticSdMm;
  let v = 0;
  for (let k = 0; k < nz; k++) {
    const z = (k - centre[2]) * spacing[2];
    for (let j = 0; j < ny; j++) {
      const y = (j - centre[1]) * spacing[1];
      for (let i = 0; i < nx; i++, v++) {
        const x = (i - centre[0]) * spacing[0];
        const sx = m[0][0] * x + m[0][1] * y + m[0][2] * z + tx + sd * fields[0][v];
        const sy = m[1][0] * x + m[1][1] * y + m[1][2] * z + ty + sd * fields[1][v];
        const sz = m[2][0] * x + m[2][1] * y + m[2][2] * z + tz + sd * fields[2][v];
        source[3 * v] = sx / spacing[0] + centre[0];
        source[3 * v + 1] = sy / spacing[1] + centre[1];
        source[3 * v + 2] = sz / spacing[2] + centre[2];
      }
    }
  }
  return { params, source };
}

/** The 3x3 case-mm -> template-mm matrix: the inverse of the forward map rotation · shear · scale. */
function backwardMatrix(p: DeformationParams): number[][] {
  const [a, b, c] = p.rotationDeg.map((d) => (d * Math.PI) / 180);
  const rx = [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
  const ry = [[Math.cos(b), 0, Math.sin(b)], [0, 1, 0], [-Math.sin(b), 0, Math.cos(b)]];
  const rz = [[Math.cos(c), -Math.sin(c), 0], [Math.sin(c), Math.cos(c), 0], [0, 0, 1]];
  const shear = [[1, p.shear[0], p.shear[1]], [0, 1, p.shear[2]], [0, 0, 1]];
  const scale = [[p.scale[0], 0, 0], [0, p.scale[1], 0], [0, 0, p.scale[2]]];
  const forward = mul3(mul3(mul3(rz, ry), rx), mul3(shear, scale));
  return invert3(forward);
}

function mul3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((c) => row[0] * b[0][c] + row[1] * b[1][c] + row[2] * b[2][c]));
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = f * g - d * i;
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [C / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/**
 * Samples each template volume (all on the template grid `dims`) at the deformation's source points with trilinear
 * interpolation; points outside the template read 0. One pass computes the weights once for all volumes.
 * `nearest` volumes are read at the nearest voxel instead: an eighth of the work, for maps that only steer random
 * draws (priors, depth). Where `support` (a template mask) is 0 at the nearest voxel, every output stays 0: the
 * cohort passes the dilated brain, which skips the two thirds of the grid that the skull strip discards anyway.
 */
export function warpVolumes(
  deformation: Deformation,
  dims: Vec3,
  volumes: Float32Array[],
  nearest: Float32Array[] = [],
  support?: Uint8Array,
): Float32Array[] {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const out = volumes.map(() => new Float32Array(n));
  const outNearest = nearest.map(() => new Float32Array(n));
  const nn = nearest.length;
  const src = deformation.source;
  const sxy = nx * ny;
  const nv = volumes.length;
  for (let v = 0; v < n; v++) {
    const x = src[3 * v];
    const y = src[3 * v + 1];
    const z = src[3 * v + 2];
    if (!(x >= 0 && y >= 0 && z >= 0 && x <= nx - 1 && y <= ny - 1 && z <= nz - 1)) continue;
    const i0 = Math.min(Math.floor(x), nx - 2);
    const j0 = Math.min(Math.floor(y), ny - 2);
    const k0 = Math.min(Math.floor(z), nz - 2);
    const fx = x - i0;
    const fy = y - j0;
    const fz = z - k0;
    const b = i0 + nx * j0 + sxy * k0;
    const w000 = (1 - fx) * (1 - fy) * (1 - fz);
    const w100 = fx * (1 - fy) * (1 - fz);
    const w010 = (1 - fx) * fy * (1 - fz);
    const w110 = fx * fy * (1 - fz);
    const w001 = (1 - fx) * (1 - fy) * fz;
    const w101 = fx * (1 - fy) * fz;
    const w011 = (1 - fx) * fy * fz;
    const w111 = fx * fy * fz;
    const nearestIndex = b + (fx >= 0.5 ? 1 : 0) + (fy >= 0.5 ? nx : 0) + (fz >= 0.5 ? sxy : 0);
    if (support && support[nearestIndex] === 0) continue;
    for (let q = 0; q < nn; q++) outNearest[q][v] = nearest[q][nearestIndex];
    for (let q = 0; q < nv; q++) {
      const d = volumes[q];
      out[q][v] =
        w000 * d[b] + w100 * d[b + 1] + w010 * d[b + nx] + w110 * d[b + nx + 1] +
        w001 * d[b + sxy] + w101 * d[b + sxy + 1] + w011 * d[b + sxy + nx] + w111 * d[b + sxy + nx + 1];
    }
  }
  return [...out, ...outNearest];
}


/** A lesion as a source of mass effect: where it is (case voxels) and its radius (mm). */
export interface MassEffectSource {
  centreVoxel: Vec3;
  radiusMm: number;
}

/**
 * Adds each lesion's mass effect to the deformation: the tissue around a lesion is pushed outwards as if the
 * lesion had grown from nothing and displaced `fraction` of its own volume (the rest replaced tissue). Volume is
 * conserved: a point at distance r came from distance cbrt(r³ - a³), a³ = fraction · R³. The push fades to 0
 * between 2R and 4R (a cosine taper), where the skull and the rest of the brain absorb it.
 */
export function addMassEffect(deformation: Deformation, dims: Vec3, spacing: Vec3, lesions: MassEffectSource[], fraction: number): void {
  const [nx, ny, nz] = dims;
  const src = deformation.source;
  for (const lesion of lesions) {
    const R = lesion.radiusMm;
    const a3 = fraction * R * R * R;
    const reach = 4 * R;
    const c = lesion.centreVoxel;
    const old = src.slice();
    const lo = [0, 1, 2].map((ax) => Math.max(0, Math.floor(c[ax] - reach / spacing[ax])));
    const hi = [0, 1, 2].map((ax) => Math.min(dims[ax] - 1, Math.ceil(c[ax] + reach / spacing[ax])));
    for (let k = lo[2]; k <= hi[2]; k++) {
      for (let j = lo[1]; j <= hi[1]; j++) {
        for (let i = lo[0]; i <= hi[0]; i++) {
          const dx = (i - c[0]) * spacing[0];
          const dy = (j - c[1]) * spacing[1];
          const dz = (k - c[2]) * spacing[2];
          const r = Math.hypot(dx, dy, dz);
          if (r >= reach || r === 0) continue;
          const taper = r <= 2 * R ? 1 : 0.5 * (1 + Math.cos((Math.PI * (r - 2 * R)) / (2 * R)));
          const scale = 1 - (taper * (r - Math.cbrt(Math.max(0, r * r * r - a3)))) / r;
          const x = Math.min(nx - 1, Math.max(0, c[0] + (dx * scale) / spacing[0]));
          const y = Math.min(ny - 1, Math.max(0, c[1] + (dy * scale) / spacing[1]));
          const z = Math.min(nz - 1, Math.max(0, c[2] + (dz * scale) / spacing[2]));
          const i0 = Math.min(Math.floor(x), nx - 2);
          const j0 = Math.min(Math.floor(y), ny - 2);
          const k0 = Math.min(Math.floor(z), nz - 2);
          const fx = x - i0;
          const fy = y - j0;
          const fz = z - k0;
          const v = i + nx * (j + ny * k);
          const b = 3 * (i0 + nx * (j0 + ny * k0));
          const sx = 3;
          const sy = 3 * nx;
          const sz = 3 * nx * ny;
          const w000 = (1 - fx) * (1 - fy) * (1 - fz);
          const w100 = fx * (1 - fy) * (1 - fz);
          const w010 = (1 - fx) * fy * (1 - fz);
          const w110 = fx * fy * (1 - fz);
          const w001 = (1 - fx) * (1 - fy) * fz;
          const w101 = fx * (1 - fy) * fz;
          const w011 = (1 - fx) * fy * fz;
          const w111 = fx * fy * fz;
          for (let q = 0; q < 3; q++) {
            const o = b + q;
            src[3 * v + q] =
              w000 * old[o] + w100 * old[o + sx] + w010 * old[o + sy] + w110 * old[o + sx + sy] +
              w001 * old[o + sz] + w101 * old[o + sx + sz] + w011 * old[o + sy + sz] + w111 * old[o + sx + sy + sz];
          }
        }
      }
    }
  }
}
