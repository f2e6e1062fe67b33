import type { Vec3 } from '../../lib/volume/volume';

/** A test volume: an image and a mask on one grid (x fastest), as the radiomics functions take them. */
export interface Scene {
  dims: Vec3;
  spacing: Vec3;
  image: Float32Array;
  mask: Uint8Array;
}

/** An empty mask over an image filled with `background`. */
export function scene([dims, spacing]: [Vec3, Vec3], background: number): Scene {
  const n = dims[0] * dims[1] * dims[2];
  return { dims, spacing, image: new Float32Array(n).fill(background), mask: new Uint8Array(n) };
}

/** Calls `fn` with each voxel's flat index, its position in mm and its indices. */
export function eachVoxel(s: Scene, fn: (v: number, mm: Vec3, ijk: Vec3) => void): void {
  const [nx, ny, nz] = s.dims;
  let v = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, v++) fn(v, [i * s.spacing[0], j * s.spacing[1], k * s.spacing[2]], [i, j, k]);
}
