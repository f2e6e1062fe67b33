import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { DatasetError } from '../../lib/errors';
import { decodePng, listPngSlices, readPngStack } from '../../lib/io';
import { crc32 } from '../../lib/io/png';

const PNG_DIR = join(__dirname, '..', 'fixtures', 'png');
const CASE = join(PNG_DIR, 'brainmetshare', 'mets_stanford_releaseMask_train', 'Mets_001');
/** The pixel formula of make_png_fixtures.py. */
const value = (x: number, y: number, s: number, c: number) => (7 * x + 11 * y + 13 * s + 29 * c) % 256;

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** An 8-bit greyscale PNG whose row y uses filter type y % 5, so every unfilter path is exercised. */
function encodeAllFilters(pixels: Uint8Array, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (width + 1)] = f;
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? pixels[y * width + x - 1] : 0;
      const b = y > 0 ? pixels[(y - 1) * width + x] : 0;
      const c = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      raw[y * (width + 1) + 1 + x] = (pixels[y * width + x] - pred) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('PNG decoding', () => {
  it('reverses all five filter types', () => {
    const w = 9;
    const h = 10;
    const px = Uint8Array.from({ length: w * h }, (_, i) => (i * 97 + (i >> 3) * 31) & 0xff);
    const img = decodePng(encodeAllFilters(px, w, h), 'filters.png');
    assert.deepEqual(Array.from(img.data), Array.from(px));
  });

  it('reads Pillow 9.4 PNGs of every colour type to the same grey values', () => {
    const expected = Array.from({ length: 12 * 16 }, (_, i) => value(i % 16, Math.floor(i / 16), 0, 0));
    for (const name of ['rgb_grey.png', 'palette.png', 'grey_alpha.png']) {
      const img = decodePng(readFileSync(join(PNG_DIR, name)), name);
      assert.equal(img.width, 16);
      assert.equal(img.height, 12);
      assert.deepEqual(Array.from(img.data), expected, name);
    }
    const g16 = decodePng(readFileSync(join(PNG_DIR, 'grey16.png')), 'grey16.png');
    assert.equal(g16.bitDepth, 16);
    assert.deepEqual(Array.from(g16.data), expected.map((v) => 257 * v));
    const bw = decodePng(readFileSync(join(PNG_DIR, 'bilevel.png')), 'bilevel.png');
    assert.equal(bw.bitDepth, 1);
    assert.deepEqual(Array.from(bw.data), expected.map((v) => (v > 127 ? 1 : 0)));
  });

  it('refuses a bad signature, a CRC mismatch and truncation, naming the file', () => {
    const good = readFileSync(join(PNG_DIR, 'rgb_grey.png'));
    const check = (bytes: Uint8Array, re: RegExp) =>
      assert.throws(() => decodePng(bytes, 'x.png'), (e: unknown) => e instanceof DatasetError && e.message.startsWith('x.png: ') && re.test(e.message));
    check(Buffer.from('GIF89a....'), /signature/);
    const flipped = Buffer.from(good);
    flipped[40] ^= 1;
    check(flipped, /CRC|corrupt/);
    check(good.subarray(0, 50), /truncated/);
  });
});

describe('PNG stacks', () => {
  it('sorts slices numerically and stacks them as z', async () => {
    const files = await listPngSlices(join(CASE, '0'));
    assert.deepEqual(files.map((f) => f.split('/').pop()), ['1.png', '2.png', '3.png', '10.png', '11.png']);
    const v = await readPngStack(join(CASE, '2'), [0.94, 0.94, 1]);
    assert.deepEqual(v.dims, [16, 12, 5]);
    assert.deepEqual(v.spacing, [0.94, 0.94, 1]);
    const slices = [1, 2, 3, 10, 11];
    slices.forEach((s, z) => assert.equal(v.data[5 + 16 * (7 + 12 * z)], value(5, 7, s, 2)));
  });

  it('maps mask values 255 to 1', async () => {
    const m = await readPngStack(join(CASE, 'seg'), [1, 1, 1], { mask: true });
    let n = 0;
    for (const x of m.data) n += x;
    assert.equal(n, 2 * 6 * 5);
    assert.equal(m.data[4 + 16 * (3 + 12 * 1)], 1);
    await assert.rejects(readPngStack(join(CASE, '0'), [1, 1, 1], { mask: true }), /neither 0 nor 255/);
  });
});
