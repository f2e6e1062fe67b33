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

function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/**
 * Parses the header at the start of `bytes` (the whole, already decompressed file). Detects NIfTI-1 or NIfTI-2 and
 * the byte order from `sizeof_hdr`, then checks the magic. Only single-file images (`n+1`, `n+2`) are accepted:
 * a header of a .hdr/.img pair carries no voxels.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.length < 4) throw new NiftiError(`file is ${bytes.length} bytes, too short for a NIfTI header`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: 1 | 2;
  let le: boolean;
  const sizeLE = view.getInt32(0, true);
  const sizeBE = view.getInt32(0, false);
  if (sizeLE === NIFTI1_HEADER_SIZE || sizeBE === NIFTI1_HEADER_SIZE) {
    version = 1;
    le = sizeLE === NIFTI1_HEADER_SIZE;
  } else if (sizeLE === NIFTI2_HEADER_SIZE || sizeBE === NIFTI2_HEADER_SIZE) {
    version = 2;
    le = sizeLE === NIFTI2_HEADER_SIZE;
  } else {
    throw new NiftiError(`not a NIfTI file: sizeof_hdr is ${sizeLE}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`, file);
  }
  const headerSize = version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  if (bytes.length < headerSize) {
    throw new NiftiError(`truncated header: ${bytes.length} bytes, a NIfTI-${version} header needs ${headerSize}`, file);
  }
  const magicAt = version === 1 ? 344 : 4;
  const magic = cString(bytes, magicAt, 4);
  if (version === 1 ? magic !== 'n+1' : magic !== 'n+2') {
    const pair = magic === 'ni1' || magic === 'ni2';
    throw new NiftiError(
      pair
        ? `a NIfTI header/image pair (magic '${magic}') is not supported: convert it to a single .nii file`
        : `bad magic '${cString(bytes, magicAt, 4).replace(/[^\x20-\x7e]/g, '?')}', expected 'n+${version}'`,
      file,
    );
  }
  const i16 = (o: number) => view.getInt16(o, le);
  const i32 = (o: number) => view.getInt32(o, le);
  const f32 = (o: number) => view.getFloat32(o, le);
  const f64 = (o: number) => view.getFloat64(o, le);
  const i64 = (o: number) => Number(view.getBigInt64(o, le));
  if (version === 1) {
    return {
      version,
      littleEndian: le,
      dim: Array.from({ length: 8 }, (_, i) => i16(40 + 2 * i)),
      datatype_code: i16(70),
      bitpix: i16(72),
      pixdim: Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i)),
      vox_offset: f32(108),
      scl_slope: f32(112),
      scl_inter: f32(116),
      xyzt_units: bytes[123],
      cal_max: f32(124),
      cal_min: f32(128),
      intent_code: i16(68),
      descrip: cString(bytes, 148, 80),
      qform_code: i16(252),
      sform_code: i16(254),
      quatern_b: f32(256),
      quatern_c: f32(260),
      quatern_d: f32(264),
      qoffset_x: f32(268),
      qoffset_y: f32(272),
      qoffset_z: f32(276),
      srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))),
    };
  }
  return {
    version,
    littleEndian: le,
    datatype_code: i16(12),
    bitpix: i16(14),
    dim: Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i)),
    pixdim: Array.from({ length: 8 }, (_, i) => f64(104 + 8 * i)),
    vox_offset: i64(168),
    scl_slope: f64(176),
    scl_inter: f64(184),
    cal_max: f64(192),
    cal_min: f64(200),
    descrip: cString(bytes, 240, 80),
    qform_code: i32(344),
    sform_code: i32(348),
    quatern_b: f64(352),
    quatern_c: f64(360),
    quatern_d: f64(368),
    qoffset_x: f64(376),
    qoffset_y: f64(384),
    qoffset_z: f64(392),
    srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f64(400 + 32 * r + 8 * c))),
    xyzt_units: i32(500),
    intent_code: i32(504),
  };
}

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
