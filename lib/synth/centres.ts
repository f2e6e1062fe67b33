import type { Rng } from '../util/rng';

/**
 * Scanner characteristics of the two simulated centres. "internal" stands for the development site: a 3D
 * post-contrast sequence with thin slices, good SNR and a mild bias field. "external" stands for an outside hospital:
 * a different vendor scale, lower grey/white contrast, a weaker contrast dose or earlier timing, more noise, a stronger
 * bias field and thick 2D slices, which blur along z and hide the smallest lesions. Each case draws its own scanner
 * values from its centre's ranges, so cases within a centre also differ.
 */
export type CentreName = 'internal' | 'external';
export const CENTRE_NAMES: CentreName[] = ['internal', 'external'];

/** A range [lo, hi] drawn uniformly. */
export type Range = [number, number];

export interface CentreProfile {
  /** White-matter intensity of the stored image (arbitrary scanner units). */
  intensityScale: Range;
  /** Multiplies the grey/white (and CSF) contrast of the tissue model; < 1 flattens it. */
  contrast: Range;
  /** Multiplies every enhancement (contrast dose and timing). */
  enhancementGain: Range;
  /** Rician noise SD as a fraction of white-matter signal. */
  noise: Range;
  /** SD of the log bias field. */
  biasAmplitude: Range;
  /** Acquired slice thickness along z, mm. */
  sliceThicknessMm: Range;
  /** In-plane point-spread-function SD, mm. */
  blurSigmaMm: Range;
}

export const CENTRES: Record<CentreName, CentreProfile> = {
  internal: {
    intensityScale: [900, 1100],
    contrast: [0.95, 1.05],
    enhancementGain: [0.9, 1.1],
    noise: [0.02, 0.035],
    biasAmplitude: [0.04, 0.1],
    sliceThicknessMm: [1, 1.5],
    blurSigmaMm: [0.3, 0.5],
  },
  external: {
    intensityScale: [450, 700],
    contrast: [0.7, 0.9],
    enhancementGain: [0.7, 0.95],
    noise: [0.035, 0.06],
    biasAmplitude: [0.1, 0.22],
    sliceThicknessMm: [3, 5],
    blurSigmaMm: [0.5, 0.8],
  },
};

/** One case's drawn scanner. */
export type ScannerParams = { [K in keyof CentreProfile]: number };

/** One case's scanner drawn from a built-in centre's ranges, or from a (checked) user profile's. */
export function drawScanner(rng: Rng, centre: CentreName | CentreProfile): ScannerParams {
  const profile = typeof centre === 'string' ? CENTRES[centre] : centre;
  const out = {} as ScannerParams;
  for (const key of Object.keys(profile) as (keyof CentreProfile)[]) out[key] = rng.uniform(profile[key][0], profile[key][1]);
  return out;
}
