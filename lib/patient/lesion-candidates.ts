/**
 * Lesion candidates: the components of a predicted GTV mask, each described by the shape and surroundings that tell a
 * metastasis from the normal enhancing structures a 2D network mistakes for one (vessels, dura, falx, choroid
 * plexus). Metastases are compact, round and sit in brain tissue; those structures are small, tubular or sheet-like,
 * and lie in or against CSF and other enhancing tissue. The patient model (lib/patient/patient-model.ts) screens the
 * components with a logistic regression on these features before it measures the lesions' phenotypes: a trained
 * network's false components are frequent and much smaller than its true ones (the quality run's counts:
 * docs/model-spec.md, "Measurements behind some defaults").
 *
 * Candidates are the components (26-connectivity) that pass the lesion size rule of lib/patient/lesion-phenotype.ts
 * (`isLesionSized`). Features, per candidate:
 * - `log_volume`: ln(volume in mm³);
 * - `linearity` and `flatness`: ½ ln(λ1 / λ2) and ½ ln(λ2 / λ3), with λ1 ≥ λ2 ≥ λ3 the eigenvalues of the covariance
 *   of the component's points in mm, each voxel a uniform box (its own variance s²/12 added per axis, so that a
 *   one-slice component has a finite flatness). A ball scores 0 on both; a tube has a high linearity, a sheet a high
 *   flatness;
 * - `dark_rim` and `bright_rim`: the shares of the voxels outside the mask within `rimMm` of the component (Euclidean,
 *   in mm) darker than `tissueRange[0]` or brighter than `tissueRange[1]` times the patient's reference intensity
 *   (the same window as the phenotype shells): CSF around a vessel or a sulcus, enhancing tissue around dura and
 *   plexus. A tumour's rim is brain tissue or dark-but-not-CSF oedema.
 */
import { symmetricEigen3 } from '../util/symmetric-eigen3';
import { boundingBoxes, connectedComponents, type BoundingBox, type Components } from '../volume/components';
import type { Vec3 } from '../volume/volume';
import { componentDistances } from './component-distance';
import { isLesionSized, referenceIntensity, type LesionPhenotypeOptions, type PhenotypeInput } from './lesion-phenotype';

export const LESION_CANDIDATE_FEATURES = ['log_volume', 'linearity', 'flatness', 'dark_rim', 'bright_rim'] as const;

/** Default width of the rim around a candidate: two voxels of the synthetic cohort's 1.5 mm grid. */
export const DEFAULT_RIM_MM = 3;

export interface LesionCandidate {
  /** The component's label in `CandidateSet.components.labels`. */
  label: number;
  volumeMm3: number;
  /** In the order of LESION_CANDIDATE_FEATURES. */
  features: number[];
}

export interface CandidateSet {
  components: Components;
  candidates: LesionCandidate[];
}

/** The candidates of a mask on an image's grid. */
export function lesionCandidates(
  input: PhenotypeInput,
  measurement: Pick<LesionPhenotypeOptions, 'minVolumeMm3' | 'minExtentMm' | 'tissueRange'>,
  rimMm = DEFAULT_RIM_MM,
): CandidateSet {
  const { dims, spacing } = input;
  const n = dims[0] * dims[1] * dims[2];
  if (input.image.length !== n || input.mask.length !== n) throw new RangeError(`image (${input.image.length}) and mask (${input.mask.length}) must both hold ${n} voxels`);
  if (!(rimMm > 0)) throw new RangeError(`rimMm must be > 0, got ${rimMm}`);
  const components = connectedComponents(input.mask, dims, 26);
  const boxes = boundingBoxes(components.labels, dims, components.count);
  const voxelMm3 = spacing[0] * spacing[1] * spacing[2];
  const reference = components.count > 0 ? referenceIntensity(input.image) : NaN;
  const candidates: LesionCandidate[] = [];
  for (let c = 1; c <= components.count; c++) {
    const box = boxes[c - 1]!;
    const volumeMm3 = components.sizes[c - 1] * voxelMm3;
    if (!isLesionSized(volumeMm3, box, spacing, measurement)) continue;
    const [linearity, flatness] = shapeOf(components.labels, c, box, dims, spacing);
    const [darkRim, brightRim] = rimShares(input, components.labels, c, box, reference, measurement.tissueRange, rimMm);
    candidates.push({ label: c, volumeMm3, features: [Math.log(volumeMm3), linearity, flatness, darkRim, brightRim] });
  }
  return { components, candidates };
}

/** A mask of the components whose labels are in `keep`. */
export function keepComponents(components: Components, keep: Iterable<number>): Uint8Array {
  const kept = new Uint8Array(components.count + 1);
  for (const c of keep) kept[c] = 1;
  const out = new Uint8Array(components.labels.length);
  for (let i = 0; i < out.length; i++) out[i] = kept[components.labels[i]];
  return out;
}

function shapeOf(labels: Int32Array, c: number, box: BoundingBox, dims: Vec3, spacing: Vec3): [number, number] {
  const [nx, ny] = dims;
  const sum = [0, 0, 0];
  const cross = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let count = 0;
  for (let k = box.min[2]; k <= box.max[2]; k++)
    for (let j = box.min[1]; j <= box.max[1]; j++)
      for (let i = box.min[0]; i <= box.max[0]; i++) {
        if (labels[i + nx * (j + ny * k)] !== c) continue;
        const p = [i * spacing[0], j * spacing[1], k * spacing[2]];
        count++;
        for (let a = 0; a < 3; a++) {
          sum[a] += p[a];
          for (let b = 0; b < 3; b++) cross[a][b] += p[a] * p[b];
        }
      }
  const cov = cross.map((row, a) => row.map((v, b) => v / count - (sum[a] / count) * (sum[b] / count) + (a === b ? spacing[a] ** 2 / 12 : 0)));
  const [l1, l2, l3] = symmetricEigen3(cov).values.sort((x, y) => y - x);
  return [0.5 * Math.log(l1 / l2), 0.5 * Math.log(l2 / l3)];
}

function rimShares(input: PhenotypeInput, labels: Int32Array, c: number, box: BoundingBox, reference: number, tissueRange: [number, number], rimMm: number): [number, number] {
  const { d2, index } = componentDistances(labels, c, box, input.dims, input.spacing, rimMm);
  let rim = 0;
  let dark = 0;
  let bright = 0;
  for (let r = 0; r < d2.length; r++) {
    const v = index(r);
    if (input.mask[v] > 0 || d2[r] > rimMm * rimMm) continue;
    rim++;
    const rel = input.image[v] / reference;
    if (rel < tissueRange[0]) dark++;
    else if (rel > tissueRange[1]) bright++;
  }
  return rim > 0 ? [dark / rim, bright / rim] : [0, 0];
}
