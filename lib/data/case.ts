import { DatasetError } from '../errors';
import { applyNonFiniteRule } from '../io/non-finite';
import { affinesClose } from '../volume/affine';
import type { Volume } from '../volume/volume';
import type { EgfrScheme } from './egfr';

/**
 * One imaging case (one patient at one time point) behind a common interface for every layout. Nothing is read
 * until asked: `loadImage` and `loadMask` read from disk on each call, so a cohort larger than memory can be streamed
 * case by case.
 *
 * Sequence names are canonical across layouts where the layout defines them: t1 (pre-contrast T1), t1c
 * (post-contrast T1), t2, flair, plus layout-specific extras (see each layout). The project-native layout uses its
 * file names as they are.
 */
export interface Case {
  id: string;
  /** Several cases of one patient (time points) share it; splits never separate them. */
  patientId: string;
  sequences: string[];
  /** Path of each sequence's file (or folder, for PNG stacks). */
  files: Record<string, string>;
  loadImage(sequence: string): Promise<Volume<Float32Array>>;
  /** Region masks this case has: 'gtv' always when it has a mask; layouts with label maps add e.g. 'edema'. */
  masks: string[];
  maskFiles: Record<string, string>;
  /** A 0/1 mask on the images' grid; a DatasetError when the case has no such mask. */
  loadMask(region?: string): Promise<Volume<Uint8Array>>;
  labels: CaseLabels;
}

export interface CaseLabels {
  /** Class index under the dataset's scheme, or null when unknown. */
  egfr: number | null;
  centre?: string;
  /** Every other column of the labels table: numbers where the cell parses as one, else the text. */
  clinical: Record<string, string | number>;
}

export interface Dataset {
  root: string;
  layout: string;
  scheme: EgfrScheme;
  classNames: string[];
  cases: Case[];
  /** Rows of a side table of labels that matched no case (a typo in an id would otherwise go unnoticed). */
  unmatchedLabelRows: string[];
}

export interface LoadedCase {
  images: Record<string, Volume<Float32Array>>;
  mask?: Volume<Uint8Array>;
}

/** Grids closer than this (mm, per affine entry) count as the same; float32 headers written by two tools differ. */
const GRID_ATOL = 1e-3;

/**
 * Reads the given sequences (default all) and the GTV mask when the case has one, and checks what a training or
 * evaluation step relies on: each requested sequence exists, every image is finite (or its NaN and infinite voxels
 * replaced by 0, under `withNonFinite('zero', ...)`, lib/io/non-finite.ts), and all images and the mask share one grid
 * (dims and affine). Any failure is a DatasetError naming the offending file.
 */
export async function loadCase(c: Case, sequences: string[] = c.sequences, withMask = true): Promise<LoadedCase> {
  for (const s of sequences) {
    if (!c.sequences.includes(s)) {
      throw new DatasetError(`case ${c.id} has no sequence '${s}' (it has ${c.sequences.join(', ') || 'none'})`, caseFolder(c));
    }
  }
  const images: Record<string, Volume<Float32Array>> = {};
  let ref: { file: string; volume: Volume<Float32Array> | Volume<Uint8Array> } | undefined;
  const checkGrid = (file: string, volume: Volume<Float32Array> | Volume<Uint8Array>) => {
    if (!ref) {
      ref = { file, volume };
      return;
    }
    const same = volume.dims.every((d, a) => d === ref!.volume.dims[a]) && affinesClose(volume.affine, ref.volume.affine, GRID_ATOL);
    if (!same) {
      throw new DatasetError(
        `grid ${volume.dims.join('x')} (affine ${JSON.stringify(volume.affine)}) differs from ${ref.file}: ` +
          `${ref.volume.dims.join('x')} (affine ${JSON.stringify(ref.volume.affine)}); resample it onto one grid first`,
        file,
      );
    }
  };
  for (const s of sequences) {
    const file = c.files[s];
    const v = await c.loadImage(s);
    // readNifti has applied the rule already; this covers the layouts' other readers (the rule is io's).
    applyNonFiniteRule(v.data, file);
    checkGrid(file, v);
    images[s] = v;
  }
  let mask: Volume<Uint8Array> | undefined;
  if (withMask && c.masks.includes('gtv')) {
    mask = await c.loadMask('gtv');
    checkGrid(c.maskFiles.gtv, mask);
  }
  return { images, mask };
}

function caseFolder(c: Case): string {
  const any = Object.values(c.files)[0] ?? Object.values(c.maskFiles)[0];
  return any ? any.replace(/[/\\][^/\\]*$/, '') : c.id;
}

/**
 * Turns a label image into a 0/1 mask of the voxels whose value is in `labels`, checking that every value is one
 * the layout defines (`allowed`), so a mask from another convention is refused instead of silently merged.
 */
export function labelMask(volume: Volume<Float32Array>, labels: number[], allowed: number[], file: string): Volume<Uint8Array> {
  const data = new Uint8Array(volume.data.length);
  const inSet = new Set(labels);
  const ok = new Set(allowed);
  /** Each value that is not allowed: how many voxels hold it, and the first of them. */
  const bad = new Map<number, { voxels: number; first: number }>();
  for (let i = 0; i < data.length; i++) {
    const v = volume.data[i];
    if (!ok.has(v)) {
      const b = bad.get(v);
      if (b) b.voxels++;
      else if (bad.size < 1000) bad.set(v, { voxels: 1, first: i });
      continue;
    }
    data[i] = inSet.has(v) ? 1 : 0;
  }
  if (bad.size > 0) {
    const entries = [...bad.entries()].sort((a, b) => a[1].first - b[1].first);
    const total = entries.reduce((s, [, b]) => s + b.voxels, 0);
    const [v0, b0] = entries[0];
    const listed = entries.slice(0, 5).map(([v, b]) => `${v} (${b.voxels} voxels)`).join(', ') + (entries.length > 5 ? ', ...' : '');
    throw new DatasetError(
      `mask value ${v0} at voxel ${b0.first} is not one of ${allowed.join(', ')}: ${total} voxels hold other values (${listed}); ` +
        `a mask in this layout is a label image with exactly these values (a resampled or probability mask must be thresholded first)`,
      file,
    );
  }
  return { data, dims: volume.dims, spacing: volume.spacing, affine: volume.affine };
}

/** A 0/1 mask of the voxels > 0 (layouts whose segmentation marks metastases with any positive value). */
export function positiveMask(volume: Volume<Float32Array>, file: string): Volume<Uint8Array> {
  const data = new Uint8Array(volume.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = volume.data[i];
    if (!Number.isFinite(v) || v < 0) throw new DatasetError(`mask value ${v} at voxel ${i} is not a label`, file);
    data[i] = v > 0 ? 1 : 0;
  }
  return { data, dims: volume.dims, spacing: volume.spacing, affine: volume.affine };
}
