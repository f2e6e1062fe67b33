import { strict as assert } from 'node:assert';
import { ConfigError, DatasetError } from '../../lib/errors';
import { surfaceVoxels } from '../../lib/metrics/mask';
import { segmentationMetrics, type EmptyDistance } from '../../lib/metrics/segmentation';
import { surfaceDistances } from '../../lib/metrics/surface-distance';
import { Rng } from '../../lib/util/rng';
import { voxelIndex, type Vec3 } from '../../lib/volume/volume';

function box(dims: Vec3, lo: Vec3, hi: Vec3): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k <= hi[2]; k++)
    for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) m[voxelIndex(dims, i, j, k)] = 1;
  return m;
}

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('metrics/segmentation', () => {
  it('marks mask voxels with an outside face neighbour, the volume border counting as outside', () => {
    const dims: Vec3 = [5, 5, 5];
    const cube = box(dims, [1, 1, 1], [3, 3, 3]);
    const s = surfaceVoxels(cube, dims);
    assert.equal(s.reduce((a, b) => a + b, 0), 26);
    assert.equal(s[voxelIndex(dims, 2, 2, 2)], 0);
    // The same cube touching the x border: its centre (1,2,2) is interior, the x = 0 face stays surface.
    const atBorder = box(dims, [0, 1, 1], [2, 3, 3]);
    const sb = surfaceVoxels(atBorder, dims);
    assert.equal(sb[voxelIndex(dims, 1, 2, 2)], 0);
    assert.equal(sb[voxelIndex(dims, 0, 2, 2)], 1);
    // One slice: every voxel borders the volume along z.
    assert.ok(surfaceVoxels(new Uint8Array(9).fill(1), [3, 3, 1]).every((v) => v === 1));
  });

  it('scores a 1D pair by hand', () => {
    // Voxels 0,1 against 1,2 at 2 mm along x: d(P->G) = [2, 0], d(G->P) = [0, 2], p95 of [0, 2] = 1.9.
    const dims: Vec3 = [5, 1, 1];
    const m = segmentationMetrics(
      { data: [1, 1, 0, 0, 0], dims, spacing: [2, 1, 1] },
      { data: [0, 1, 1, 0, 0], dims, spacing: [2, 1, 1] },
    );
    close(m.dice, 0.5);
    close(m.iou, 1 / 3);
    close(m.hd95, 1.9);
    close(m.assd, 1);
    close(m.sensitivity, 0.5);
    close(m.precision, 0.5);
    close(m.predVolumeMl, 0.004);
  });

  it('scores two shifted cubes by hand, isotropic and anisotropic', () => {
    // 3x3x3 cubes, the prediction shifted +1 in x. 26 surface voxels each; 10 of each are off the other surface.
    const dims: Vec3 = [5, 5, 5];
    const gt = box(dims, [1, 1, 1], [3, 3, 3]);
    const pred = box(dims, [2, 1, 1], [4, 3, 3]);
    const iso = segmentationMetrics({ data: pred, dims, spacing: [1, 1, 1] }, { data: gt, dims, spacing: [1, 1, 1] });
    close(iso.dice, 2 / 3);
    close(iso.iou, 0.5);
    close(iso.hd95, 1); // sorted: 16 zeros, 10 ones; h = 25 * 0.95 = 23.75 -> 1
    close(iso.assd, 20 / 52);
    // Spacing x = 2 mm: the 9 voxels of the outer x face are 2 mm away, the face centre is 1 mm away along y.
    const an = segmentationMetrics({ data: pred, dims, spacing: [2, 1, 1] }, { data: gt, dims, spacing: [2, 1, 1] });
    close(an.hd95, 2);
    close(an.assd, 38 / 52);
  });

  it('matches scipy on two anisotropic ellipsoids', () => {
    // Reference values from scipy 1.10.1 (Debian python3-scipy), computed by hand once: surface = m & ~binary_erosion(m),
    // distances = distance_transform_edt(~surface_other, sampling=spacing)[surface], hd95 = max of both
    // np.percentile(..., 95), assd = mean of both concatenated; the same masks built with np.meshgrid(indexing='ij').
    const dims: Vec3 = [20, 18, 12];
    const spacing: Vec3 = [0.9, 1.1, 2.5];
    const gt = new Uint8Array(20 * 18 * 12);
    const pred = new Uint8Array(gt.length);
    for (let k = 0; k < 12; k++) {
      for (let j = 0; j < 18; j++) {
        for (let i = 0; i < 20; i++) {
          const p = voxelIndex(dims, i, j, k);
          gt[p] = ((i - 9) / 6) ** 2 + ((j - 8) / 5) ** 2 + ((k - 5) / 3) ** 2 <= 1 ? 1 : 0;
          const inEllipsoid = ((i - 11) / 5) ** 2 + ((j - 9) / 6) ** 2 + ((k - 6) / 2.5) ** 2 <= 1;
          pred[p] = inEllipsoid || (i >= 15 && j <= 3 && k >= 9) ? 1 : 0;
        }
      }
    }
    const m = segmentationMetrics({ data: pred, dims, spacing }, { data: gt, dims, spacing });
    assert.deepEqual([m.gtVoxels, m.predVoxels, m.overlapVoxels], [361, 375, 198]);
    close(m.dice, 0.5380434782608695);
    close(m.hd95, 11.815667564721005, 1e-9);
    close(m.assd, 2.676433509537616, 1e-9);
  });

  it('matches brute-force surface distances on random masks', () => {
    const rng = new Rng('surface-brute-force');
    for (let trial = 0; trial < 15; trial++) {
      const dims: Vec3 = [rng.int(2, 8), rng.int(2, 8), rng.int(1, 6)];
      const spacing: Vec3 = [rng.uniform(0.5, 2), rng.uniform(0.5, 2), rng.uniform(0.5, 4)];
      const n = dims[0] * dims[1] * dims[2];
      const a = new Uint8Array(n).map(() => (rng.bernoulli(0.3) ? 1 : 0));
      const b = new Uint8Array(n).map(() => (rng.bernoulli(0.3) ? 1 : 0));
      a[0] = 1;
      b[n - 1] = 1;
      const got = surfaceDistances(a, b, dims, spacing);
      const sa = surfaceVoxels(a, dims);
      const sb = surfaceVoxels(b, dims);
      const coords = (p: number) => [p % dims[0], Math.floor(p / dims[0]) % dims[1], Math.floor(p / (dims[0] * dims[1]))];
      const directed = (from: Uint8Array, to: Uint8Array) => {
        const out: number[] = [];
        for (let p = 0; p < n; p++) {
          if (!from[p]) continue;
          let best = Infinity;
          const cp = coords(p);
          for (let q = 0; q < n; q++) {
            if (!to[q]) continue;
            const cq = coords(q);
            best = Math.min(best, Math.hypot(...cp.map((c, ax) => (c - cq[ax]) * spacing[ax])));
          }
          out.push(best);
        }
        return out;
      };
      const want = { predToGt: directed(sa, sb), gtToPred: directed(sb, sa) };
      for (const key of ['predToGt', 'gtToPred'] as const) {
        assert.equal(got[key].length, want[key].length);
        got[key].forEach((v, i) => close(v, want[key][i], 1e-9));
      }
    }
  });

  it('applies the stated conventions for empty masks', () => {
    const dims: Vec3 = [3, 4, 5];
    const spacing: Vec3 = [1, 2, 2];
    const empty = new Uint8Array(60);
    const one = new Uint8Array(60);
    one[7] = 1;
    const both = segmentationMetrics({ data: empty, dims, spacing }, { data: empty, dims, spacing });
    assert.deepEqual(
      [both.dice, both.iou, both.hd95, both.assd, both.sensitivity, both.precision],
      [1, 1, 0, 0, 1, 1],
    );
    const missed = segmentationMetrics({ data: empty, dims, spacing }, { data: one, dims, spacing });
    assert.equal(missed.dice, 0);
    assert.equal(missed.sensitivity, 0);
    assert.ok(Number.isNaN(missed.precision) && Number.isNaN(missed.hd95) && Number.isNaN(missed.assd));
    const spurious = segmentationMetrics({ data: one, dims, spacing }, { data: empty, dims, spacing }, { emptyDistance: 'diagonal' });
    assert.equal(spurious.dice, 0);
    assert.equal(spurious.precision, 0);
    assert.ok(Number.isNaN(spurious.sensitivity));
    close(spurious.hd95, Math.hypot(3, 8, 10));
  });

  it('rejects unknown options', () => {
    const g = { data: [1], dims: [1, 1, 1] as Vec3, spacing: [1, 1, 1] as Vec3 };
    assert.throws(() => segmentationMetrics(g, g, { emptyDistance: 'zero' as EmptyDistance }), ConfigError);
    assert.throws(() => segmentationMetrics(g, g, { hausdorffPercentile: 120 }), ConfigError);
  });

  it('binarises as > 0 and rejects grids that differ', () => {
    const dims: Vec3 = [2, 1, 1];
    const m = segmentationMetrics({ data: [0.5, -1], dims, spacing: [1, 1, 1] }, { data: [2, 0], dims, spacing: [1, 1, 1] });
    assert.equal(m.dice, 1);
    assert.throws(
      () => segmentationMetrics({ data: [1, 0], dims, spacing: [1, 1, 1] }, { data: [1, 0], dims, spacing: [1, 1.5, 1] }),
      (e: unknown) => e instanceof DatasetError && /grids differ/.test(e.message),
    );
    assert.throws(
      () => segmentationMetrics({ data: [1, 0, 0], dims, spacing: [1, 1, 1] }, { data: [1, 0], dims, spacing: [1, 1, 1] }),
      DatasetError,
    );
  });
});
