import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { NiftiError } from '../../lib/errors';
import { decodeNifti, encodeNifti, type NiftiImage } from '../../lib/io';
import { Rng } from '../../lib/util/rng';
import { affineZooms } from '../../lib/volume/affine';
import type { Mat4, Vec3 } from '../../lib/volume/volume';
import { fixture } from './fixtures';

const loadNiftiReaderJs = () => import('nifti-reader-js');
type NiftiModule = Awaited<ReturnType<typeof loadNiftiReaderJs>>;

/** Decodes and classifies: a NiftiError is a clean refusal; anything else thrown is a crash and fails the test. */
function tryDecode(bytes: Uint8Array, what: string): NiftiImage | undefined {
  try {
    return decodeNifti(bytes, 'fuzz.nii');
  } catch (err) {
    if (err instanceof NiftiError) {
      assert.ok(err.message.startsWith('fuzz.nii: '), `error does not name the file: ${err.message}`);
      return undefined;
    }
    throw new Error(`${what}: crashed with ${String(err)}`, { cause: err });
  }
}

/** What any accepted image must satisfy whatever its header said. */
function assertConsistent(im: NiftiImage, what: string) {
  assert.ok(im.dims.every((d) => Number.isInteger(d) && d >= 1), `${what}: dims ${im.dims}`);
  assert.equal(im.data.length, im.dims[0] * im.dims[1] * im.dims[2], `${what}: data length`);
  assert.ok(im.spacing.every((s) => Number.isFinite(s) && s > 0), `${what}: spacing ${im.spacing}`);
  assert.ok(im.affine.every((r) => r.every(Number.isFinite)), `${what}: affine`);
}

/**
 * Our decode of mutated bytes against nifti-reader-js's decode of the same bytes: same dims and datatype, same voxels.
 * A mutation may legitimately change what the file says; it must never make us read something other than what it says.
 */
function assertMatchesReference(nifti: NiftiModule, bytes: Uint8Array, im: NiftiImage, what: string): boolean {
  const ab = bytes.slice().buffer as ArrayBuffer;
  let h: ReturnType<NiftiModule['readHeader']>;
  try {
    h = nifti.readHeader(ab);
  } catch {
    // nifti-reader-js itself throws on some mutated extension bytes: no reference for this case.
    return false;
  }
  assert.equal(h.datatypeCode, im.header.datatype_code, `${what}: datatype`);
  const ndim = h.dims[0];
  assert.deepEqual(im.dims, [1, 2, 3].map((i) => (i <= ndim ? h.dims[i] : 1)), `${what}: dims`);
  const raw = new DataView(nifti.readImage(h, ab));
  // nifti-reader-js sizes the image from dim[1..5] whatever dim[0] says; the standard (and nibabel, and we) ignore
  // dims past dim[0]. Where that makes its image a different size, its voxels are not a reference.
  if (raw.byteLength !== (im.data.length * h.numBitsPerVoxel) / 8) return false;
  const size = h.numBitsPerVoxel / 8;
  const le = h.littleEndian;
  const get: Record<number, (o: number) => number> = {
    2: (o) => raw.getUint8(o),
    4: (o) => raw.getInt16(o, le),
    16: (o) => raw.getFloat32(o, le),
    64: (o) => raw.getFloat64(o, le),
  };
  const slope = h.scl_slope === 0 || !Number.isFinite(h.scl_slope) ? 1 : h.scl_slope;
  const inter = slope === 1 && (h.scl_slope === 0 || !Number.isFinite(h.scl_slope)) ? 0 : h.scl_inter;
  const read = get[h.datatypeCode];
  if (!read) return false;
  for (let i = 0; i < im.data.length; i++) {
    const expected = Math.fround(read(i * size) * slope + inter);
    if (!Object.is(im.data[i], expected) && !(Number.isNaN(expected) && Number.isNaN(im.data[i]))) {
      assert.fail(`${what}: voxel ${i} is ${im.data[i]}, nifti-reader-js says ${expected}`);
    }
  }
  return true;
}

describe('NIfTI header parser under fuzzing', () => {
  const rng = new Rng('nifti-fuzz');
  const dims: Vec3 = [6, 5, 4];
  const affine: Mat4 = [
    [0, 0, -1.5, 20],
    [1.2, 0, 0, -3],
    [0, 2, 0, 7],
    [0, 0, 0, 1],
  ];
  const seeds = (['uint8', 'int16', 'float32'] as const).map((datatype) =>
    encodeNifti(
      { data: Float32Array.from({ length: 120 }, (_, i) => (i * 37) % 200), dims, spacing: affineZooms(affine), affine },
      'seed.nii',
      { datatype },
    ),
  );
  // A NIfTI-2 seed (nibabel-written, float64) and a big-endian one, so both parser paths get mutated.
  seeds.push(gunzipSync(readFileSync(fixture('nifti2_float64_qform.nii.gz'))), readFileSync(fixture('bigendian_int16_scaled.nii')));

  it('refuses random bytes of any length with a NiftiError', () => {
    for (let t = 0; t < 3000; t++) {
      const bytes = new Uint8Array(rng.int(0, 700));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
      // Half the cases get a valid sizeof_hdr and magic so the parser goes past its first checks.
      if (bytes.length >= 352 && rng.bernoulli(0.5)) {
        new DataView(bytes.buffer).setInt32(0, 348, rng.bernoulli(0.5));
        bytes.set([0x6e, 0x2b, 0x31, 0], 344);
      }
      const im = tryDecode(bytes, `random case ${t}`);
      if (im) assertConsistent(im, `random case ${t}`);
    }
  });

  it('reads mutated headers either as nifti-reader-js does or not at all', async () => {
    const nifti = await loadNiftiReaderJs();
    let accepted = 0;
    let refused = 0;
    let compared = 0;
    for (let t = 0; t < 3000; t++) {
      const bytes = Uint8Array.from(rng.pick(seeds));
      const flips = rng.int(1, 6);
      for (let f = 0; f < flips; f++) {
        const headerEnd = bytes.length > 540 && bytes[4] === 0x6e && bytes[6] === 0x32 ? 543 : 351;
        const at = rng.bernoulli(0.8) ? rng.int(0, 123) : rng.int(0, headerEnd);
        bytes[at] = rng.bernoulli(0.5) ? rng.int(0, 255) : bytes[at] ^ (1 << rng.int(0, 7));
      }
      const what = `mutation case ${t}`;
      const im = tryDecode(bytes, what);
      if (!im) {
        refused++;
        continue;
      }
      accepted++;
      assertConsistent(im, what);
      if (assertMatchesReference(nifti, bytes, im, what)) compared++;
    }
    // Both outcomes must occur, or the mutations are not reaching the fields that matter.
    assert.ok(accepted > 100 && refused > 100 && compared > 100, `accepted ${accepted}, refused ${refused}, compared ${compared}`);
  });
});
