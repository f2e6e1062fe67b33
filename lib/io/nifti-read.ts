import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { NiftiError } from '../errors';
import type { Vec3, Volume } from '../volume/volume';
import { headerAffine } from './nifti-affine';
import {
  datatypeFromCode,
  NIFTI_DATATYPES,
  NIFTI1_HEADER_SIZE,
  NIFTI2_HEADER_SIZE,
  type NiftiDatatype,
  type NiftiHeader,
} from './nifti-header';
import { parseNiftiHeaderWithSource } from './nifti-parse';
import { niftiReaderJs } from './nifti-reader-js';
import { applyNonFiniteRule, nonFiniteRule, type NonFiniteRule } from './non-finite';

const gunzipAsync = promisify(gunzip);

/**
 * A NIfTI image in memory: voxel values as float32 with scl_slope/scl_inter applied, the affine chosen as nibabel
 * does, spacing = pixdim[1..3], the datatype stored in the file and the parsed header.
 */
export type NiftiImage = Volume<Float32Array> & { datatype: NiftiDatatype; header: NiftiHeader };

export interface ReadNiftiOptions {
  /**
   * NaN and infinite voxels (after scaling to float32): refused with a DatasetError naming the file and the count
   * ('error'), replaced by 0 ('zero') or kept ('keep'); default: the enclosing `withNonFinite`'s rule, else 'error'
   * (lib/io/non-finite.ts).
   */
  nonFinite?: NonFiniteRule;
}

/**
 * Reads a `.nii` or `.nii.gz` file (gzip is detected from the bytes, not the name). Gunzip is node:zlib's, not
 * nifti-reader-js's `decompress` (fflate), which returns a corrupted stream without an error (docs/io.md). Non-finite
 * voxels are refused unless `options.nonFinite` (or `withNonFinite`) says otherwise.
 */
export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
  // Taken before the first await, so the caller's scope is the one that counts.
  const rule = nonFiniteRule(options.nonFinite);
  let raw: Buffer;
  try {
    raw = await fs.readFile(path);
  } catch (err) {
    throw new NiftiError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  const image = decodeNifti(await maybeGunzip(raw, path), path);
  applyNonFiniteRule(image.data, path, rule);
  return image;
}

async function maybeGunzip(raw: Buffer, path: string): Promise<Uint8Array> {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (err) {
    throw new NiftiError(`corrupt or truncated gzip stream (${(err as Error).message})`, path);
  }
}

/**
 * Decodes a whole NIfTI file already in memory (decompressed). `file` names it in errors. Images with more than three
 * dimensions are accepted only when the extra dimensions have size 1.
 */
export function decodeNifti(bytes: Uint8Array, file: string): NiftiImage {
  const { header, parsed } = parseNiftiHeaderWithSource(bytes, file);
  const { dim } = header;
  const ndim = dim[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new NiftiError(`dim[0] = ${ndim}, must be 1..7`, file);
  for (let i = 1; i <= ndim; i++) {
    if (!(dim[i] >= 1)) throw new NiftiError(`dim[${i}] = ${dim[i]}, sizes must be >= 1`, file);
  }
  for (let i = 4; i <= ndim; i++) {
    if (dim[i] !== 1) {
      throw new NiftiError(`a ${ndim}D image with dim[${i}] = ${dim[i]}: only 3D volumes are supported`, file);
    }
  }
  const dims = [1, 2, 3].map((i) => (i <= ndim ? dim[i] : 1)) as Vec3;
  const datatype = datatypeFromCode(header.datatype_code, file);
  const { bytes: size } = NIFTI_DATATYPES[datatype];
  if (header.bitpix !== 8 * size) {
    throw new NiftiError(`bitpix ${header.bitpix} does not match datatype ${datatype} (${8 * size} bits)`, file);
  }
  const minOffset = header.version === 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
  const offset = header.vox_offset;
  if (!Number.isInteger(offset) || offset < minOffset) {
    throw new NiftiError(`vox_offset ${offset} is not an integer >= ${minOffset}`, file);
  }
  const n = dims[0] * dims[1] * dims[2];
  const needed = offset + n * size;
  if (bytes.length < needed) {
    throw new NiftiError(
      `header/data size mismatch: ${dims.join('x')} ${datatype} voxels at offset ${offset} need ${needed} bytes, ` +
        `the file has ${bytes.length}`,
      file,
    );
  }
  const spacing = [1, 2, 3].map((i) => {
    const p = i <= ndim ? header.pixdim[i] : 1;
    if (!Number.isFinite(p)) throw new NiftiError(`pixdim[${i}] = ${p} is not finite`, file);
    // nibabel's header check repairs these the same way: negative sizes lose their sign, zero sizes become 1.
    return p === 0 ? 1 : Math.abs(p);
  }) as Vec3;
  const affine = headerAffine(header, spacing, dims, file);
  const { slope, inter } = scaling(header, file);
  // nifti-reader-js cuts the voxel bytes out. Its readImage sizes the image from dim[1..5] whatever dim[0] says (the
  // standard, nibabel and we ignore sizes past dim[0]), so it gets the validated grid and offset; it returns a fresh,
  // aligned copy that the typed views below can use.
  parsed.dims = [3, ...dims, 1, 1, 1, 1];
  parsed.vox_offset = offset;
  // readImage takes an ArrayBuffer and offsets into it: a view of part of one (a pooled Buffer) is copied first.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
  const voxels = niftiReaderJs().readImage(parsed, whole as ArrayBuffer);
  const data = decodeVoxels(new Uint8Array(voxels), n, datatype, header.littleEndian, slope, inter);
  return { data, dims, spacing, affine, datatype, header };
}

/** nibabel's rule: a zero or non-finite slope means "no scaling"; a valid slope with a non-finite intercept is an error. */
function scaling(h: NiftiHeader, file: string): { slope: number; inter: number } {
  if (h.scl_slope === 0 || !Number.isFinite(h.scl_slope)) return { slope: 1, inter: 0 };
  if (!Number.isFinite(h.scl_inter)) throw new NiftiError(`scl_slope ${h.scl_slope} with non-finite scl_inter`, file);
  return { slope: h.scl_slope, inter: h.scl_inter };
}

/** Raw voxel bytes (a buffer of their own, from offset 0) to float32 values, byte-swapped and scaled. */
function decodeVoxels(
  raw: Uint8Array,
  n: number,
  datatype: NiftiDatatype,
  littleEndian: boolean,
  slope: number,
  inter: number,
): Float32Array {
  const size = NIFTI_DATATYPES[datatype].bytes;
  if (!littleEndian && size > 1) {
    for (let p = 0; p < raw.length; p += size) raw.subarray(p, p + size).reverse();
  }
  const src = typedView(raw.buffer, datatype, n);
  const out = datatype === 'float32' ? (src as Float32Array) : new Float32Array(n);
  if (slope === 1 && inter === 0) {
    if (out !== src) out.set(src);
  } else {
    for (let i = 0; i < n; i++) out[i] = src[i] * slope + inter;
  }
  return out;
}

function typedView(buf: ArrayBufferLike, datatype: NiftiDatatype, n: number) {
  switch (datatype) {
    case 'uint8':
      return new Uint8Array(buf, 0, n);
    case 'int8':
      return new Int8Array(buf, 0, n);
    case 'int16':
      return new Int16Array(buf, 0, n);
    case 'uint16':
      return new Uint16Array(buf, 0, n);
    case 'int32':
      return new Int32Array(buf, 0, n);
    case 'float32':
      return new Float32Array(buf, 0, n);
    case 'float64':
      return new Float64Array(buf, 0, n);
  }
}
