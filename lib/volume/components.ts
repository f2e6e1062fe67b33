import { ConfigError } from '../errors';
import type { Vec3 } from './volume';

/** 6: voxels touching by a face; 26: by a face, an edge or a corner (scipy.ndimage.label's structure 1 and 3). */
export type Connectivity = 6 | 26;

export interface Components {
  /** 0 for background, 1..count for the component of each voxel (x fastest, like the mask). */
  labels: Int32Array;
  count: number;
  /** sizes[c - 1] is the voxel count of component c. */
  sizes: number[];
}

/** An inclusive voxel box: min and max index along each axis. */
export interface BoundingBox {
  min: Vec3;
  max: Vec3;
}

function neighbourOffsets(connectivity: Connectivity): Vec3[] {
  const out: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const order = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (order === 0 || (connectivity === 6 && order > 1)) continue;
        out.push([dx, dy, dz]);
      }
  return out;
}

/**
 * Labels the connected components of the voxels with value > 0. Components are numbered in the order their first
 * voxel appears in storage order (x fastest), as scipy.ndimage.label numbers them.
 */
export function connectedComponents(
  mask: ArrayLike<number>,
  dims: Vec3,
  connectivity: Connectivity = 26,
): Components {
  if (connectivity !== 6 && connectivity !== 26) throw new ConfigError(`connectivity must be 6 or 26, got ${connectivity}`);
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  if (mask.length !== n) throw new ConfigError(`mask has ${mask.length} voxels, dims ${dims.join('x')} need ${n}`);
  const offsets = neighbourOffsets(connectivity);
  const labels = new Int32Array(n);
  const sizes: number[] = [];
  // Breadth-first flood fill; each voxel enters the queue once, so one queue of n entries suffices for all components.
  const queue = new Int32Array(n);
  let count = 0;
  for (let seed = 0; seed < n; seed++) {
    if (!(mask[seed] > 0) || labels[seed] !== 0) continue;
    count++;
    labels[seed] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    while (head < tail) {
      const p = queue[head++];
      const x = p % nx;
      const y = ((p - x) / nx) % ny;
      const z = (p - x - nx * y) / (nx * ny);
      for (const [dx, dy, dz] of offsets) {
        const qx = x + dx;
        const qy = y + dy;
        const qz = z + dz;
        if (qx < 0 || qy < 0 || qz < 0 || qx >= nx || qy >= ny || qz >= nz) continue;
        const q = qx + nx * (qy + ny * qz);
        if (labels[q] !== 0 || !(mask[q] > 0)) continue;
        labels[q] = count;
        queue[tail++] = q;
      }
    }
    sizes.push(tail);
  }
  return { labels, count, sizes };
}

/** The bounding box of each label 1..count in a label map (index c - 1); undefined for a label with no voxel. */
export function boundingBoxes(labels: ArrayLike<number>, dims: Vec3, count: number): Array<BoundingBox | undefined> {
  const boxes: Array<BoundingBox | undefined> = new Array(count).fill(undefined);
  const [nx, ny, nz] = dims;
  let p = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, p++) {
        const l = labels[p];
        if (!(l >= 1 && l <= count)) continue;
        const b = boxes[l - 1];
        if (!b) {
          boxes[l - 1] = { min: [x, y, z], max: [x, y, z] };
          continue;
        }
        if (x < b.min[0]) b.min[0] = x;
        if (x > b.max[0]) b.max[0] = x;
        if (y < b.min[1]) b.min[1] = y;
        if (y > b.max[1]) b.max[1] = y;
        if (z < b.min[2]) b.min[2] = z;
        if (z > b.max[2]) b.max[2] = z;
      }
  return boxes;
}

/** The bounding box of the voxels with value > 0, or undefined for an empty mask. */
export function boundingBox(mask: ArrayLike<number>, dims: Vec3): BoundingBox | undefined {
  const binary = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) binary[i] = mask[i] > 0 ? 1 : 0;
  return boundingBoxes(binary, dims, 1)[0];
}
