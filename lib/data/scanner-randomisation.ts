/**
 * Scanner randomisation of a training slice: what another hospital's scanner does to the same anatomy, drawn broadly
 * so that a model trained at one centre sees many scanners (issue 16). It works on the normalised (z-scored) slices
 * the dataset holds, one sample at a time, and, for the through-plane resolution, on the sample's neighbouring slices
 * of the stored case volume (`SliceNeighbours`, which lib/data/slice-dataset.ts provides): a thick slab is simulated
 * per sample from the case's own slices, so nothing is stored twice and every draw comes from the sample's own stream.
 *
 * The chain follows the acquisition, each step with its probability and range (defaults, and where each came from):
 * 1. low through-plane resolution (`lowResolution`, p 0.35, slice thickness uniform in [1.5, 7] mm): the slice is
 *    re-acquired as slabs `thickness` mm thick (a box profile over the neighbouring slices, at a random phase) and
 *    brought back to the grid by linear interpolation between the two slabs around it, what a 2D acquisition
 *    interpolated onto a fine grid shows. nnU-Net's SimulateLowResolutionTransform and MONAI's
 *    RandSimulateLowResolution do this in-plane and through-plane with zoom 0.5-1 (up to 2x coarser); SynthSeg
 *    randomises the acquired resolution up to 9 mm. 1.5 mm (the grid's own) to 7 mm spans clinical axial protocols
 *    (3D gradient-echo at 1 mm to 2D spin-echo at 5-7 mm). The mask is not changed: it stays the fine ground truth;
 * 2. in-plane blur (`blur`, p 0.3, Gaussian SD uniform in [0.25, 1.5] pixels): the point-spread function of a coarser
 *    acquired matrix; MONAI RandGaussianSmooth's default sigma range (0.25, 1.5);
 * 3. tissue contrast (`contrast`, p 0.35, factor log-uniform in [0.6, 1.5]): the signal below the white-matter
 *    reference (the slice's 85th percentile of brain signal) is scaled about it, as the centre profiles' `contrast`
 *    does (lib/synth/centres.ts): grey/white/CSF contrast on T1 varies by sequence and field strength (spin echo
 *    flatter than MPRAGE by about half: factors 0.6-1.5 about a typical one);
 * 4. enhancement gain (`enhancement`, p 0.35, log-uniform in [0.5, 1.5]): the signal above the white-matter reference
 *    is scaled about it: gadolinium dose (half to full dose, 0.05-0.1 mmol/kg) and scan delay change lesion
 *    enhancement by -50 % to +50 %;
 * 5. gamma (`gamma`, p 0.3, log-uniform in [0.7, 1.5], nnU-Net's GammaTransform range) on the signal scaled to its
 *    maximum;
 * 6. histogram shift (`histogramShift`, p 0.15, 5 to 10 control points): MONAI RandHistogramShift (default 10 points,
 *    p 0.1): a monotone piecewise-linear remap of the slice's signal range, the inner control points each drawn
 *    uniformly between its neighbours;
 * 7. bias field (`biasField`, p 0.35, coefficient magnitude up to 0.1): MONAI RandBiasField (degree 3, coefficients
 *    in (0, 0.1)): the signal times exp(a polynomial of degree 3 in the slice coordinates scaled to [-1, 1]), here
 *    with random signs so it darkens as often as it brightens; a coil's non-uniformity of 10-30 % (Sled et al. 1998);
 * 8. Rician noise (`noise`, p 0.35, SD uniform in [0, 0.3] z-units): the magnitude of the signal with Gaussian noise
 *    in both quadrature channels; nnU-Net's Gaussian-noise variance range (0, 0.1) on z-scored images, i.e. SD up to
 *    0.32, or up to about 6 % of white matter: 2D spin-echo T1 at SNR 15-50.
 * The steps that model signal (1-8) act on a magnitude image: the z-score plus ZERO_SIGNAL_Z (a brain image's mean
 * lies about 4 SDs above zero signal on T1: a coefficient of variation about 0.25), 0 outside the foreground, so slabs
 * and blur darken the brain's edge against the background as a scanner's do. Pixels outside the sample's own
 * foreground stay 0 (the skull strip). Last, each channel's foreground is brought back to its mean and SD before the
 * randomisation: the z-score that prepares every test case cancels a scanner's overall scale and offset, so the
 * network must see what is left after it, not the scale (an intensity scale is therefore not randomised here: the
 * z-score removes it; lib/data/augment.ts's intensity scale, shift and gamma still act after this chain).
 * Pointwise steps act after the slab average (the order of nonlinear steps and averaging differs only at partial
 * volumes). With 2.5D context each channel's slab is taken about its own slice with the sample's phase.
 */
import { ConfigError } from '../errors';
import type { Rng } from '../util/rng';
import { affineZooms } from '../volume/affine';
import type { Volume, VoxelArray } from '../volume/volume';

/** One transform: applied with `probability`, its parameter drawn from `range` [lo, hi]. */
export interface RandomisedTransform {
  probability: number;
  range: [number, number];
}

export interface ScannerRandomisationConfig {
  enabled: boolean;
  /** Simulated slice thickness, mm. */
  lowResolution: RandomisedTransform;
  /** In-plane Gaussian SD, pixels. */
  blur: RandomisedTransform;
  /** Factor on the signal below the white-matter reference. */
  contrast: RandomisedTransform;
  /** Factor on the signal above the white-matter reference. */
  enhancement: RandomisedTransform;
  gamma: RandomisedTransform;
  /** Number of control points (integers). */
  histogramShift: RandomisedTransform;
  /** Magnitude of each polynomial coefficient of the log bias field. */
  biasField: RandomisedTransform;
  /** Rician noise SD, z-units. */
  noise: RandomisedTransform;
}

export const SCANNER_TRANSFORMS = ['lowResolution', 'blur', 'contrast', 'enhancement', 'gamma', 'histogramShift', 'biasField', 'noise'] as const;
export type ScannerTransformName = (typeof SCANNER_TRANSFORMS)[number];

export const scannerRandomisationDefaults: ScannerRandomisationConfig = {
  enabled: true,
  lowResolution: { probability: 0.35, range: [1.5, 7] },
  blur: { probability: 0.3, range: [0.25, 1.5] },
  contrast: { probability: 0.35, range: [0.6, 1.5] },
  enhancement: { probability: 0.35, range: [0.5, 1.5] },
  gamma: { probability: 0.3, range: [0.7, 1.5] },
  histogramShift: { probability: 0.15, range: [5, 10] },
  biasField: { probability: 0.35, range: [0, 0.1] },
  noise: { probability: 0.35, range: [0, 0.3] },
};

/** What a user may give: any transform in part, or `false` for none. */
export type ScannerRandomisationInput = Partial<Omit<ScannerRandomisationConfig, ScannerTransformName>> & Partial<Record<ScannerTransformName, Partial<RandomisedTransform>>>;

/** A brain image's mean lies about this many SDs above zero signal (see the file comment). */
export const ZERO_SIGNAL_Z = 4;
/** The white-matter reference: this quantile of the slice's brain signal. */
export const WHITE_MATTER_QUANTILE = 0.85;

/** Lower limits of each range (an upper limit applies to the factors only through being positive). */
const LIMITS: Record<ScannerTransformName, { min: number; max: number; positive?: boolean; integer?: boolean }> = {
  lowResolution: { min: 0, max: 20, positive: true },
  blur: { min: 0, max: 10 },
  contrast: { min: 0, max: 10, positive: true },
  enhancement: { min: 0, max: 10, positive: true },
  gamma: { min: 0, max: 10, positive: true },
  histogramShift: { min: 3, max: 64, integer: true },
  biasField: { min: 0, max: 1 },
  noise: { min: 0, max: 5 },
};

export function resolveScannerRandomisation(input: ScannerRandomisationInput | false = {}): ScannerRandomisationConfig {
  if (input === false) return { ...scannerRandomisationDefaults, enabled: false };
  const known = new Set<string>(['enabled', ...SCANNER_TRANSFORMS]);
  for (const key of Object.keys(input)) if (!known.has(key)) throw new ConfigError(`augment.scanner: unknown field '${key}' (known: ${[...known].join(', ')})`);
  const c = { enabled: input.enabled ?? scannerRandomisationDefaults.enabled } as ScannerRandomisationConfig;
  for (const name of SCANNER_TRANSFORMS) {
    const t = { ...scannerRandomisationDefaults[name], ...(input[name] ?? {}) };
    const lim = LIMITS[name];
    if (!(t.probability >= 0 && t.probability <= 1)) throw new ConfigError(`augment.scanner.${name}.probability must be in [0, 1], got ${t.probability}`);
    const [lo, hi] = t.range ?? [];
    const ok = Array.isArray(t.range) && t.range.length === 2 && lo <= hi && lo >= lim.min && hi <= lim.max && (!lim.positive || lo > 0) && (!lim.integer || (Number.isInteger(lo) && Number.isInteger(hi)));
    if (!ok) {
      throw new ConfigError(
        `augment.scanner.${name}.range must be [lo, hi] with ${lim.min}${lim.positive ? ' <' : ' <='} lo <= hi <= ${lim.max}${lim.integer ? ', integers' : ''}, got ${JSON.stringify(t.range)}`,
      );
    }
    c[name] = { probability: t.probability, range: [lo, hi] };
  }
  return c;
}

/** The slices around a sample's, as the stored case gives them, for the through-plane steps. */
export interface SliceNeighbours {
  /** The sample's slice offset by `offset` (clamped to the volume), channels-last [H, W, C] like the sample. */
  at(offset: number): Float32Array;
  /** Slice spacing of the case's model grid, mm. */
  sliceMm: number;
}

interface Drawn {
  apply: Record<ScannerTransformName, boolean>;
  thickness: number;
  phase: number;
  blur: number;
  contrast: number;
  enhancement: number;
  gamma: number;
  controlPoints: number;
  controlRng: Rng;
  bias: number[];
  noiseSd: number;
  noiseRng: Rng;
}

const logUniform = (rng: Rng, [lo, hi]: [number, number]) => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));

/** Degree-3 polynomial terms x^i y^j, i + j <= 3 (10 terms, as MONAI's RandBiasField in 2D). */
const BIAS_TERMS: Array<[number, number]> = [];
for (let i = 0; i <= 3; i++) for (let j = 0; j <= 3 - i; j++) BIAS_TERMS.push([i, j]);

function draw(rng: Rng, c: ScannerRandomisationConfig): Drawn {
  // A fixed number of draws per sample whatever the outcome; the histogram's control points and the noise draw from
  // their own streams.
  const apply = {} as Record<ScannerTransformName, boolean>;
  for (const name of SCANNER_TRANSFORMS) apply[name] = rng.bernoulli(c[name].probability);
  const thickness = rng.uniform(c.lowResolution.range[0], c.lowResolution.range[1]);
  const phase = rng.uniform(0, 1);
  const blur = rng.uniform(c.blur.range[0], c.blur.range[1]);
  const contrast = logUniform(rng, c.contrast.range);
  const enhancement = logUniform(rng, c.enhancement.range);
  const gamma = logUniform(rng, c.gamma.range);
  const controlPoints = rng.int(c.histogramShift.range[0], c.histogramShift.range[1]);
  const magnitude = rng.uniform(c.biasField.range[0], c.biasField.range[1]);
  const bias = BIAS_TERMS.map(() => rng.uniform(-magnitude, magnitude));
  const noiseSd = rng.uniform(c.noise.range[0], c.noise.range[1]);
  return { apply, thickness, phase, blur, contrast, enhancement, gamma, controlPoints, controlRng: rng.fork('histogram'), bias, noiseSd, noiseRng: rng.fork('noise') };
}

/** Box-profile weights of grid slices (offsets) for one slab of `f` slices centred at `z` (in slices). */
function slabWeights(z: number, f: number): Map<number, number> {
  const w = new Map<number, number>();
  const a = z - f / 2;
  const b = z + f / 2;
  for (let j = Math.floor(a + 0.5); j <= Math.ceil(b - 0.5); j++) {
    const overlap = Math.min(b, j + 0.5) - Math.max(a, j - 0.5);
    if (overlap > 0) w.set(j, (w.get(j) ?? 0) + overlap / f);
  }
  return w;
}

/**
 * Weights over neighbour offsets that give slice 0 as acquired in slabs `f` slices thick, slab centres at
 * (phase + m) f, linearly interpolated back.
 */
export function lowResolutionWeights(f: number, phase: number): Map<number, number> {
  const za = -phase * f;
  const zb = za + f;
  const t = -za / f;
  const out = new Map<number, number>();
  for (const [z, share] of [
    [za, 1 - t],
    [zb, t],
  ] as const) {
    if (share === 0) continue;
    for (const [j, w] of slabWeights(z, f)) out.set(j, (out.get(j) ?? 0) + share * w);
  }
  return out;
}

function toMagnitude(x: Float32Array): Float32Array {
  const s = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) s[i] = x[i] !== 0 ? x[i] + ZERO_SIGNAL_Z : 0;
  return s;
}

function gaussianBlur2d(s: Float32Array, H: number, W: number, C: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const kernel = k.map((v) => v / sum);
  return blurAxis(blurAxis(s, H, W, C, kernel, 'x'), H, W, C, kernel, 'y');
}

/** One pass of a separable blur along x or y, zero outside the slice. */
function blurAxis(s: Float32Array, H: number, W: number, C: number, kernel: number[], axis: 'x' | 'y'): Float32Array {
  const r = (kernel.length - 1) / 2;
  const out = new Float32Array(s.length);
  const [n, step] = axis === 'x' ? [W, C] : [H, W * C];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const pos = axis === 'x' ? x : y;
      for (let ch = 0; ch < C; ch++) {
        const o = (y * W + x) * C + ch;
        let v = 0;
        for (let d = Math.max(-r, -pos); d <= Math.min(r, n - 1 - pos); d++) v += kernel[d + r] * s[o + d * step];
        out[o] = v;
      }
    }
  return out;
}

function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** The values of channel `ch` where `inside` is set, sorted. */
function channelValues(s: Float32Array, inside: Float32Array, C: number, ch: number): Float32Array {
  const vals: number[] = [];
  for (let i = ch; i < s.length; i += C) if (inside[i] !== 0) vals.push(s[i]);
  return Float32Array.from(vals).sort();
}

/** The per-channel foreground mean and SD of a z-scored slice (0 outside the foreground). */
function foregroundStats(x: Float32Array, inside: Float32Array, C: number): Array<{ mean: number; sd: number }> {
  return Array.from({ length: C }, (_, ch) => {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let i = ch; i < x.length; i += C) {
      if (inside[i] === 0) continue;
      n++;
      sum += x[i];
      sq += x[i] * x[i];
    }
    const mean = n > 0 ? sum / n : 0;
    return { mean, sd: n > 1 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0 };
  });
}

/**
 * The sample's image after a drawn scanner (see the file comment); the input is not modified. Without `neighbours`
 * the low through-plane resolution is skipped (its draws still happen). `restandardise: false` (for tests of each
 * step's physics) leaves out the last step.
 */
export function randomiseScanner(
  image: Float32Array,
  shape: { height: number; width: number; channels: number },
  rng: Rng,
  config: ScannerRandomisationConfig,
  neighbours?: SliceNeighbours,
  options: { restandardise?: boolean } = {},
): Float32Array {
  if (!config.enabled) return image;
  const { height: H, width: W, channels: C } = shape;
  const d = draw(rng, config);
  const before = foregroundStats(image, image, C);
  let s = toMagnitude(image);
  if (d.apply.lowResolution && neighbours) {
    const f = d.thickness / neighbours.sliceMm;
    if (f > 1) {
      const acc = new Float32Array(s.length);
      for (const [offset, w] of lowResolutionWeights(f, d.phase)) {
        const slice = offset === 0 ? s : toMagnitude(neighbours.at(offset));
        for (let i = 0; i < acc.length; i++) acc[i] += w * slice[i];
      }
      s = acc;
    }
  }
  if (d.apply.blur && d.blur > 0) s = gaussianBlur2d(s, H, W, C, d.blur);
  const refs = Array.from({ length: C }, (_, ch) => quantile(channelValues(s, image, C, ch), WHITE_MATTER_QUANTILE));
  if (d.apply.contrast || d.apply.enhancement) {
    for (let i = 0; i < s.length; i++) {
      if (image[i] === 0) continue;
      const ref = refs[i % C];
      if (s[i] < ref && d.apply.contrast) s[i] = Math.max(0, ref + d.contrast * (s[i] - ref));
      else if (s[i] > ref && d.apply.enhancement) s[i] = ref + d.enhancement * (s[i] - ref);
    }
  }
  if (d.apply.gamma) {
    for (let ch = 0; ch < C; ch++) {
      let max = 0;
      for (let i = ch; i < s.length; i += C) if (image[i] !== 0 && s[i] > max) max = s[i];
      if (max > 0) for (let i = ch; i < s.length; i += C) if (image[i] !== 0 && s[i] > 0) s[i] = max * (s[i] / max) ** d.gamma;
    }
  }
  if (d.apply.histogramShift) {
    const n = d.controlPoints;
    const ys = Array.from({ length: n }, (_, i) => i / (n - 1));
    for (let i = 1; i < n - 1; i++) ys[i] = d.controlRng.uniform(ys[i - 1], ys[i + 1]);
    for (let ch = 0; ch < C; ch++) {
      const vals = channelValues(s, image, C, ch);
      const lo = vals[0] ?? 0;
      const hi = vals[vals.length - 1] ?? 0;
      if (!(hi > lo)) continue;
      for (let i = ch; i < s.length; i += C) {
        if (image[i] === 0) continue;
        const u = Math.min(1, Math.max(0, (s[i] - lo) / (hi - lo))) * (n - 1);
        const k = Math.min(n - 2, Math.floor(u));
        s[i] = lo + (hi - lo) * (ys[k] + (u - k) * (ys[k + 1] - ys[k]));
      }
    }
  }
  if (d.apply.biasField) {
    for (let y = 0; y < H; y++) {
      const v = H > 1 ? (2 * y) / (H - 1) - 1 : 0;
      for (let x = 0; x < W; x++) {
        const u = W > 1 ? (2 * x) / (W - 1) - 1 : 0;
        let log = 0;
        BIAS_TERMS.forEach(([i, j], t) => (log += d.bias[t] * u ** i * v ** j));
        const b = Math.exp(log);
        for (let ch = 0; ch < C; ch++) s[(y * W + x) * C + ch] *= b;
      }
    }
  }
  if (d.apply.noise) {
    const sd = d.noiseSd;
    const noise = d.noiseRng;
    if (sd > 0) for (let i = 0; i < s.length; i++) if (image[i] !== 0) s[i] = Math.hypot(s[i] + noise.normal(0, sd), noise.normal(0, sd));
  }
  // Back to z-units inside the sample's foreground, then each channel to its foreground mean and SD before.
  const out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = image[i] !== 0 ? s[i] - ZERO_SIGNAL_Z : 0;
  if (options.restandardise === false) return out;
  const after = foregroundStats(out, image, C);
  for (let ch = 0; ch < C; ch++) {
    const a = after[ch];
    const b = before[ch];
    if (!(a.sd > 0)) continue;
    const k = b.sd / a.sd;
    for (let i = ch; i < out.length; i += C) if (image[i] !== 0) out[i] = b.mean + k * (out[i] - a.mean);
  }
  return out;
}

/**
 * A whole image re-acquired in slabs `thicknessMm` thick along its axial axis (the voxel axis closest to world z),
 * slab centres at (phase + m) x thickness from the first slice, linearly interpolated back onto its own grid: the
 * through-plane step of `randomiseScanner` on a stored image (raw signal, 0 outside the head; voxels at 0 stay 0).
 * The patient model's lesion screen is fitted on such copies too (lib/patient/fit.ts).
 */
export function simulateThickSlices(volume: Volume<VoxelArray>, thicknessMm: number, phase: number): Volume<Float32Array> {
  const zooms = affineZooms(volume.affine);
  const axis = [0, 1, 2].reduce((best, a) => (Math.abs(volume.affine[2][a]) / zooms[a] > Math.abs(volume.affine[2][best]) / zooms[best] ? a : best), 2);
  const data = Float32Array.from(volume.data);
  const f = thicknessMm / zooms[axis];
  const out: Volume<Float32Array> = { ...volume, data };
  if (!(f > 1)) return out;
  const [nx, ny, nz] = volume.dims;
  const n = volume.dims[axis];
  const stride = [1, nx, nx * ny][axis];
  const rows = (nx * ny * nz) / n;
  // Each voxel index with coordinate 0 along the axis, i.e. the start of one row along it.
  const starts = new Int32Array(rows);
  let r = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if ([i, j, k][axis] === 0) starts[r++] = i + nx * (j + ny * k);
  const weights = Array.from({ length: n }, (_, k) => {
    const m = Math.floor(k / f - phase);
    return [...lowResolutionWeights(f, k / f - phase - m)].map(([offset, w]) => [Math.min(n - 1, Math.max(0, k + offset)), w] as const);
  });
  const src = volume.data;
  for (const start of starts) {
    for (let k = 0; k < n; k++) {
      const v = start + k * stride;
      if (src[v] === 0) continue;
      let acc = 0;
      for (const [kk, w] of weights[k]) acc += w * src[start + kk * stride];
      data[v] = acc;
    }
  }
  return out;
}
