import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';
import type { TissueLevels } from './anatomy';
import type { ScannerParams } from './centres';
import { boxBlurZ, gaussianBlur } from './fields';
import type { LesionMaps, PlacedLesion } from './lesions';

/**
 * Turns a case's anatomy and lesion maps into an MR image. The tissue model maps the template T1 intensity through
 * jittered CSF / grey / white levels (a voxel between two tissue means stays a mixture: partial volume), then adds
 * what a post-contrast T1 shows (enhancing dura, falx, choroid plexus and vessels; enhancing tumour around a dark
 * necrotic core; hypointense oedema) or, for the FLAIR-like channel, bright oedema and dark CSF. Acquisition follows:
 * multiplicative bias field, in-plane blur, thick slices (box profile along z, sampled every slice thickness and
 * interpolated back), Rician noise on the acquired slices, skull strip, scanner scale.
 */
export type Sequence = 't1c' | 'flair';

/** Signal levels relative to white matter (= 1): ranges drawn per case, or per lesion for the tumour ones. */
export interface SequenceContrast {
  csf: [number, number];
  gm: [number, number];
  oedema: [number, number];
  enhancing: [number, number];
  necrotic: [number, number];
  /** Added signal of fully enhancing normal structures (dura, falx, choroid plexus) and of vessel lumen. */
  normalEnhancement: [number, number];
  vessel: [number, number];
  /** Stored white-matter level as a fraction of the scanner's intensity scale. */
  scale: number;
}

export const CONTRASTS: Record<Sequence, SequenceContrast> = {
  t1c: {
    csf: [0.28, 0.4],
    gm: [0.76, 0.84],
    oedema: [0.62, 0.72],
    enhancing: [1.3, 1.65],
    necrotic: [0.25, 0.45],
    normalEnhancement: [0.8, 1.2],
    vessel: [0.8, 1.3],
    scale: 1,
  },
  flair: {
    csf: [0.1, 0.2],
    gm: [1.15, 1.3],
    oedema: [1.45, 1.75],
    enhancing: [1.25, 1.5],
    necrotic: [1.0, 1.7],
    normalEnhancement: [0, 0],
    // Flowing blood is dark on FLAIR: a negative weight darkens the vessel lumen.
    vessel: [-0.5, -0.3],
    scale: 0.8,
  },
};

export interface AppearanceInputs {
  dims: Vec3;
  spacing: Vec3;
  /** Warped template intensities and brain fraction. */
  t1: Float32Array;
  brain: Float32Array;
  levels: TissueLevels;
  /** Warped normal-enhancement template and the case's vessel map, 0..1. */
  normalEnhancement: Float32Array;
  vessels: Float32Array;
  csf: Float32Array;
  lesions: PlacedLesion[];
  maps: LesionMaps;
  /** Smooth zero-mean unit-SD fields shared by the case's channels: the bias field and a fine tissue texture. */
  biasField: Float32Array;
  texture: Float32Array;
}

/** The drawn levels, recorded in the case metadata. */
export interface DrawnContrast {
  csf: number;
  gm: number;
  oedema: number;
  normalEnhancement: number;
  vessel: number;
  lesions: { enhancing: number; necrotic: number }[];
}

export function drawContrast(rng: Rng, sequence: Sequence, lesionCount: number, scanner: ScannerParams): DrawnContrast {
  const c = CONTRASTS[sequence];
  const u = (r: [number, number]) => rng.uniform(r[0], r[1]);
  // The centre's contrast factor pulls CSF and grey matter towards white matter; its gain scales every enhancement.
  const flatten = (level: number) => 1 + (level - 1) * scanner.contrast;
  const enh = (level: number) => (sequence === 't1c' ? 1 + (level - 1) * scanner.enhancementGain : level);
  return {
    csf: flatten(u(c.csf)),
    gm: flatten(u(c.gm)),
    oedema: flatten(u(c.oedema)),
    normalEnhancement: u(c.normalEnhancement) * scanner.enhancementGain,
    vessel: u(c.vessel) * (sequence === 't1c' ? scanner.enhancementGain : 1),
    lesions: Array.from({ length: lesionCount }, () => ({ enhancing: enh(u(c.enhancing)), necrotic: u(c.necrotic) })),
  };
}

/** The image of one sequence in scanner units (rounded, 0 outside the brain), as int16. */
export function renderSequence(rng: Rng, inputs: AppearanceInputs, sequence: Sequence, contrast: DrawnContrast, scanner: ScannerParams): Int16Array {
  const { dims, spacing, t1, brain, levels, maps } = inputs;
  const n = t1.length;
  const s = new Float32Array(n);
  const gmSlope = (1 - contrast.gm) / (levels.wm - levels.gm);
  for (let v = 0; v < n; v++) {
    if (brain[v] <= 0) continue;
    const x = t1[v];
    // Piecewise-linear through (0, 0), (csf, C), (gm, G), (wm, 1), extrapolated above white matter.
    let sig: number;
    if (x <= levels.csf) sig = (contrast.csf * x) / levels.csf;
    else if (x <= levels.gm) sig = contrast.csf + ((contrast.gm - contrast.csf) * (x - levels.csf)) / (levels.gm - levels.csf);
    else sig = contrast.gm + gmSlope * (x - levels.gm);
    sig *= 1 + 0.03 * inputs.texture[v];
    sig += contrast.normalEnhancement * inputs.normalEnhancement[v] * (0.75 + 0.25 * inputs.texture[v]);
    sig += contrast.vessel * inputs.vessels[v] * (0.4 + 0.6 * inputs.csf[v]) * (sequence === 'flair' ? sig : 1);
    const tumour = maps.enhancing[v] + maps.necrotic[v];
    const oedema = maps.oedema[v] * (1 - tumour);
    if (oedema > 0) sig += oedema * (contrast.oedema * (1 + 0.05 * inputs.texture[v]) - sig);
    if (tumour > 0) {
      const lesion = contrast.lesions[maps.owner[v] - 1];
      const enhancing = lesion.enhancing * (1 + 0.1 * inputs.texture[v]);
      sig = sig * (1 - tumour) + maps.enhancing[v] * enhancing + maps.necrotic[v] * lesion.necrotic;
    }
    s[v] = sig * Math.min(1, brain[v]) * Math.exp(scanner.biasAmplitude * inputs.biasField[v]);
  }
  const sigmaXY = scanner.blurSigmaMm;
  gaussianBlur(s, dims, [sigmaXY / spacing[0], sigmaXY / spacing[1], 0]);
  const acquired = acquireSlices(rng, s, dims, scanner.sliceThicknessMm / spacing[2], scanner.noise);
  const out = new Int16Array(n);
  const scale = scanner.intensityScale * CONTRASTS[sequence].scale;
  for (let v = 0; v < n; v++) {
    if (brain[v] >= 0.5) out[v] = Math.min(32767, Math.round(acquired[v] * scale));
  }
  return out;
}

/**
 * Simulates slices `factor` grid steps thick: a box profile along z, sampled every `factor` steps, Rician noise
 * (magnitude of a complex signal with Gaussian noise in both channels) added to the acquired slices, and linear
 * interpolation back to the grid. With factor <= 1 the noise goes on every voxel.
 */
function acquireSlices(rng: Rng, s: Float32Array, dims: Vec3, factor: number, noise: number): Float32Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  const rician = (x: number) => Math.hypot(x + rng.normal(0, noise), rng.normal(0, noise));
  // Voxels without signal lie outside the brain, which the skull strip sets to 0 whatever the noise: skip them.
  if (factor <= 1) {
    for (let v = 0; v < s.length; v++) if (s[v] > 0) s[v] = rician(s[v]);
    return s;
  }
  boxBlurZ(s, dims, factor);
  const count = Math.floor((nz - 1) / factor) + 1;
  const phase = ((nz - 1) - (count - 1) * factor) / 2;
  const slices = new Float32Array(count * plane);
  for (let m = 0; m < count; m++) {
    const z = phase + m * factor;
    const k0 = Math.min(nz - 2, Math.floor(z));
    const f = z - k0;
    for (let p = 0; p < plane; p++) {
      const x = (1 - f) * s[k0 * plane + p] + f * s[(k0 + 1) * plane + p];
      slices[m * plane + p] = x > 0 ? rician(x) : 0;
    }
  }
  const out = new Float32Array(s.length);
  for (let k = 0; k < nz; k++) {
    const m = Math.max(0, Math.min(count - 1, (k - phase) / factor));
    const m0 = Math.min(count - 2, Math.floor(m));
    const f = count === 1 ? 0 : m - Math.max(0, m0);
    for (let p = 0; p < plane; p++) {
      out[k * plane + p] = count === 1 ? slices[p] : (1 - f) * slices[m0 * plane + p] + f * slices[(m0 + 1) * plane + p];
    }
  }
  return out;
}
