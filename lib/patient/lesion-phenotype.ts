/**
 * Lesion phenotypes measured from a GTV mask and the post-contrast T1 image it was drawn on: what a radiologist reads
 * off a scan when judging EGFR status (docs/model-spec.md, "Patient model": more and smaller lesions, solid rather
 * than ring enhancement, less perilesional oedema). The patient-level EGFR model (lib/patient/patient-model.ts) reads
 * these numbers; the network's 2D slices alone can not count lesions across a volume.
 *
 * Definitions, per lesion (a connected component of the binarised mask, 26-connectivity):
 * - `diameterMm`: the diameter of the sphere of the component's volume, (6 V / π)^(1/3);
 * - `necroticFraction`: the share of the component's voxels darker than `necroticLevel` × the component's 90th
 *   intensity percentile (its enhancing rim): a necrotic core makes it large, a solid lesion keeps it near the
 *   partial-volume share of its edge;
 * - `shells[b]`: mean intensity, relative to the patient's reference, of the voxels outside every lesion whose
 *   distance to this lesion lies in [b, b + 1) × `shellWidth` × its radius (b = 0 .. shellCount - 1). Vasogenic
 *   oedema is hypointense on post-contrast T1, so a wide oedema keeps the outer shells dark. Only voxels between
 *   `tissueRange` × reference enter, so that CSF and enhancing vessels do not; a shell without such voxels is NaN.
 * - The reference is the 70th percentile of the voxels above 15% of the image's maximum (every 7th voxel: a
 *   percentile of millions of voxels needs no more): in a brain volume that lands in white matter.
 *
 * Components that can not be a lesion are left out: smaller than `minVolumeMm3`, or shorter than `minExtentMm` along
 * any axis. A 2D network's false positives are mostly single-slice specks; the smallest metastases reported (and
 * generated) are 3 mm across.
 */
import { ConfigError } from '../errors';
import { finiteMean } from '../util/finite-mean';
import { percentile } from '../util/percentile';
import { boundingBoxes, connectedComponents, type BoundingBox } from '../volume/components';
import { componentDistances } from './component-distance';
import type { Vec3 } from '../volume/volume';

export interface LesionPhenotypeOptions {
  minVolumeMm3: number;
  minExtentMm: number;
  necroticLevel: number;
  shellCount: number;
  /** Shell width as a fraction of the lesion's radius. */
  shellWidth: number;
  /** Intensities (relative to the reference) a shell voxel may have. */
  tissueRange: [number, number];
}

export const lesionPhenotypeDefaults: LesionPhenotypeOptions = {
  minVolumeMm3: 8,
  minExtentMm: 2.5,
  necroticLevel: 0.6,
  shellCount: 4,
  shellWidth: 0.5,
  tissueRange: [0.5, 1.15],
};

export interface MeasuredLesion {
  volumeMm3: number;
  diameterMm: number;
  necroticFraction: number;
  shells: number[];
}

export interface LesionMeasurement {
  /** The image intensity the shells are relative to. */
  reference: number;
  lesions: MeasuredLesion[];
}

/** An image and a mask on one grid (x fastest), with the voxel spacing in mm. */
export interface PhenotypeInput {
  image: ArrayLike<number>;
  mask: ArrayLike<number>;
  dims: Vec3;
  spacing: Vec3;
}

export function resolveLesionPhenotypeOptions(input: Partial<LesionPhenotypeOptions> = {}): LesionPhenotypeOptions {
  const o = { ...lesionPhenotypeDefaults, ...input };
  const positive = ['minExtentMm', 'necroticLevel', 'shellWidth'] as const;
  for (const k of positive) if (!(o[k] > 0)) throw new ConfigError(`lesion phenotype option ${k} must be > 0, got ${o[k]}`);
  if (!(o.minVolumeMm3 >= 0)) throw new ConfigError(`lesion phenotype option minVolumeMm3 must be >= 0, got ${o.minVolumeMm3}`);
  if (!(Number.isInteger(o.shellCount) && o.shellCount >= 1)) throw new ConfigError(`lesion phenotype option shellCount must be an integer >= 1, got ${o.shellCount}`);
  if (!(o.tissueRange[0] < o.tissueRange[1])) throw new ConfigError(`lesion phenotype tissueRange must be increasing, got ${o.tissueRange.join(', ')}`);
  return o;
}

export function measureLesions(input: PhenotypeInput, options: Partial<LesionPhenotypeOptions> = {}): LesionMeasurement {
  const o = resolveLesionPhenotypeOptions(options);
  const { image, mask, dims, spacing } = input;
  const n = dims[0] * dims[1] * dims[2];
  if (image.length !== n || mask.length !== n) throw new RangeError(`image (${image.length}) and mask (${mask.length}) must both hold ${n} voxels`);
  const reference = referenceIntensity(image);
  const components = connectedComponents(mask, dims, 26);
  const boxes = boundingBoxes(components.labels, dims, components.count);
  const voxelMm3 = spacing[0] * spacing[1] * spacing[2];
  const lesions: MeasuredLesion[] = [];
  for (let c = 1; c <= components.count; c++) {
    const box = boxes[c - 1]!;
    const volumeMm3 = components.sizes[c - 1] * voxelMm3;
    if (!isLesionSized(volumeMm3, box, spacing, o)) continue;
    const diameterMm = Math.cbrt((6 * volumeMm3) / Math.PI);
    const necroticFraction = necroticShare(input, components.labels, c, box, o.necroticLevel);
    const shells = shellProfile(input, components.labels, c, box, diameterMm / 2, reference, o);
    lesions.push({ volumeMm3, diameterMm, necroticFraction, shells });
  }
  return { reference, lesions };
}

/** Whether a component can be a lesion: at least `minVolumeMm3` and `minExtentMm` along every axis. */
export function isLesionSized(volumeMm3: number, box: BoundingBox, spacing: Vec3, o: Pick<LesionPhenotypeOptions, 'minVolumeMm3' | 'minExtentMm'>): boolean {
  return volumeMm3 >= o.minVolumeMm3 && [0, 1, 2].every((a) => (box.max[a] - box.min[a] + 1) * spacing[a] >= o.minExtentMm);
}

/** The patient's reference intensity (see the definitions above): white matter in a brain volume. */
export function referenceIntensity(image: ArrayLike<number>): number {
  const stride = 7;
  let max = -Infinity;
  for (let i = 0; i < image.length; i += stride) if (image[i] > max) max = image[i];
  const brain: number[] = [];
  for (let i = 0; i < image.length; i += stride) if (image[i] > 0.15 * max) brain.push(image[i]);
  const ref = percentile(brain, 70);
  if (!(ref > 0)) throw new RangeError('the image has no positive intensities to take a reference from');
  return ref;
}

function necroticShare(input: PhenotypeInput, labels: Int32Array, c: number, box: BoundingBox, necroticLevel: number): number {
  const [nx, ny] = input.dims;
  const values: number[] = [];
  for (let k = box.min[2]; k <= box.max[2]; k++)
    for (let j = box.min[1]; j <= box.max[1]; j++)
      for (let i = box.min[0]; i <= box.max[0]; i++) {
        const v = i + nx * (j + ny * k);
        if (labels[v] === c) values.push(input.image[v]);
      }
  const level = necroticLevel * percentile(values, 90);
  return values.filter((x) => x < level).length / values.length;
}

function shellProfile(input: PhenotypeInput, labels: Int32Array, c: number, box: BoundingBox, radiusMm: number, reference: number, o: LesionPhenotypeOptions): number[] {
  const { d2, index } = componentDistances(labels, c, box, input.dims, input.spacing, o.shellCount * o.shellWidth * radiusMm);
  const sums = new Float64Array(o.shellCount);
  const counts = new Float64Array(o.shellCount);
  const width = o.shellWidth * radiusMm;
  for (let r = 0; r < d2.length; r++) {
    const v = index(r);
    if (input.mask[v] > 0) continue;
    const shell = Math.floor(Math.sqrt(d2[r]) / width);
    if (shell >= o.shellCount) continue;
    const rel = input.image[v] / reference;
    if (rel < o.tissueRange[0] || rel > o.tissueRange[1]) continue;
    sums[shell] += rel;
    counts[shell]++;
  }
  return Array.from(sums, (s, b) => (counts[b] > 0 ? s / counts[b] : NaN));
}

/** Names of the patient features, in the order of `patientPhenotypeFeatures`. */
export function patientPhenotypeFeatureNames(shellCount = lesionPhenotypeDefaults.shellCount): string[] {
  return ['log1p_lesions', 'mean_log_diameter', 'min_log_diameter', 'mean_necrotic_fraction', ...Array.from({ length: shellCount }, (_, b) => `mean_shell_${b + 1}`)];
}

/**
 * One patient's feature vector: log(1 + lesion count), the mean and minimum of ln(diameter mm), the mean necrotic
 * fraction and the mean of each shell over the lesions. Means over no lesion (or over lesions whose shell is NaN) are
 * NaN: the logistic model imputes them (lib/patient/logistic-regression.ts).
 */
export function patientPhenotypeFeatures(m: LesionMeasurement, shellCount = lesionPhenotypeDefaults.shellCount): number[] {
  const L = m.lesions;
  const logD = L.map((l) => Math.log(l.diameterMm));
  return [
    Math.log1p(L.length),
    finiteMean(logD),
    L.length ? Math.min(...logD) : NaN,
    finiteMean(L.map((l) => l.necroticFraction)),
    ...Array.from({ length: shellCount }, (_, b) => finiteMean(L.map((l) => l.shells[b]))),
  ];
}
