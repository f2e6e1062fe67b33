import { strict as assert } from 'node:assert';
import { augmentSlice, resolveAugmentConfig, type SliceSample } from '../../lib/data/augment';
import { ConfigError } from '../../lib/errors';
import { Rng } from '../../lib/util/rng';

/** A 32x40 slice with an off-centre rectangle; channel 0 is the mask itself, channel 1 a gradient. */
function sample(): SliceSample {
  const H = 32;
  const W = 40;
  const mask = new Uint8Array(H * W);
  const image = new Float32Array(H * W * 2);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const m = r >= 6 && r < 14 && c >= 24 && c < 34 ? 1 : 0;
      mask[r * W + c] = m;
      image[(r * W + c) * 2] = m;
      image[(r * W + c) * 2 + 1] = c / W;
    }
  }
  return { image, mask, height: H, width: W, channels: 2 };
}

const spatialOnly = resolveAugmentConfig({ spatialProbability: 1, flipY: 0.5, rotationDeg: 30, scale: [0.8, 1.2], probability: 0 });

describe('augmentation', () => {
  it('warps image and mask consistently (bilinear image, nearest mask stays binary)', () => {
    let moved = 0;
    for (let seed = 0; seed < 20; seed++) {
      const input = sample();
      const out = augmentSlice(input, new Rng(seed), spatialOnly);
      const mask = out.mask!;
      assert.ok(mask.every((v) => v === 0 || v === 1));
      let inter = 0;
      let union = 0;
      let area = 0;
      for (let i = 0; i < mask.length; i++) {
        const fromImage = out.image[i * 2] >= 0.5 ? 1 : 0;
        inter += fromImage & mask[i];
        union += fromImage | mask[i];
        area += mask[i];
        if (mask[i] !== input.mask![i]) moved++;
      }
      assert.ok(area > 0, 'the rectangle stays in view');
      assert.ok(inter / union > 0.85, `seed ${seed}: image and mask overlap only ${inter / union}`);
    }
    assert.ok(moved > 0, 'the transforms do move the mask');
  });

  it('is seeded and leaves its input untouched', () => {
    const input = sample();
    const copy = Float32Array.from(input.image);
    const cfg = resolveAugmentConfig({ spatialProbability: 1, probability: 1 });
    const a = augmentSlice(input, new Rng(3), cfg);
    const b = augmentSlice(input, new Rng(3), cfg);
    assert.deepEqual(a.image, b.image);
    assert.deepEqual(a.mask, b.mask);
    assert.deepEqual(input.image, copy);
    assert.notDeepEqual(augmentSlice(input, new Rng(4), cfg).image, a.image);
  });

  it('changes intensities only when asked, and not the mask', () => {
    const input = sample();
    const out = augmentSlice(input, new Rng(1), resolveAugmentConfig({ spatialProbability: 0, probability: 1 }));
    assert.deepEqual(out.mask, input.mask);
    assert.notDeepEqual(out.image, input.image);
    const off = augmentSlice(input, new Rng(1), resolveAugmentConfig({ enabled: false }));
    assert.equal(off, input);
  });

  it('rejects bad ranges', () => {
    assert.throws(() => resolveAugmentConfig({ flipX: 2 }), ConfigError);
    assert.throws(() => resolveAugmentConfig({ scale: [1.2, 0.8] }), ConfigError);
    assert.throws(() => resolveAugmentConfig({ gamma: [0, 1] }), ConfigError);
  });
});
