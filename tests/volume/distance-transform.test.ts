import { strict as assert } from 'node:assert';
import { squaredDistanceTransform } from '../../lib/volume/distance-transform';
import { Rng } from '../../lib/util/rng';
import type { Vec3 } from '../../lib/volume/volume';

/** min over features of the squared physical distance, by checking every pair. */
function bruteForce(dims: Vec3, spacing: Vec3, feature: Uint8Array): Float64Array {
  const [nx, ny] = dims;
  const out = new Float64Array(feature.length).fill(Infinity);
  for (let p = 0; p < feature.length; p++) {
    const [pi, pj, pk] = [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))];
    for (let q = 0; q < feature.length; q++) {
      if (!feature[q]) continue;
      const [qi, qj, qk] = [q % nx, Math.floor(q / nx) % ny, Math.floor(q / (nx * ny))];
      const d = ((pi - qi) * spacing[0]) ** 2 + ((pj - qj) * spacing[1]) ** 2 + ((pk - qk) * spacing[2]) ** 2;
      if (d < out[p]) out[p] = d;
    }
  }
  return out;
}

describe('metrics/edt', () => {
  it('matches brute force on random sparse and dense masks with anisotropic spacing', () => {
    const rng = new Rng('edt-brute-force');
    for (let trial = 0; trial < 40; trial++) {
      const dims: Vec3 = [rng.int(1, 9), rng.int(1, 9), rng.int(1, 7)];
      const spacing: Vec3 = [rng.uniform(0.3, 3), rng.uniform(0.3, 3), rng.uniform(0.3, 5)];
      const density = trial % 2 === 0 ? 0.05 : 0.5;
      const feature = new Uint8Array(dims[0] * dims[1] * dims[2]).map(() => (rng.bernoulli(density) ? 1 : 0));
      const got = squaredDistanceTransform(dims, spacing, (i) => feature[i] === 1);
      const want = bruteForce(dims, spacing, feature);
      for (let i = 0; i < want.length; i++) {
        if (want[i] === Infinity) assert.equal(got[i], Infinity);
        else assert.ok(Math.abs(got[i] - want[i]) <= 1e-9 * Math.max(1, want[i]), `trial ${trial} voxel ${i}: ${got[i]} vs ${want[i]}`);
      }
    }
  });

  it('gives the hand-computed distances of a single feature voxel', () => {
    // Feature at (0,0,0), spacing (2,1,3): voxel (1,2,1) is at 2² + 2² + 3² = 17 mm².
    const dims: Vec3 = [2, 3, 2];
    const d = squaredDistanceTransform(dims, [2, 1, 3], (i) => i === 0);
    assert.equal(d[0], 0);
    assert.equal(d[1 + 2 * (2 + 3 * 1)], 17);
    assert.equal(d[1], 4);
  });

  it('is +Infinity everywhere without features', () => {
    const d = squaredDistanceTransform([3, 2, 2], [1, 1, 1], () => false);
    assert.ok(d.every((v) => v === Infinity));
  });
});
