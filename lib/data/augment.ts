/**
 * Seeded 2D augmentation of one training slice (channels-last [H, W, C] image, [H, W] mask):
 * - spatial (with probability `spatialProbability`): a left-right flip (probability `flipX`; up-down `flipY`, off by
 *   default because brains are not up-down symmetric in the axial plane), a rotation uniform in +-rotationDeg and an
 *   isotropic scaling uniform in `scale`, all about the slice centre. One inverse map is computed per output pixel and
 *   used for both: bilinear for the image, nearest for the mask, so the two stay aligned and the mask stays binary.
 *   Outside the input the image is 0 (the normalised background) and the mask 0;
 * - intensity, each with probability `probability`, on every channel alike: x a + b with a ~ N(1, intensityScale),
 *   b ~ N(0, intensityShift); gamma x -> lo + (hi - lo) ((x - lo) / (hi - lo))^g over the slice's range [lo, hi] with
 *   log g uniform in [log gamma[0], log gamma[1]]; Gaussian noise with SD uniform in [0, noiseSd].
 * The default ranges are moderate versions of the usual nnU-Net-style settings; every one is a config field.
 * Before both, the scanner randomisation of lib/data/scanner-randomisation.ts (`scanner`, on by default; `scanner:
 * false` or `{ enabled: false }` turns it off and gives exactly the augmentation without it): it draws from the
 * sample's stream forked as 'scanner', so the spatial and intensity draws are the same with it and without it.
 */
import { ConfigError } from '../errors';
import type { Rng } from '../util/rng';
import {
  randomiseScanner,
  resolveScannerRandomisation,
  scannerRandomisationDefaults,
  type ScannerRandomisationConfig,
  type ScannerRandomisationInput,
  type SliceNeighbours,
} from './scanner-randomisation';

export interface AugmentConfig {
  enabled: boolean;
  spatialProbability: number;
  flipX: number;
  flipY: number;
  rotationDeg: number;
  scale: [number, number];
  /** Probability of each intensity transform. */
  probability: number;
  intensityScale: number;
  intensityShift: number;
  gamma: [number, number];
  noiseSd: number;
  /** Scanner randomisation (lib/data/scanner-randomisation.ts). */
  scanner: ScannerRandomisationConfig;
}

/** An augmentation config in part: `scanner` may itself be partial, or `false` for none. */
export type AugmentConfigInput = Partial<Omit<AugmentConfig, 'scanner'>> & { scanner?: ScannerRandomisationInput | false };

export const augmentDefaults: AugmentConfig = {
  enabled: true,
  spatialProbability: 0.5,
  flipX: 0.5,
  flipY: 0,
  rotationDeg: 10,
  scale: [0.9, 1.1],
  probability: 0.3,
  intensityScale: 0.1,
  intensityShift: 0.1,
  gamma: [0.8, 1.25],
  noiseSd: 0.05,
  scanner: scannerRandomisationDefaults,
};

export function resolveAugmentConfig(input: AugmentConfigInput = {}): AugmentConfig {
  const c: AugmentConfig = { ...augmentDefaults, ...input, scanner: resolveScannerRandomisation(input.scanner ?? {}) };
  const prob = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new ConfigError(`augment: ${name} must be a probability in [0, 1], got ${v}`);
  };
  prob('spatialProbability', c.spatialProbability);
  prob('flipX', c.flipX);
  prob('flipY', c.flipY);
  prob('probability', c.probability);
  if (!(c.rotationDeg >= 0 && c.rotationDeg <= 180)) throw new ConfigError(`augment: rotationDeg must be in [0, 180], got ${c.rotationDeg}`);
  if (!(c.scale[0] > 0 && c.scale[0] <= c.scale[1])) throw new ConfigError(`augment: scale range [${c.scale}] must be positive and ordered`);
  if (!(c.gamma[0] > 0 && c.gamma[0] <= c.gamma[1])) throw new ConfigError(`augment: gamma range [${c.gamma}] must be positive and ordered`);
  for (const [name, v] of [['intensityScale', c.intensityScale], ['intensityShift', c.intensityShift], ['noiseSd', c.noiseSd]] as const) {
    if (!(v >= 0)) throw new ConfigError(`augment: ${name} must be >= 0, got ${v}`);
  }
  return c;
}

/** One training sample: image [H, W, C] channels-last, optional mask [H, W] in {0, 1}. */
export interface SliceSample {
  image: Float32Array;
  mask: Uint8Array | null;
  height: number;
  width: number;
  channels: number;
}

/** The drawn spatial transform: output pixel -> input position is centre + A (p - centre). */
interface SpatialMap {
  a: [number, number, number, number];
}

function drawSpatial(rng: Rng, c: AugmentConfig): SpatialMap | null {
  // Every draw happens whatever the outcome, so the number of draws per sample is fixed.
  const apply = rng.bernoulli(c.spatialProbability);
  const fx = rng.bernoulli(c.flipX) ? -1 : 1;
  const fy = rng.bernoulli(c.flipY) ? -1 : 1;
  const theta = (rng.uniform(-c.rotationDeg, c.rotationDeg) * Math.PI) / 180;
  const s = rng.uniform(c.scale[0], c.scale[1]);
  if (!apply) return null;
  // Inverse of (flip, then rotate by theta, then scale by s): flip . R(-theta) / s, acting on [x, y].
  const cos = Math.cos(theta) / s;
  const sin = Math.sin(theta) / s;
  return { a: [fx * cos, fx * sin, -fy * sin, fy * cos] };
}

function warp(sample: SliceSample, map: SpatialMap): SliceSample {
  const { image, mask, height: H, width: W, channels: C } = sample;
  const [a00, a01, a10, a11] = map.a;
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  const outImage = new Float32Array(image.length);
  const outMask = mask ? new Uint8Array(mask.length) : null;
  for (let r = 0; r < H; r++) {
    const y = r - cy;
    for (let c = 0; c < W; c++) {
      const x = c - cx;
      const sx = cx + a00 * x + a01 * y;
      const sy = cy + a10 * x + a11 * y;
      const o = r * W + c;
      if (outMask) {
        const nr = Math.round(sy);
        const nc = Math.round(sx);
        if (nr >= 0 && nr < H && nc >= 0 && nc < W) outMask[o] = mask![nr * W + nc];
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const tx = sx - x0;
      const ty = sy - y0;
      for (let k = 0; k < C; k++) {
        let v = 0;
        for (let dy = 0; dy <= 1; dy++) {
          const yy = y0 + dy;
          if (yy < 0 || yy >= H) continue;
          const wy = dy ? ty : 1 - ty;
          for (let dx = 0; dx <= 1; dx++) {
            const xx = x0 + dx;
            if (xx < 0 || xx >= W) continue;
            v += wy * (dx ? tx : 1 - tx) * image[(yy * W + xx) * C + k];
          }
        }
        outImage[o * C + k] = v;
      }
    }
  }
  return { ...sample, image: outImage, mask: outMask };
}

function intensity(image: Float32Array, rng: Rng, c: AugmentConfig): Float32Array {
  const doScale = rng.bernoulli(c.probability);
  const a = rng.normal(1, c.intensityScale);
  const b = rng.normal(0, c.intensityShift);
  const doGamma = rng.bernoulli(c.probability);
  const g = Math.exp(rng.uniform(Math.log(c.gamma[0]), Math.log(c.gamma[1])));
  const doNoise = rng.bernoulli(c.probability);
  const sd = rng.uniform(0, c.noiseSd);
  const out = Float32Array.from(image);
  if (doScale) for (let i = 0; i < out.length; i++) out[i] = out[i] * a + b;
  if (doGamma) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < out.length; i++) {
      if (out[i] < lo) lo = out[i];
      if (out[i] > hi) hi = out[i];
    }
    if (hi > lo) for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * ((out[i] - lo) / (hi - lo)) ** g;
  }
  if (doNoise && sd > 0) for (let i = 0; i < out.length; i++) out[i] += rng.normal(0, sd);
  return out;
}

/**
 * An augmented copy of `sample` (the input is not modified). `neighbours` (the sample's neighbouring slices) lets the
 * scanner randomisation simulate thick slices; without them that one step is skipped.
 */
export function augmentSlice(sample: SliceSample, rng: Rng, config: AugmentConfig, neighbours?: SliceNeighbours): SliceSample {
  if (!config.enabled) return sample;
  if (sample.image.length !== sample.height * sample.width * sample.channels) {
    throw new ConfigError(`augment: image has ${sample.image.length} values, expected ${sample.height}x${sample.width}x${sample.channels}`);
  }
  if (config.scanner?.enabled) sample = { ...sample, image: randomiseScanner(sample.image, sample, rng.fork('scanner'), config.scanner, neighbours) };
  const map = drawSpatial(rng, config);
  const warped = map ? warp(sample, map) : sample;
  return { ...warped, image: intensity(warped.image, rng, config) };
}
