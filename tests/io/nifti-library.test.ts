import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { NiftiError } from '../../lib/errors';
import { decodeNifti, readNifti } from '../../lib/io';
import { fixture } from './fixtures';

/**
 * nifti-reader-js parses our headers and cuts out the voxels; these are the places where it would read a file
 * differently from nibabel and us, and where our own code stays in charge (docs/io.md).
 */
describe('NIfTI parsing through nifti-reader-js: what stays ours', () => {
  const ch2 = () => Buffer.from(gunzipSync(readFileSync(fixture('ch2_crop.nii.gz'))));
  const nifti2 = () => Buffer.from(gunzipSync(readFileSync(fixture('nifti2_float64_qform.nii.gz'))));

  it('reads a file whose extension nifti-reader-js cannot parse (esize not a multiple of 16), as nibabel does', () => {
    const b = ch2();
    const ext = Buffer.alloc(20);
    ext.writeInt32LE(20, 0);
    ext.writeInt32LE(6, 4);
    const withExt = Buffer.concat([b.subarray(0, 348), Buffer.from([1, 0, 0, 0]), ext, b.subarray(352)]);
    withExt.writeFloatLE(352 + 20, 108);
    const plain = decodeNifti(b, 'plain.nii');
    const im = decodeNifti(withExt, 'ext.nii');
    assert.deepEqual(im.dims, plain.dims);
    assert.deepEqual(im.data, plain.data);
    // A set extension flag over an empty extension: nifti-reader-js throws a TypeError on the whole file (nibabel 5.0
    // refuses it too); we do not use extensions and read the image, as our parser always did.
    withExt.writeInt32LE(0, 352);
    assert.deepEqual(decodeNifti(withExt, 'ext0.nii').data, plain.data);
  });

  it('reads a file held in a view at an offset into a larger buffer (readImage offsets into the whole ArrayBuffer)', () => {
    const b = ch2();
    const padded = Buffer.concat([Buffer.alloc(13, 0xff), b, Buffer.alloc(7, 0xff)]);
    const im = decodeNifti(padded.subarray(13, 13 + b.length), 'view.nii');
    assert.deepEqual(im.data, decodeNifti(b, 'plain.nii').data);
  });

  it('reports a negative NIfTI-2 size as it is stored (nifti-reader-js reads int64 -1 as -2^64 - 1)', () => {
    const le = nifti2();
    le.writeBigInt64LE(-1n, 16 + 8);
    assert.throws(() => decodeNifti(le, 'n2.nii'), (e: unknown) => e instanceof NiftiError && /dim\[1\] = -1, sizes/.test(e.message));
  });

  it('stops descrip at the first NUL, as nifti1_io does (nifti-reader-js skips NULs and keeps what follows)', () => {
    const b = ch2();
    b.write('T1 crop\0stale bytes', 148, 'latin1');
    assert.equal(decodeNifti(b, 'd.nii').header.descrip, 'T1 crop');
  });

  it('refuses a magic with a fourth byte other than NUL, as nibabel does (nifti-reader-js checks three)', () => {
    const b = ch2();
    b.write('n+1X', 344, 'latin1');
    assert.throws(() => decodeNifti(b, 'm.nii'), /bad magic 'n\+1X'/);
  });

  describe('gunzip stays node:zlib', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'egfr-nifti-lib-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a stream whose CRC-32 does not match (nifti-reader-js decompress returns the corrupted bytes)', async () => {
      // A stored (level 0) deflate block: a flipped data byte still inflates, only the gzip trailer's CRC-32 tells.
      const gz = Buffer.from(gzipSync(ch2(), { level: 0 }));
      gz[5000] ^= 1;
      const file = join(dir, 'crc.nii.gz');
      writeFileSync(file, gz);
      await assert.rejects(readNifti(file), (e: unknown) => e instanceof NiftiError && /gzip stream \(incorrect data check\)/.test(e.message));
    });
  });
});
