import { strict as assert } from 'node:assert';
import { boundingBox, boundingBoxes, connectedComponents, type Connectivity } from '../../lib/volume/components';
import { Rng } from '../../lib/util/rng';
import type { Vec3 } from '../../lib/volume/volume';

function patternMask(): { mask: Uint8Array; dims: Vec3 } {
  const dims: Vec3 = [12, 10, 8];
  const mask = new Uint8Array(12 * 10 * 8);
  for (let k = 0; k < 8; k++)
    for (let j = 0; j < 10; j++)
      for (let i = 0; i < 12; i++) {
        mask[i + 12 * (j + 10 * k)] = (i * 7 + j * 13 + k * 29) % 11 < 3 && (i * i + j * 3 + k) % 5 !== 0 ? 1 : 0;
      }
  return { mask, dims };
}

/** An independent reference: union-find over all neighbour pairs, then compare partitions voxel by voxel. */
function unionFindPartition(mask: Uint8Array, dims: Vec3, connectivity: Connectivity): Int32Array {
  const n = mask.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  const [nx, ny, nz] = dims;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const p = x + nx * (y + ny * z);
        if (!mask[p]) continue;
        for (let dz = -1; dz <= 1; dz++)
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const d = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
              if (d === 0 || (connectivity === 6 && d > 1)) continue;
              const [qx, qy, qz] = [x + dx, y + dy, z + dz];
              if (qx < 0 || qy < 0 || qz < 0 || qx >= nx || qy >= ny || qz >= nz) continue;
              const q = qx + nx * (qy + ny * qz);
              if (mask[q]) parent[find(p)] = find(q);
            }
      }
  return Int32Array.from({ length: n }, (_, i) => (mask[i] ? find(i) : -1));
}

describe('connected components', () => {
  it('match scipy 1.10 ndimage.label (structures 1 and 3) on a fixed pattern', () => {
    const { mask, dims } = patternMask();
    const six = connectedComponents(mask, dims, 6);
    assert.equal(six.count, 164);
    assert.equal(six.sizes.reduce((a, b) => a + b, 0), 212);
    assert.deepEqual(six.sizes.slice(0, 10), [1, 2, 1, 1, 2, 1, 1, 2, 2, 1]);
    const all = connectedComponents(mask, dims, 26);
    assert.equal(all.count, 2);
    assert.deepEqual(all.sizes, [1, 211]);
    assert.deepEqual(boundingBoxes(all.labels, dims, all.count)[1], { min: [0, 0, 0], max: [11, 9, 7] });
  });

  it('agree with a union-find reference on random masks, labels in first-appearance order', () => {
    const rng = new Rng('components');
    for (let t = 0; t < 20; t++) {
      const dims: Vec3 = [rng.int(1, 14), rng.int(1, 14), rng.int(1, 14)];
      const density = rng.uniform(0.1, 0.6);
      const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (rng.bernoulli(density) ? 1 : 0));
      for (const c of [6, 26] as const) {
        const ours = connectedComponents(mask, dims, c);
        const ref = unionFindPartition(mask, dims, c);
        const map = new Map<number, number>();
        let next = 1;
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) {
            assert.equal(ours.labels[i], 0);
            continue;
          }
          if (!map.has(ref[i])) map.set(ref[i], next++);
          assert.equal(ours.labels[i], map.get(ref[i]), `case ${t}, connectivity ${c}, voxel ${i}`);
        }
        assert.equal(ours.count, next - 1);
      }
    }
  });

  it('gives bounding boxes per label and for a whole mask', () => {
    const dims: Vec3 = [6, 5, 4];
    const m = new Uint8Array(120);
    m[1 + 6 * (2 + 5 * 0)] = 1;
    m[4 + 6 * (1 + 5 * 3)] = 7;
    assert.deepEqual(boundingBox(m, dims), { min: [1, 1, 0], max: [4, 2, 3] });
    assert.equal(boundingBox(new Uint8Array(120), dims), undefined);
    const cc = connectedComponents(m, dims, 26);
    assert.deepEqual(boundingBoxes(cc.labels, dims, cc.count), [
      { min: [1, 2, 0], max: [1, 2, 0] },
      { min: [4, 1, 3], max: [4, 1, 3] },
    ]);
  });
});
