import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelFileError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';

/** The format name written into every manifest. */
export const MODEL_FILE_FORMAT = 'egfr-gtv-model';
/** The manifest version this code writes; it reads only versions it knows. */
export const MODEL_FILE_VERSION = 1;
export const MODEL_MANIFEST = 'model.json';
export const MODEL_WEIGHTS = 'weights.bin';

type WeightDtype = 'float32' | 'int32' | 'bool';

/** Where one tensor lies in weights.bin. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  /** Byte offset in weights.bin (a multiple of 4). */
  offset: number;
  /** Byte length. */
  length: number;
}

/** The JSON manifest (`model.json`). */
export interface ModelManifest<C = unknown, M = unknown> {
  format: typeof MODEL_FILE_FORMAT;
  formatVersion: number;
  config: C;
  meta?: M;
  weights: { file: string; bytes: number; sha256: string; specs: WeightSpec[] };
}

export interface LoadedModelFile<C = unknown, M = unknown> {
  config: C;
  /** Fresh tensors, in the order they were saved; the caller disposes them. */
  weights: Record<string, tf.Tensor>;
  meta: M | undefined;
  formatVersion: number;
}

const BYTES: Record<WeightDtype, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Saves a model as a folder: `weights.bin` (all tensors, 4-byte aligned) and `model.json` (format name and version,
 * the config, optional meta, and per tensor its name, shape, dtype, byte offset and length, plus the sha256 of the
 * bin). Each file is written to `<file>.tmp` then renamed; the bin goes first and the manifest last, so the manifest
 * on disk always describes a complete bin, and a crash between the two is caught by the checksum on load.
 */
export async function saveModelFile<C, M = unknown>(
  dir: string,
  model: { config: C; weights: tf.NamedTensorMap | Record<string, tf.Tensor>; meta?: M },
): Promise<void> {
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(model.weights)) {
    const dtype = tensor.dtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new ModelFileError(`weight '${name}' has dtype ${dtype}; only float32, int32 and bool are stored`, dir);
    }
    const data = await tensor.data();
    const bytes =
      dtype === 'bool'
        ? Uint8Array.from(data as Uint8Array | Int32Array)
        : new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    specs.push({ name, shape: [...tensor.shape], dtype, offset, length: bytes.byteLength });
    chunks.push(bytes);
    const padded = Math.ceil(bytes.byteLength / 4) * 4;
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
  }
  const bin = Buffer.concat(chunks);
  const manifest: ModelManifest<C, M> = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_VERSION,
    config: model.config,
    ...(model.meta !== undefined ? { meta: model.meta } : {}),
    weights: { file: MODEL_WEIGHTS, bytes: bin.byteLength, sha256: sha256(bin), specs },
  };
  try {
    await fs.mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, MODEL_WEIGHTS), bin);
    await writeFileAtomic(join(dir, MODEL_MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
  } catch (err) {
    throw new ModelFileError(`cannot write the model: ${(err as Error).message}`, dir);
  }
}

/**
 * Reads and validates a model folder's manifest only (nothing is allocated, weights.bin is not read). A model folder
 * is data: JSON and raw tensor bytes, nothing in it is executed or required, and its weights file must be a plain
 * file name inside the folder.
 */
export async function readModelManifest<C = unknown, M = unknown>(dir: string): Promise<ModelManifest<C, M>> {
  const manifestPath = join(dir, MODEL_MANIFEST);
  return parseManifest(await readOrThrow(dir, manifestPath, 'utf8'), manifestPath) as ModelManifest<C, M>;
}

/**
 * Loads a folder written by `saveModelFile`, checking the format version, the bin's size and its checksum.
 * `options.check` sees the validated manifest before weights.bin is read or any tensor allocated, and throws to
 * refuse it (lib/model/file.ts checks every shape against the model its config describes).
 */
export async function loadModelFile<C = unknown, M = unknown>(
  dir: string,
  options: { check?: (manifest: ModelManifest<C, M>) => void } = {},
): Promise<LoadedModelFile<C, M>> {
  const manifest = await readModelManifest<C, M>(dir);
  options.check?.(manifest);
  const binPath = join(dir, manifest.weights.file);
  // The size first, so a lying manifest or a huge file is refused before it is read into memory.
  const size = await fs.stat(binPath).then((st) => (st.isFile() ? st.size : -1), () => null);
  if (size !== null && size !== manifest.weights.bytes) {
    throw new ModelFileError(
      size < 0 ? 'is not a file' : `has ${size} bytes but ${MODEL_MANIFEST} expects ${manifest.weights.bytes} (truncated or replaced)`,
      binPath,
    );
  }
  const bin = await readOrThrow(dir, binPath);
  if (bin.byteLength !== manifest.weights.bytes) {
    throw new ModelFileError(
      `has ${bin.byteLength} bytes but ${MODEL_MANIFEST} expects ${manifest.weights.bytes} (truncated or replaced)`,
      binPath,
    );
  }
  if (sha256(bin) !== manifest.weights.sha256) {
    throw new ModelFileError(`checksum does not match ${MODEL_MANIFEST} (the bin was changed or half-written)`, binPath);
  }
  const weights: Record<string, tf.Tensor> = {};
  for (const spec of manifest.weights.specs) {
    // parseManifest refused duplicate and prototype names, so each assignment makes one own property.
    const bytes = bin.subarray(spec.offset, spec.offset + spec.length);
    // Copy into a fresh, aligned buffer: a Node Buffer's offset into its pool is not 4-byte aligned in general.
    const own = new Uint8Array(bytes).buffer;
    const values = spec.dtype === 'float32' ? new Float32Array(own) : spec.dtype === 'int32' ? new Int32Array(own) : new Uint8Array(own);
    weights[spec.name] = tf.tensor(values, spec.shape, spec.dtype);
  }
  return { config: manifest.config, weights, meta: manifest.meta, formatVersion: manifest.formatVersion };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readOrThrow(dir: string, path: string): Promise<Buffer>;
async function readOrThrow(dir: string, path: string, encoding: 'utf8'): Promise<string>;
async function readOrThrow(dir: string, path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await fs.readFile(path, encoding) : await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ModelFileError(`cannot read: ${(err as Error).message}`, path);
    }
    const dirExists = await fs.stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    throw dirExists
      ? new ModelFileError('missing from the model folder', path)
      : new ModelFileError('model folder does not exist', dir);
  }
}

/** Parses and validates the manifest, so that every later access can trust its shape. */
function parseManifest(text: string, path: string): ModelManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`is not valid JSON: ${(err as Error).message}`, path);
  }
  const bad = (what: string) => new ModelFileError(what, path);
  if (typeof m !== 'object' || m === null) throw bad('is not a JSON object');
  const o = m as Record<string, unknown>;
  if (o.format !== MODEL_FILE_FORMAT) throw bad(`format is '${String(o.format)}', expected '${MODEL_FILE_FORMAT}'`);
  if (o.formatVersion !== MODEL_FILE_VERSION) {
    throw bad(`format version ${String(o.formatVersion)} is not supported (this egfr-gtv reads version ${MODEL_FILE_VERSION})`);
  }
  if (!('config' in o)) throw bad('has no config');
  const w = o.weights as Record<string, unknown> | undefined;
  if (typeof w !== 'object' || w === null || typeof w.bytes !== 'number' || typeof w.sha256 !== 'string' || !Array.isArray(w.specs)) {
    throw bad('has no valid weights section (file, bytes, sha256, specs)');
  }
  // The weights file is a plain name inside the folder: no separator, no '..', no drive or stream (':').
  if (typeof w.file !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(w.file) || w.file.includes('..')) {
    throw bad(`weights.file ${JSON.stringify(w.file)} is not a file name inside the model folder`);
  }
  if (!Number.isSafeInteger(w.bytes) || w.bytes < 0) throw bad(`weights.bytes ${String(w.bytes)} is not a byte count`);
  const names = new Set<string>();
  for (const s of w.specs as WeightSpec[]) {
    const dtypeOk = typeof s === 'object' && s !== null && (s.dtype === 'float32' || s.dtype === 'int32' || s.dtype === 'bool');
    const shapeOk = dtypeOk && Array.isArray(s.shape) && s.shape.length <= 8 && s.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (!shapeOk || typeof s.name !== 'string' || !Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.length)) {
      throw bad(`has a malformed weight spec: ${JSON.stringify(s)?.slice(0, 200)}`);
    }
    if (s.name === '__proto__' || s.name === 'constructor' || s.name === 'prototype') throw bad(`weight name '${s.name}' is not allowed`);
    if (names.has(s.name)) throw bad(`weight '${s.name}' is listed twice`);
    names.add(s.name);
    const expected = s.shape.reduce((a, b) => a * b, 1) * BYTES[s.dtype];
    if (!Number.isSafeInteger(expected) || s.length !== expected || s.offset < 0 || s.offset + s.length > w.bytes) {
      throw bad(`weight '${s.name}' does not fit: shape ${JSON.stringify(s.shape)} ${s.dtype} at ${s.offset}+${s.length}`);
    }
  }
  return m as ModelManifest;
}
