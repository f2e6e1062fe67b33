import { strict as assert } from 'node:assert';
import { augmentSlice, resolveAugmentConfig, type AugmentConfig, type SliceSample } from '../../lib/data/augment';
import {
  SCANNER_TRANSFORMS,
  ZERO_SIGNAL_Z,
  lowResolutionWeights,
  randomiseScanner,
  resolveScannerRandomisation,
  type ScannerRandomisationConfig,
  type ScannerTransformName,
  type SliceNeighbours,
} from '../../lib/data/scanner-randomisation';
import { ConfigError } from '../../lib/errors';
import { simulateThickSlices } from '../../lib/data/scanner-randomisation';
import { Rng } from '../../lib/util/rng';

const H = 24;
const W = 24;
const shape = { height: H, width: W, channels: 1 };

/** Only `name`, always, with its parameter fixed at `value`. */
function only(name: ScannerTransformName, value: number): ScannerRandomisationConfig {
  const input: Record<string, unknown> = { enabled: true };
  for (const t of SCANNER_TRANSFORMS) input[t] = { probability: 0 };
  input[name] = { probability: 1, range: [value, value] };
  return resolveScannerRandomisation(input);
}

const filled = (f: (i: number) => number) => Float32Array.from({ length: H * W }, (_, i) => f(i));
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
const sd = (a: ArrayLike<number>) => {
  const m = mean(a);
  return Math.sqrt(Array.from(a).reduce((x, y) => x + (y - m) ** 2, 0) / a.length);
};

function sample(seed = 3): SliceSample {
  const rng = new Rng(seed);
  const image = new Float32Array(32 * 32 * 2);
  const mask = new Uint8Array(32 * 32);
  for (let r = 0; r < 32; r++)
    for (let c = 0; c < 32; c++) {
      const inside = (r - 16) ** 2 + (c - 16) ** 2 < 13 ** 2;
      if (!inside) continue;
      const lesion = (r - 12) ** 2 + (c - 18) ** 2 < 9;
      mask[r * 32 + c] = lesion ? 1 : 0;
      image[(r * 32 + c) * 2] = (lesion ? 2.5 : c / 32 - 0.5) + rng.normal(0, 0.1);
      image[(r * 32 + c) * 2 + 1] = r / 32 - 0.5 + rng.normal(0, 0.1);
    }
  return { image, mask, height: 32, width: 32, channels: 2 };
}

/** Neighbouring slices of a volume whose slice k (offset from the sample's) holds value(k) everywhere inside. */
function neighbours(value: (k: number) => number, length = H * W, sliceMm = 1.5): SliceNeighbours {
  return { at: (k) => Float32Array.from({ length }, () => value(k)), sliceMm };
}

describe('scanner randomisation', () => {
  it('the off switch gives the augmentation without it, bit for bit, and leaves its draws alone', () => {
    const base = resolveAugmentConfig({ spatialProbability: 1, probability: 1 });
    const off = resolveAugmentConfig({ spatialProbability: 1, probability: 1, scanner: false });
    const offToo = resolveAugmentConfig({ spatialProbability: 1, probability: 1, scanner: { enabled: false } });
    const old = { ...off, scanner: undefined } as unknown as AugmentConfig;
    for (let seed = 0; seed < 5; seed++) {
      const a = augmentSlice(sample(), new Rng(seed), off);
      assert.deepEqual(a, augmentSlice(sample(), new Rng(seed), old));
      assert.deepEqual(a, augmentSlice(sample(), new Rng(seed), offToo));
      const on = augmentSlice(sample(), new Rng(seed), base);
      assert.deepEqual(on.mask, a.mask, 'the spatial draws are the same with the scanner on');
    }
    assert.equal(base.scanner.enabled, true, 'on by default');
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const c = resolveScannerRandomisation({});
    const all = resolveScannerRandomisation(Object.fromEntries(SCANNER_TRANSFORMS.map((t) => [t, { probability: 1 }])));
    const n = neighbours((k) => 0.1 * k + 0.05, 32 * 32 * 2);
    const s = sample();
    const a = randomiseScanner(s.image, s, new Rng(7), all, n);
    assert.deepEqual(a, randomiseScanner(s.image, s, new Rng(7), all, n));
    assert.notDeepEqual(a, randomiseScanner(s.image, s, new Rng(8), all, n));
    assert.deepEqual(randomiseScanner(s.image, s, new Rng(1), c), randomiseScanner(s.image, s, new Rng(1), c));
  });

  it('keeps the background at 0 and each channel at its foreground mean and SD', () => {
    const all = resolveScannerRandomisation(Object.fromEntries(SCANNER_TRANSFORMS.map((t) => [t, { probability: 1 }])));
    const s = sample();
    for (let seed = 0; seed < 5; seed++) {
      const out = randomiseScanner(s.image, s, new Rng(seed), all, neighbours((k) => (k === 0 ? 0.1 : 0.3), 32 * 32 * 2));
      assert.ok(out.every(Number.isFinite));
      for (let ch = 0; ch < 2; ch++) {
        const before: number[] = [];
        const after: number[] = [];
        for (let i = ch; i < out.length; i += 2) {
          if (s.image[i] === 0) assert.equal(out[i], 0);
          else {
            before.push(s.image[i]);
            after.push(out[i]);
          }
        }
        assert.ok(Math.abs(mean(after) - mean(before)) < 1e-4);
        assert.ok(Math.abs(sd(after) - sd(before)) < 1e-4);
        assert.ok(Math.max(...after.map((v, i) => Math.abs(v - before[i]))) > 1e-3, 'and changes the image');
      }
    }
  });

  it('thick slabs: weights sum to 1 within 1.5 slab widths, keep a linear profile and spread a thin sheet', () => {
    for (const f of [1.5, 2, 3.3, 4.7]) {
      for (const phase of [0, 0.25, 0.5, 0.9]) {
        const w = lowResolutionWeights(f, phase);
        const total = [...w.values()].reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 1) < 1e-12);
        for (const [k, v] of w) {
          assert.ok(v >= 0 && Math.abs(k) <= Math.ceil(1.5 * f) + 1);
        }
        const centroid = [...w].reduce((a, [k, v]) => a + k * v, 0);
        assert.ok(Math.abs(centroid) < 0.05, `a linear profile is kept (f ${f}, phase ${phase}): centroid ${centroid}`);
      }
    }
    const thick = only('lowResolution', 6);
    // Grid slices are constant boxes, so a linear profile is kept up to the staircase's error (under 0.05 slices).
    const linear = randomiseScanner(filled(() => 1), shape, new Rng(1), thick, neighbours((k) => 1 + 0.1 * k), { restandardise: false });
    for (const v of linear) assert.ok(Math.abs(v - 1) < 0.005, `${v}`);
    // A sheet one slice thick (2 above its surround) keeps at most 1/f of its contrast, f = 6 / 1.5.
    const sheet = randomiseScanner(filled(() => 1), shape, new Rng(1), thick, neighbours((k) => (k === 0 ? 1 : -1)), { restandardise: false });
    assert.ok(sheet[0] < -1 + 2 / 4 + 1e-6 && sheet[0] > -1, `${sheet[0]}`);
    const thin = randomiseScanner(filled(() => 1), shape, new Rng(1), only('lowResolution', 1.5), neighbours((k) => (k === 0 ? 1 : -1)), { restandardise: false });
    for (const v of thin) assert.equal(v, 1, 'a slab no thicker than the grid changes nothing');
  });

  it('blur: a Gaussian of the drawn SD that keeps the signal', () => {
    const image = filled(() => 1);
    const flat = randomiseScanner(image, shape, new Rng(1), only('blur', 1.2), undefined, { restandardise: false });
    image[12 * W + 12] = 1 + 100;
    const out = randomiseScanner(image, shape, new Rng(1), only('blur', 1.2), undefined, { restandardise: false });
    let sum = 0;
    let second = 0;
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        const excess = out[r * W + c] - flat[r * W + c];
        sum += excess;
        second += excess * (c - 12) ** 2;
      }
    assert.ok(Math.abs(sum - 100) < 0.1, `${sum}`);
    assert.ok(Math.abs(Math.sqrt(second / sum) - 1.2) < 0.05, `${Math.sqrt(second / sum)}`);
  });

  it('tissue contrast scales the signal below the white-matter reference, enhancement the signal above it', () => {
    // Magnitudes: 60 % at 3 (z -1), 30 % at 4.5 (z 0.5, the 85th percentile), 10 % at 6 (z 2).
    const image = filled((i) => (i % 10 < 6 ? -1 : i % 10 < 9 ? 0.5 : 2));
    const flat = randomiseScanner(image, shape, new Rng(1), only('contrast', 0.5), undefined, { restandardise: false });
    const gain = randomiseScanner(image, shape, new Rng(1), only('enhancement', 1.5), undefined, { restandardise: false });
    for (let i = 0; i < image.length; i++) {
      const expectFlat = image[i] === -1 ? -0.25 : image[i];
      const expectGain = image[i] === 2 ? 2.75 : image[i];
      assert.ok(Math.abs(flat[i] - expectFlat) < 1e-5 && Math.abs(gain[i] - expectGain) < 1e-5, `${image[i]}: ${flat[i]}, ${gain[i]}`);
    }
  });

  it('gamma is a power of the signal over its maximum; the histogram shift is monotone with fixed ends', () => {
    const image = filled((i) => (i % 50) / 25 - 0.99);
    const g = randomiseScanner(image, shape, new Rng(1), only('gamma', 1.4), undefined, { restandardise: false });
    const max = Math.max(...image) + ZERO_SIGNAL_Z;
    for (let i = 0; i < image.length; i++) assert.ok(Math.abs(g[i] + ZERO_SIGNAL_Z - max * ((image[i] + ZERO_SIGNAL_Z) / max) ** 1.4) < 1e-4);
    const h = randomiseScanner(image, shape, new Rng(2), only('histogramShift', 6), undefined, { restandardise: false });
    const order = Array.from(image.keys()).sort((a, b) => image[a] - image[b]);
    for (let k = 1; k < order.length; k++) assert.ok(h[order[k]] >= h[order[k - 1]] - 1e-6);
    assert.ok(Math.abs(h[order[0]] - image[order[0]]) < 1e-5 && Math.abs(h[order[order.length - 1]] - image[order[order.length - 1]]) < 1e-5);
    assert.ok(Array.from(h).some((v, i) => Math.abs(v - image[i]) > 1e-3));
  });

  it('bias field: smooth, multiplicative, within exp(+-10 x the coefficient bound)', () => {
    const image = filled(() => 0);
    image.fill(0.5);
    const out = randomiseScanner(image, shape, new Rng(4), only('biasField', 0.1), undefined, { restandardise: false });
    const log = Array.from(out, (v) => Math.log((v + ZERO_SIGNAL_Z) / (0.5 + ZERO_SIGNAL_Z)));
    assert.ok(log.every((v) => Math.abs(v) <= 1 + 1e-6));
    assert.ok(sd(log) > 0.005, 'not constant');
    for (let r = 0; r < H; r++) for (let c = 1; c < W; c++) assert.ok(Math.abs(log[r * W + c] - log[r * W + c - 1]) < 0.2, 'smooth');
  });

  it('Rician noise: SD as drawn at high signal, Rayleigh mean SD sqrt(pi / 2) at zero signal', () => {
    const big = randomiseScanner(new Float32Array(96 * 96).fill(20), { height: 96, width: 96, channels: 1 }, new Rng(5), only('noise', 0.3), undefined, { restandardise: false });
    assert.ok(Math.abs(sd(big) - 0.3) < 0.015, `${sd(big)}`);
    const zero = randomiseScanner(new Float32Array(96 * 96).fill(-ZERO_SIGNAL_Z), { height: 96, width: 96, channels: 1 }, new Rng(6), only('noise', 0.3), undefined, { restandardise: false });
    const rayleigh = mean(Array.from(zero, (v) => v + ZERO_SIGNAL_Z));
    assert.ok(Math.abs(rayleigh - 0.3 * Math.sqrt(Math.PI / 2)) < 0.01, `${rayleigh}`);
  });

  it('refuses unknown fields, bad probabilities and inverted or out-of-range ranges, naming the field', () => {
    assert.throws(() => resolveScannerRandomisation({ blurr: {} } as never), (e: Error) => e instanceof ConfigError && /unknown field 'blurr'/.test(e.message));
    assert.throws(() => resolveScannerRandomisation({ noise: { probability: 2 } }), /noise\.probability/);
    assert.throws(() => resolveScannerRandomisation({ lowResolution: { range: [7, 1.5] } }), /lowResolution\.range/);
    assert.throws(() => resolveScannerRandomisation({ contrast: { range: [0, 1] } }), /contrast\.range/);
    assert.throws(() => resolveScannerRandomisation({ histogramShift: { range: [4.5, 6] } }), /histogramShift\.range/);
    assert.throws(() => resolveAugmentConfig({ scanner: { gamma: { range: [-1, 2] } } }), /gamma\.range/);
  });

  it('simulateThickSlices re-acquires a volume along its axial axis: linear profiles kept, sheets spread, background 0', () => {
    const dims: [number, number, number] = [4, 3, 30];
    const affine = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1.5, 0],
      [0, 0, 0, 1],
    ];
    const data = new Float32Array(4 * 3 * 30);
    for (let k = 0; k < 30; k++) for (let p = 0; p < 12; p++) data[k * 12 + p] = p === 0 ? 0 : 100 + 2 * k + (k === 15 ? 50 : 0);
    const thin = simulateThickSlices({ data, dims, spacing: [1, 1, 1.5], affine }, 1.5, 0.3);
    assert.deepEqual(thin.data, data);
    const thick = simulateThickSlices({ data, dims, spacing: [1, 1, 1.5], affine }, 6, 0.3);
    for (let k = 0; k < 30; k++) assert.equal(thick.data[k * 12], 0, 'background stays 0');
    // Away from the sheet and the ends the linear ramp is kept; the sheet keeps at most 1 / 4 of its 50.
    for (const k of [6, 7, 8]) assert.ok(Math.abs(thick.data[k * 12 + 1] - (100 + 2 * k)) < 0.2, `${k}: ${thick.data[k * 12 + 1]}`);
    const excess = thick.data[15 * 12 + 1] - (100 + 30);
    assert.ok(excess > 0 && excess <= 50 / 4 + 1e-3, `${excess}`);
    let total = 0;
    for (let k = 8; k < 23; k++) total += thick.data[k * 12 + 1] - (100 + 2 * k);
    assert.ok(Math.abs(total - 50) < 1, `the sheet's signal is spread, not lost: ${total}`);
  });
});
