import type { Mat4, Vec3, Volume, VoxelArray } from '../volume/volume';
import { invertAffine, applyAffine } from '../volume/affine';
import { ConfigError } from '../errors';
import { squaredDistanceTransform } from '../volume/distance-transform';
import { gaussianBlur } from './fields';

/**
 * The template anatomy every synthetic case is deformed from: the Colin27 T1 (27 averaged scans of one healthy
 * adult, MNI space) on the working grid, its brain mask, and maps derived from its intensities once: tissue levels,
 * the lesion-placement priors and where a post-contrast T1 shows normal enhancement.
 */
export interface Anatomy {
  dims: Vec3;
  spacing: Vec3;
  /** Voxel -> MNI world (mm), from the template's sform. */
  affine: Mat4;
  /** Template T1 intensities (the whole head; the brain mask decides what a case keeps). */
  t1: Float32Array;
  /**
   * Brain mask as floats, blurred by BRAIN_EDGE_SIGMA_MM so that a case's skull strip (warped value >= 0.5) follows a
   * smooth surface instead of the template's voxel staircase.
   */
  brain: Float32Array;
  /** Distance from each brain voxel to the nearest voxel outside the brain, mm (0 outside). */
  depth: Float32Array;
  /** The brain dilated by `SUPPORT_MARGIN_MM`: where a case can have signal after its deformation's interpolation. */
  support: Uint8Array;
  /** Mean T1 of cerebrospinal fluid, grey and white matter inside the brain (1D k-means on the histogram). */
  levels: TissueLevels;
  /** Unnormalised lesion-centre density above the tentorium: high at the grey/white-matter junction. */
  supratentorialPrior: Float32Array;
  /** The same density in the posterior fossa (cerebellum and brainstem). */
  infratentorialPrior: Float32Array;
  /** 0..1 weight of normal enhancement on a post-contrast T1: dura at the brain surface, falx, choroid plexus. */
  enhancement: Float32Array;
  /** Voxel coordinate of the centre of the brain's bounding box: the pivot of each case's deformation. */
  centre: Vec3;
}

export interface TissueLevels {
  csf: number;
  gm: number;
  wm: number;
}

/**
 * Where the template's anatomy sits, in MNI millimetres. These locate structures of the MNI brain (any MNI-space
 * template would share them); they were checked by overlaying them on the Colin27 slices.
 */
export const mniLandmarks = {
  /**
   * The posterior fossa (cerebellum) lies below the tentorium, which slopes down from z = -8 at y = -40 to about
   * z = -25 at y = -95; in front of it the brainstem, a narrow midline column below z = -15.
   */
  tentorium: { yFront: -40, zFront: -8, slope: 17 / 55, brainstemHalfWidth: 18, brainstemYFront: -15, brainstemZ: -15 },
  /** Atria and bodies of the lateral ventricles, where the choroid plexus enhances. */
  choroid: [
    { centre: [-27, -42, 12] as Vec3, radii: [9, 14, 9] as Vec3 },
    { centre: [27, -42, 12] as Vec3, radii: [9, 14, 9] as Vec3 },
  ],
  /** The falx runs in the interhemispheric fissure above the corpus callosum. */
  falx: { x: 0, halfWidthMm: 1.5, zAbove: 20 },
};

/** Builds the template from a T1 volume and a brain mask on the same grid. */
export function deriveAnatomy(t1Volume: Volume<VoxelArray>, brainVolume: Volume<VoxelArray>): Anatomy {
  const { dims, spacing, affine } = t1Volume;
  const n = dims[0] * dims[1] * dims[2];
  if (brainVolume.data.length !== n) throw new ConfigError('brain mask and T1 template have different grids');
  const t1 = Float32Array.from(t1Volume.data);
  const brain = new Float32Array(n);
  for (let i = 0; i < n; i++) brain[i] = brainVolume.data[i] > 0 ? 1 : 0;
  const levels = tissueLevels(t1, brain);
  const depth = Float32Array.from(squaredDistanceTransform(dims, spacing, (i) => brain[i] === 0), Math.sqrt);
  const outside = squaredDistanceTransform(dims, spacing, (i) => brain[i] > 0);
  const support = Uint8Array.from(outside, (d2) => (d2 <= SUPPORT_MARGIN_MM ** 2 ? 1 : 0));
  const { gm, wm, csf } = tissueFractions(t1, levels);

  // The junction prior: where both grey and white matter are present within a few millimetres.
  const sigma = spacing.map((s) => JUNCTION_SIGMA_MM / s) as Vec3;
  gaussianBlur(gm, dims, sigma);
  gaussianBlur(wm, dims, sigma);
  const supra = new Float32Array(n);
  const infra = new Float32Array(n);
  const enhancement = new Float32Array(n);
  const inv = invertAffine(affine);
  const midlineVoxel = applyAffine(inv, [mniLandmarks.falx.x, 0, 0])[0];
  const t = mniLandmarks.tentorium;
  const bbox = { lo: [...dims] as Vec3, hi: [0, 0, 0] as Vec3 };
  for (let k = 0, v = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, v++) {
        if (brain[v] === 0) continue;
        const p: Vec3 = [i, j, k];
        for (let a = 0; a < 3; a++) {
          bbox.lo[a] = Math.min(bbox.lo[a], p[a]);
          bbox.hi[a] = Math.max(bbox.hi[a], p[a]);
        }
        const [x, y, z] = applyAffine(affine, p);
        const junction = 4 * gm[v] * wm[v] * (1 - csf[v]);
        const infratentorial =
          (y < t.yFront && z < t.zFront + t.slope * (y - t.yFront)) ||
          (y < t.brainstemYFront && Math.abs(x) < t.brainstemHalfWidth && z < t.brainstemZ);
        if (infratentorial) infra[v] = junction;
        else supra[v] = junction;
        let e = 0;
        if (isSurface(brain, dims, i, j, k)) e = 1;
        // Only fluid-filled fissure voxels: the medial cortex beside the falx does not enhance.
        if (Math.abs(i - midlineVoxel) * spacing[0] <= mniLandmarks.falx.halfWidthMm && z > mniLandmarks.falx.zAbove) {
          e = Math.max(e, 2 * csf[v] - 1);
        }
        for (const c of mniLandmarks.choroid) {
          const r = ((x - c.centre[0]) / c.radii[0]) ** 2 + ((y - c.centre[1]) / c.radii[1]) ** 2 + ((z - c.centre[2]) / c.radii[2]) ** 2;
          if (r < 1) e = Math.max(e, csf[v]);
        }
        enhancement[v] = e;
      }
    }
  }
  if (bbox.hi[0] === 0) throw new ConfigError('the brain mask of the template anatomy is empty');
  const edge = spacing.map((s) => BRAIN_EDGE_SIGMA_MM / s) as Vec3;
  gaussianBlur(brain, dims, edge);
  const centre = [0, 1, 2].map((a) => (bbox.lo[a] + bbox.hi[a]) / 2) as Vec3;
  return { dims, spacing, affine, t1, brain, depth, support, levels, supratentorialPrior: supra, infratentorialPrior: infra, enhancement, centre };
}

/** Smoothing of the template's brain surface (about the 1 mm voxel of the original mask). */
const BRAIN_EDGE_SIGMA_MM = 1;

/** Beyond this distance from the brain a case voxel's interpolated brain fraction is 0 (a few voxels of margin). */
const SUPPORT_MARGIN_MM = 4;

/** Smoothing of the tissue fractions before their product: about the cortical thickness scale. */
const JUNCTION_SIGMA_MM = 2;

function isSurface(mask: Float32Array, dims: Vec3, i: number, j: number, k: number): boolean {
  const [nx, ny, nz] = dims;
  if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) return true;
  const v = i + nx * (j + ny * k);
  return mask[v - 1] === 0 || mask[v + 1] === 0 || mask[v - nx] === 0 || mask[v + nx] === 0 || mask[v - nx * ny] === 0 || mask[v + nx * ny] === 0;
}

/**
 * CSF, grey- and white-matter means of the intensities inside `mask`: 1D k-means with three clusters on the
 * 256-bin histogram, started at the 5th, 50th and 95th percentiles.
 */
export function tissueLevels(t1: Float32Array, mask: Float32Array): TissueLevels {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t1.length; i++) {
    if (mask[i] > 0.5) {
      lo = Math.min(lo, t1[i]);
      hi = Math.max(hi, t1[i]);
    }
  }
  if (!(hi > lo)) throw new ConfigError('the template brain has no intensity contrast');
  const bins = 256;
  const hist = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < t1.length; i++) {
    if (mask[i] > 0.5) hist[Math.min(bins - 1, Math.floor((t1[i] - lo) / width))]++;
  }
  const centreOf = (b: number) => lo + (b + 0.5) * width;
  const total = hist.reduce((a, b) => a + b, 0);
  const quantile = (q: number) => {
    let acc = 0;
    for (let b = 0; b < bins; b++) {
      acc += hist[b];
      if (acc >= q * total) return centreOf(b);
    }
    return hi;
  };
  let m = [quantile(0.05), quantile(0.5), quantile(0.95)];
  for (let iter = 0; iter < 100; iter++) {
    const sum = [0, 0, 0];
    const cnt = [0, 0, 0];
    for (let b = 0; b < bins; b++) {
      const x = centreOf(b);
      const c = Math.abs(x - m[0]) <= Math.abs(x - m[1]) ? 0 : Math.abs(x - m[1]) <= Math.abs(x - m[2]) ? 1 : 2;
      sum[c] += hist[b] * x;
      cnt[c] += hist[b];
    }
    const next = m.map((old, c) => (cnt[c] > 0 ? sum[c] / cnt[c] : old));
    if (next.every((x, c) => Math.abs(x - m[c]) < 1e-6 * (hi - lo))) break;
    m = next;
  }
  return { csf: m[0], gm: m[1], wm: m[2] };
}

/**
 * Partial-volume tissue fractions from intensity: a voxel between two tissue means is read as a linear mixture of
 * the two, the simplest model under which a 1.5 mm voxel straddling a boundary has an intermediate value.
 */
export function tissueFractions(t1: Float32Array, levels: TissueLevels): { csf: Float32Array; gm: Float32Array; wm: Float32Array } {
  const n = t1.length;
  const csf = new Float32Array(n);
  const gm = new Float32Array(n);
  const wm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = t1[i];
    if (x <= levels.csf) csf[i] = 1;
    else if (x < levels.gm) {
      const f = (x - levels.csf) / (levels.gm - levels.csf);
      gm[i] = f;
      csf[i] = 1 - f;
    } else if (x < levels.wm) {
      const f = (x - levels.gm) / (levels.wm - levels.gm);
      wm[i] = f;
      gm[i] = 1 - f;
    } else wm[i] = 1;
  }
  return { csf, gm, wm };
}
