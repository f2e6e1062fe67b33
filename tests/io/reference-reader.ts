import { readFileSync } from 'node:fs';

/**
 * Reads a NIfTI file with nifti-reader-js, an implementation independent of ours, and returns its header and voxels
 * (raw, unscaled, as float64) so tests can compare field by field.
 */
export async function readWithNiftiReaderJs(path: string) {
  const nifti = await import('nifti-reader-js');
  const file = readFileSync(path);
  let ab: ArrayBuffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(ab)) ab = nifti.decompress(ab) as ArrayBuffer;
  const header = nifti.readHeader(ab);
  const img = nifti.readImage(header, ab);
  const view = new DataView(img);
  const n = header.dims[1] * header.dims[2] * header.dims[3];
  const bytes = header.numBitsPerVoxel / 8;
  const raw = new Float64Array(n);
  const le = header.littleEndian;
  const get: Record<number, (o: number) => number> = {
    2: (o) => view.getUint8(o),
    256: (o) => view.getInt8(o),
    4: (o) => view.getInt16(o, le),
    512: (o) => view.getUint16(o, le),
    8: (o) => view.getInt32(o, le),
    16: (o) => view.getFloat32(o, le),
    64: (o) => view.getFloat64(o, le),
  };
  const read = get[header.datatypeCode];
  if (!read) throw new Error(`reference reader: datatype ${header.datatypeCode} not handled`);
  for (let i = 0; i < n; i++) raw[i] = read(i * bytes);
  return { header, raw };
}
