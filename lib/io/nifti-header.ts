import { NiftiError } from '../errors';

/** The voxel types this project reads and writes. */
export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'float32' | 'float64';

/** NIfTI datatype codes (nifti1.h) and their sizes in bytes. */
export const NIFTI_DATATYPES: Record<NiftiDatatype, { code: number; bytes: number }> = {
  uint8: { code: 2, bytes: 1 },
  int16: { code: 4, bytes: 2 },
  int32: { code: 8, bytes: 4 },
  float32: { code: 16, bytes: 4 },
  float64: { code: 64, bytes: 8 },
  int8: { code: 256, bytes: 1 },
  uint16: { code: 512, bytes: 2 },
};

/** Codes of types that exist in the standard but are not read here, so the error can name them. */
const UNSUPPORTED_NAMES: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'rgb24',
  768: 'uint32',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'rgba32',
};

export function datatypeFromCode(code: number, file: string): NiftiDatatype {
  for (const [name, info] of Object.entries(NIFTI_DATATYPES)) if (info.code === code) return name as NiftiDatatype;
  const known = UNSUPPORTED_NAMES[code];
  throw new NiftiError(
    known ? `unsupported datatype ${code} (${known})` : `unknown datatype code ${code}`,
    file,
  );
}

/**
 * The header fields the project uses, with the names of the NIfTI standard. Both NIfTI-1 (348-byte header) and
 * NIfTI-2 (540-byte header) files parse into this shape; `version` says which one it was.
 */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0] is the number of dimensions, dim[1..7] the sizes. */
  dim: number[];
  datatype_code: number;
  bitpix: number;
  /** pixdim[0] is qfac (the sign of the qform's third axis), pixdim[1..3] the voxel size in mm. */
  pixdim: number[];
  vox_offset: number;
  scl_slope: number;
  scl_inter: number;
  cal_min: number;
  cal_max: number;
  xyzt_units: number;
  intent_code: number;
  descrip: string;
  qform_code: number;
  sform_code: number;
  quatern_b: number;
  quatern_c: number;
  quatern_d: number;
  qoffset_x: number;
  qoffset_y: number;
  qoffset_z: number;
  /** The sform rows srow_x, srow_y, srow_z. */
  srow: number[][];
}

export const NIFTI1_HEADER_SIZE = 348;
export const NIFTI2_HEADER_SIZE = 540;

/** Serialises a little-endian NIfTI-1 header (348 bytes) followed by an empty 4-byte extension flag. */
export function serializeNifti1Header(h: NiftiHeader): Buffer {
  const buf = Buffer.alloc(NIFTI1_HEADER_SIZE + 4);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setInt32(0, NIFTI1_HEADER_SIZE, true);
  buf[39] = 0; // dim_info: unknown
  h.dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
  v.setInt16(68, h.intent_code, true);
  v.setInt16(70, h.datatype_code, true);
  v.setInt16(72, h.bitpix, true);
  h.pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, true));
  v.setFloat32(108, h.vox_offset, true);
  v.setFloat32(112, h.scl_slope, true);
  v.setFloat32(116, h.scl_inter, true);
  buf[123] = h.xyzt_units;
  v.setFloat32(124, h.cal_max, true);
  v.setFloat32(128, h.cal_min, true);
  buf.write(h.descrip.slice(0, 79), 148, 'latin1');
  v.setInt16(252, h.qform_code, true);
  v.setInt16(254, h.sform_code, true);
  v.setFloat32(256, h.quatern_b, true);
  v.setFloat32(260, h.quatern_c, true);
  v.setFloat32(264, h.quatern_d, true);
  v.setFloat32(268, h.qoffset_x, true);
  v.setFloat32(272, h.qoffset_y, true);
  v.setFloat32(276, h.qoffset_z, true);
  h.srow.forEach((row, r) => row.forEach((x, c) => v.setFloat32(280 + 16 * r + 4 * c, x, true)));
  buf.write('n+1\0', 344, 'latin1');
  return buf;
}
