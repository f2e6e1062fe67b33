import { inflateSync } from 'node:zlib';
import { DatasetError } from '../errors';

/**
 * A minimal PNG decoder for image-stack datasets (BrainMetShare): non-interlaced greyscale, grey+alpha, RGB, RGBA and
 * palette images at every legal bit depth, with CRC and filter checks. Colour images are reduced to one grey value
 * per pixel (exact when R = G = B, as in MR exports; otherwise ITU-R BT.601 luma). Alpha is ignored.
 */
export interface GreyImage {
  width: number;
  height: number;
  /** Row-major grey values, row 0 first (the top of the picture). */
  data: Float32Array;
  bitDepth: number;
  colorType: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Samples per pixel for each colour type, and the bit depths the standard allows. */
const COLOR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

export function decodePng(bytes: Uint8Array, file: string): GreyImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new DatasetError('not a PNG file (bad signature)', file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos < bytes.length && !ended) {
    if (pos + 12 > bytes.length) throw new DatasetError(`truncated PNG chunk at byte ${pos}`, file);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) throw new DatasetError(`truncated PNG chunk '${type}' at byte ${pos}`, file);
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) {
      throw new DatasetError(`corrupt PNG: CRC mismatch in chunk '${type}'`, file);
    }
    if (type === 'IHDR') {
      if (length !== 13) throw new DatasetError('corrupt PNG: IHDR is not 13 bytes', file);
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      bitDepth = body[8];
      colorType = body[9];
      if (body[12] !== 0) throw new DatasetError('interlaced (Adam7) PNG is not supported', file);
    } else if (type === 'PLTE') {
      palette = body;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      ended = true;
    }
    pos += 12 + length;
  }
  const ct = COLOR_TYPES[colorType];
  if (!ct || !ct.depths.includes(bitDepth)) throw new DatasetError(`unsupported PNG colour type ${colorType} / bit depth ${bitDepth}`, file);
  if (!(width >= 1 && height >= 1)) throw new DatasetError(`PNG has size ${width}x${height}`, file);
  if (colorType === 3 && !palette) throw new DatasetError('palette PNG without PLTE chunk', file);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (err) {
    throw new DatasetError(`corrupt PNG image data (${(err as Error).message})`, file);
  }
  const bitsPerPixel = ct.samples * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  if (raw.length < height * (stride + 1)) {
    throw new DatasetError(`PNG image data holds ${raw.length} bytes, ${width}x${height} needs ${height * (stride + 1)}`, file);
  }
  const pixels = unfilter(raw, height, stride, Math.max(1, bitsPerPixel >> 3), file);
  return { width, height, bitDepth, colorType, data: toGrey(pixels, width, height, stride, ct.samples, bitDepth, colorType, palette, file) };
}

function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number, file: string): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? out.subarray((y - 1) * stride, y * stride) : undefined;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = prev ? prev[x] : 0;
      const c = prev && x >= bpp ? prev[x - bpp] : 0;
      let pred: number;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new DatasetError(`corrupt PNG: unknown filter type ${filter} on row ${y}`, file);
      }
      row[x] = (src[x] + pred) & 0xff;
    }
  }
  return out;
}

function toGrey(
  px: Uint8Array,
  width: number,
  height: number,
  stride: number,
  samples: number,
  depth: number,
  colorType: number,
  palette: Uint8Array | undefined,
  file: string,
): Float32Array {
  const out = new Float32Array(width * height);
  const sample = (row: number, index: number): number => {
    const base = row * stride;
    if (depth === 8) return px[base + index];
    if (depth === 16) return (px[base + 2 * index] << 8) | px[base + 2 * index + 1];
    const perByte = 8 / depth;
    const byte = px[base + Math.floor(index / perByte)];
    const shift = 8 - depth * ((index % perByte) + 1);
    return (byte >> shift) & ((1 << depth) - 1);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let g: number;
      if (colorType === 3) {
        const i = sample(y, x);
        if (3 * i + 2 >= palette!.length) throw new DatasetError(`corrupt PNG: palette index ${i} out of range`, file);
        g = rgbToGrey(palette![3 * i], palette![3 * i + 1], palette![3 * i + 2]);
      } else if (samples >= 3) {
        g = rgbToGrey(sample(y, samples * x), sample(y, samples * x + 1), sample(y, samples * x + 2));
      } else {
        g = sample(y, samples * x);
      }
      out[y * width + x] = g;
    }
  }
  return out;
}

function rgbToGrey(r: number, g: number, b: number): number {
  return r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
}
