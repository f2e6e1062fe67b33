import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeNifti } from '../../lib/io';
import type { Mat4, Vec3, VoxelArray } from '../../lib/volume/volume';

export const DIMS: Vec3 = [6, 5, 4];
export const AFFINE: Mat4 = [
  [-1, 0, 0, 10],
  [0, 1, 0, -5],
  [0, 0, 2, 3],
  [0, 0, 0, 1],
];
const N = DIMS[0] * DIMS[1] * DIMS[2];

/** An image whose voxel i holds base + i, so a test can tell which file was read. */
export async function writeImage(path: string, base: number, affine: Mat4 = AFFINE, dims: Vec3 = DIMS): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const n = dims[0] * dims[1] * dims[2];
  const spacing = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c])) as Vec3;
  await writeNifti(path, { data: Float32Array.from({ length: n }, (_, i) => base + i), dims, spacing, affine });
}

/** A label image: value labelAt(i) at voxel i. */
export async function writeLabels(path: string, labelAt: (i: number) => number, type: 'uint8' | 'int16' = 'uint8'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const data: VoxelArray = type === 'uint8' ? new Uint8Array(N) : new Int16Array(N);
  for (let i = 0; i < N; i++) data[i] = labelAt(i);
  await writeNifti(path, { data, dims: DIMS, spacing: [1, 1, 2], affine: AFFINE });
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
