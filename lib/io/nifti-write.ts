import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { NiftiError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { affineZooms } from '../volume/affine';
import type { Volume, VoxelArray } from '../volume/volume';
import { affineToQform } from './nifti-affine';
import { NIFTI_DATATYPES, NIFTI1_HEADER_SIZE, serializeNifti1Header, type NiftiDatatype } from './nifti-header';

const gzipAsync = promisify(gzip);

/** NIFTI_XFORM_SCANNER_ANAT: the affine maps to the scanner's (or the source image's) RAS+ world. */
export const XFORM_SCANNER_ANAT = 1;

export interface WriteNiftiOptions {
  /** The stored voxel type; defaults to the type of the volume's typed array. */
  datatype?: NiftiDatatype;
  /** Free text in the header's descrip field (at most 79 characters are kept). */
  description?: string;
  /**
   * sform_code and qform_code to store (nifti1.h NIFTI_XFORM_*); default 1 (scanner anatomical). Pass a read image's
   * `header.sform_code` to keep, for example, MNI (4). The qform_code is written as 0 when the affine has shear,
   * which a qform cannot represent; the sform then carries the affine exactly, as nibabel's reader prefers it.
   */
  xformCode?: number;
}

const RANGES: Record<NiftiDatatype, [number, number] | undefined> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  float32: undefined,
  float64: undefined,
};

export function datatypeOfArray(data: VoxelArray): NiftiDatatype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float64Array) return 'float64';
  return 'float32';
}

/** Spacing and affine disagreeing by more than this (relative) means the volume was built inconsistently. */
const SPACING_RTOL = 1e-4;

/**
 * Encodes a volume as a little-endian single-file NIfTI-1 (vox_offset 352, no extensions, units mm). pixdim holds the
 * affine's column lengths (as nibabel writes them), which must agree with `volume.spacing`. Values stored in an
 * integer datatype are rounded; a value outside that type's range or a non-finite one is an error, never clipped.
 */
export function encodeNifti(volume: Volume<VoxelArray>, file: string, opts: WriteNiftiOptions = {}): Buffer {
  const { data, dims, affine } = volume;
  if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 32767)) {
    throw new NiftiError(`cannot write dims ${dims.join('x')}: NIfTI-1 sizes are 1..32767`, file);
  }
  if (data.length !== dims[0] * dims[1] * dims[2]) {
    throw new NiftiError(`data has ${data.length} voxels, dims ${dims.join('x')} need ${dims[0] * dims[1] * dims[2]}`, file);
  }
  if (!affine.every((row) => row.every(Number.isFinite))) throw new NiftiError('the affine has non-finite entries', file);
  const zooms = affineZooms(affine);
  for (let a = 0; a < 3; a++) {
    if (!(Math.abs(zooms[a] - volume.spacing[a]) <= SPACING_RTOL * Math.max(zooms[a], volume.spacing[a]))) {
      throw new NiftiError(
        `spacing ${volume.spacing.join('x')} disagrees with the affine's voxel sizes ${zooms.map((z) => +z.toFixed(6)).join('x')}`,
        file,
      );
    }
  }
  const datatype = opts.datatype ?? datatypeOfArray(data);
  const { code, bytes } = NIFTI_DATATYPES[datatype];
  const xform = opts.xformCode ?? XFORM_SCANNER_ANAT;
  const q = affineToQform(affine);
  const header = serializeNifti1Header({
    version: 1,
    littleEndian: true,
    dim: [3, dims[0], dims[1], dims[2], 1, 1, 1, 1],
    datatype_code: code,
    bitpix: 8 * bytes,
    pixdim: [q?.qfac ?? 1, zooms[0], zooms[1], zooms[2], 1, 1, 1, 1],
    vox_offset: NIFTI1_HEADER_SIZE + 4,
    scl_slope: 1,
    scl_inter: 0,
    cal_min: 0,
    cal_max: 0,
    xyzt_units: 2,
    intent_code: 0,
    descrip: opts.description ?? '',
    qform_code: q ? xform : 0,
    sform_code: xform,
    quatern_b: q?.b ?? 0,
    quatern_c: q?.c ?? 0,
    quatern_d: q?.d ?? 0,
    qoffset_x: q?.offset[0] ?? 0,
    qoffset_y: q?.offset[1] ?? 0,
    qoffset_z: q?.offset[2] ?? 0,
    srow: affine.slice(0, 3).map((r) => r.slice()),
  });
  const body = Buffer.alloc(data.length * bytes);
  encodeVoxels(data, datatype, new DataView(body.buffer, body.byteOffset, body.byteLength), file);
  return Buffer.concat([header, body]);
}

function encodeVoxels(data: VoxelArray, datatype: NiftiDatatype, v: DataView, file: string): void {
  const range = RANGES[datatype];
  if (range) {
    const [lo, hi] = range;
    for (let i = 0; i < data.length; i++) {
      const x = Math.round(data[i]);
      if (!(x >= lo && x <= hi)) {
        throw new NiftiError(`voxel ${i} has value ${data[i]}, which ${datatype} cannot hold`, file);
      }
    }
  }
  const n = data.length;
  switch (datatype) {
    case 'uint8':
      for (let i = 0; i < n; i++) v.setUint8(i, Math.round(data[i]));
      break;
    case 'int8':
      for (let i = 0; i < n; i++) v.setInt8(i, Math.round(data[i]));
      break;
    case 'int16':
      for (let i = 0; i < n; i++) v.setInt16(2 * i, Math.round(data[i]), true);
      break;
    case 'uint16':
      for (let i = 0; i < n; i++) v.setUint16(2 * i, Math.round(data[i]), true);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) v.setInt32(4 * i, Math.round(data[i]), true);
      break;
    case 'float32':
      for (let i = 0; i < n; i++) v.setFloat32(4 * i, data[i], true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) v.setFloat64(8 * i, data[i], true);
      break;
  }
}

/**
 * Writes a volume as NIfTI-1, gzip-compressed when the path ends in `.gz`. The file appears atomically (`.tmp`, then
 * rename). sform holds the affine exactly (float32); qform holds it too unless it has shear (see `xformCode`).
 */
export async function writeNifti(
  path: string,
  volume: Volume<VoxelArray>,
  opts: WriteNiftiOptions = {},
): Promise<void> {
  const encoded = encodeNifti(volume, path, opts);
  const bytes = path.endsWith('.gz') ? await gzipAsync(encoded) : encoded;
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    throw new NiftiError(`cannot write file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
}
