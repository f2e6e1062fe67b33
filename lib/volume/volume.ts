/**
 * The one in-memory representation of a 3D image or label map. Voxels are stored x fastest, as in a NIfTI file:
 * the voxel (i, j, k) is `data[i + dims[0] * (j + dims[1] * k)]`. Spacing is in millimetres and the affine maps
 * voxel indices (i, j, k, 1) to world coordinates in millimetres (RAS+, the convention nibabel uses).
 */
export type Vec3 = [number, number, number];

/** A 4x4 matrix as nested row-major arrays: `affine[row][column]`. */
export type Mat4 = number[][];

export type VoxelArray = Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array;

export interface Volume<T extends VoxelArray = Float32Array> {
  data: T;
  dims: Vec3;
  spacing: Vec3;
  affine: Mat4;
}

/** The affine of a grid with the given spacing, no rotation and the origin at voxel (0, 0, 0). */
export function scalingAffine(spacing: Vec3): Mat4 {
  return [
    [spacing[0], 0, 0, 0],
    [0, spacing[1], 0, 0],
    [0, 0, spacing[2], 0],
    [0, 0, 0, 1],
  ];
}

export function voxelCount(dims: Vec3): number {
  return dims[0] * dims[1] * dims[2];
}

/** Flat index of voxel (i, j, k) in a volume of the given dims. */
export function voxelIndex(dims: Vec3, i: number, j: number, k: number): number {
  return i + dims[0] * (j + dims[1] * k);
}
