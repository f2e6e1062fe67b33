import { NiftiError } from '../errors';
import { NIFTI1_HEADER_SIZE, NIFTI2_HEADER_SIZE, type NiftiHeader } from './nifti-header';
import { niftiReaderJs, type NIFTI1, type NIFTI2 } from './nifti-reader-js';

/** A header as we hand it on, with the nifti-reader-js object it was parsed into (for `readImage`). */
export interface ParsedNiftiHeader {
  header: NiftiHeader;
  parsed: NIFTI1 | NIFTI2;
}

/**
 * Parses the header at the start of `bytes` (the whole, already decompressed file). Detects NIfTI-1 or NIfTI-2 and
 * the byte order from `sizeof_hdr`, then checks the magic. Only single-file images (`n+1`, `n+2`) are accepted:
 * a header of a .hdr/.img pair carries no voxels.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  return parseNiftiHeaderWithSource(bytes, file).header;
}

/**
 * Our checks (sizeof_hdr, length, magic, each with its own error), then nifti-reader-js parses the fields. It gets
 * the header bytes only: we do not use extensions, and its extension parser throws untyped errors on some that
 * nibabel reads (an esize that is not a multiple of 16; a set flag with no extension). See docs/io.md for the fields
 * that stay ours and why: `descrip` (it skips NULs instead of stopping at the first), the NIfTI-1 sform rows (it reads
 * them only when it prefers the sform, which is not nibabel's rule) and the NIfTI-2 int64 fields (it misreads
 * negative values, and big-endian values whose low word is >= 2^31).
 */
export function parseNiftiHeaderWithSource(bytes: Uint8Array, file: string): ParsedNiftiHeader {
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
        : `bad magic '${magic.replace(/[^\x20-\x7e]/g, '?')}', expected 'n+${version}'`,
      file,
    );
  }
  const nifti = niftiReaderJs();
  // Our magic check already chose the version (its isNIFTI1 would also take a NIfTI-2 header whose qform_code bytes
  // happen to spell 'n+1'), so the matching class parses a copy of exactly the header bytes (a copy through the
  // Uint8Array constructor: Buffer's slice is a view of a possibly larger, pooled ArrayBuffer).
  const parsed = version === 1 ? new nifti.NIFTI1() : new nifti.NIFTI2();
  try {
    parsed.readHeader(new Uint8Array(bytes.subarray(0, headerSize)).buffer);
  } catch (err) {
    throw new NiftiError(`nifti-reader-js cannot parse the header (${(err as Error).message})`, file);
  }
  if (parsed.littleEndian !== le) throw new NiftiError('nifti-reader-js disagrees on the byte order', file);
  const descrip = cString(bytes, version === 1 ? 148 : 240, 80);
  if (version === 1) {
    const f32 = (o: number) => view.getFloat32(o, le);
    return {
      parsed,
      header: {
        ...commonFields(parsed, version, descrip),
        dim: parsed.dims.slice(),
        vox_offset: parsed.vox_offset,
        srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))),
      },
    };
  }
  const i64 = (o: number) => Number(view.getBigInt64(o, le));
  return {
    parsed,
    header: {
      ...commonFields(parsed, version, descrip),
      dim: Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i)),
      vox_offset: i64(168),
      // NIfTI-2's affine is always the sform rows as stored.
      srow: parsed.affine.slice(0, 3).map((r) => r.slice()),
    },
  };
}

/** The fields nifti-reader-js reads the same way in both versions, under the names of the NIfTI standard. */
function commonFields(p: NIFTI1 | NIFTI2, version: 1 | 2, descrip: string): Omit<NiftiHeader, 'dim' | 'vox_offset' | 'srow'> {
  return {
    version,
    littleEndian: p.littleEndian,
    datatype_code: p.datatypeCode,
    bitpix: p.numBitsPerVoxel,
    pixdim: p.pixDims.slice(),
    scl_slope: p.scl_slope,
    scl_inter: p.scl_inter,
    cal_min: p.cal_min,
    cal_max: p.cal_max,
    xyzt_units: p.xyzt_units,
    intent_code: p.intent_code,
    descrip,
    qform_code: p.qform_code,
    sform_code: p.sform_code,
    quatern_b: p.quatern_b,
    quatern_c: p.quatern_c,
    quatern_d: p.quatern_d,
    qoffset_x: p.qoffset_x,
    qoffset_y: p.qoffset_y,
    qoffset_z: p.qoffset_z,
  };
}

/** A fixed-size C string: up to the first NUL, as nifti1_io reads it. */
function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
