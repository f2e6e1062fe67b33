/**
 * A tiny in-memory cohort for trainer, dataset and evaluation tests: brains as bright ellipses on a small anisotropic
 * grid with a spherical tumour whose size depends on the label, so both tasks have something to learn in a few steps.
 */
import type { CaseInput } from '../../lib/preprocess/prepare-case';
import { Rng } from '../../lib/util/rng';
import type { Mat4, Vec3, Volume } from '../../lib/volume/volume';
import { SliceDataset } from '../../lib/data/slice-dataset';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { prepareCase } from '../../lib/preprocess/prepare-case';

export const TINY_DIMS: Vec3 = [24, 28, 6];

export function tinyAffine(): Mat4 {
  return [
    [1.2, 0, 0, -14],
    [0, 1, 0, -12],
    [0, 0, 2.5, -6],
    [0, 0, 0, 1],
  ];
}

export function tinyCase(index: number, seed = 7, sequences = 1, affine: Mat4 = tinyAffine(), dims: Vec3 = TINY_DIMS): CaseInput {
  const rng = new Rng(seed).fork(`case-${index}`);
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const label = index % 2;
  const radius = label === 1 ? 3 : 5;
  const centre = [nx / 2 + rng.uniform(-3, 3), ny / 2 + rng.uniform(-3, 3), Math.floor(nz / 2)];
  const mask = new Uint8Array(n);
  const images = Array.from({ length: sequences }, () => new Float32Array(n));
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const o = i + nx * (j + ny * k);
        const inBrain = ((i - nx / 2) / (nx * 0.45)) ** 2 + ((j - ny / 2) / (ny * 0.45)) ** 2 <= 1;
        const dz = (k - centre[2]) * 2.5;
        const inTumour = Math.hypot((i - centre[0]) * 1.2, j - centre[1], dz) <= radius;
        mask[o] = inTumour && inBrain ? 1 : 0;
        images.forEach((img, c) => {
          img[o] = inBrain ? 100 + 10 * c + rng.normal(0, 5) + (mask[o] ? 120 : 0) : 0;
        });
      }
    }
  }
  const volume = <T extends Float32Array | Uint8Array>(data: T): Volume<T> => ({
    data,
    dims: dims.slice() as Vec3,
    spacing: [Math.hypot(...affine.slice(0, 3).map((r) => r[0])), Math.hypot(...affine.slice(0, 3).map((r) => r[1])), Math.hypot(...affine.slice(0, 3).map((r) => r[2]))],
    affine: affine.map((r) => r.slice()),
  });
  return { id: `tiny-${index}`, images: images.map(volume), mask: volume(mask), label };
}

export function tinyCohort(cases: number, seed = 7): CaseInput[] {
  return Array.from({ length: cases }, (_, i) => tinyCase(i, seed));
}

/** A tiny multi-task model config: 32x32 input, base 4 channels, `dropout` in the classifier's head and Transformer. */
export function tinyModelConfig(channels = 1, dropout = 0) {
  return {
    kind: 'mtl' as const,
    seed: 3,
    input: { height: 32, width: 32, channels },
    encoder: { baseChannels: 4 },
    classifier: { dropout, attentionDropout: dropout },
  };
}

/** The tiny cohort prepared at `size` px as a slice dataset (the trainer tests' data). */
export function tinySliceDataset(cases = 4, size = 32): SliceDataset {
  const pre = resolvePreprocessConfig({ size });
  return new SliceDataset(tinyCohort(cases).map((c) => prepareCase(c, pre)), pre);
}
