import { promises as fs } from 'node:fs';
import { DatasetError } from '../../errors';
import { readNifti, type ReadNiftiOptions } from '../../io/nifti-read';
import type { Volume } from '../../volume/volume';
import type { Case, CaseLabels } from '../case';

/** How one region mask is made from a file: which file, and how its values become 0/1. */
export interface MaskSource {
  file: string;
  toMask(volume: Volume<Float32Array>, file: string): Volume<Uint8Array>;
}

/** Builds a lazily loading case from NIfTI (or other) files. */
export function makeCase(spec: {
  id: string;
  patientId: string;
  files: Record<string, string>;
  masks: Record<string, MaskSource>;
  labels: CaseLabels;
  /** Reads an image or a mask file (default `readNifti`); a mask is read with `{ nonFinite: 'keep' }`. */
  readImage?: (file: string, options?: ReadNiftiOptions) => Promise<Volume<Float32Array>>;
}): Case {
  const read = spec.readImage ?? readNifti;
  return {
    id: spec.id,
    patientId: spec.patientId,
    sequences: Object.keys(spec.files).sort(),
    files: spec.files,
    masks: Object.keys(spec.masks).sort(),
    maskFiles: Object.fromEntries(Object.entries(spec.masks).map(([k, m]) => [k, m.file])),
    labels: spec.labels,
    async loadImage(sequence: string) {
      const file = spec.files[sequence];
      if (!file) throw new DatasetError(`case ${spec.id} has no sequence '${sequence}'`, Object.values(spec.files)[0] ?? spec.id);
      return read(file);
    },
    async loadMask(region = 'gtv') {
      const m = spec.masks[region];
      if (!m) throw new DatasetError(`case ${spec.id} has no '${region}' mask`, Object.values(spec.files)[0] ?? spec.id);
      // Non-finite values are not replaced in a mask: its toMask refuses them as values that are not labels.
      return m.toMask(await read(m.file, { nonFinite: 'keep' }), m.file);
    },
  };
}

/** Sub-folders of a folder, sorted; a DatasetError naming it when it cannot be listed. */
export async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    throw new DatasetError(`cannot list folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, dir);
  }
}

export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (err) {
    throw new DatasetError(`cannot list folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, dir);
  }
}

export async function isDir(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The name of a NIfTI file without .nii or .nii.gz, or undefined for other files. */
export function niftiStem(name: string): string | undefined {
  const m = /^(.*)\.nii(\.gz)?$/i.exec(name);
  return m ? m[1] : undefined;
}
