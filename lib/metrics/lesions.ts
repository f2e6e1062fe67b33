import { connectedComponents, type Connectivity } from '../volume/components';
import type { Vec3 } from '../volume/volume';

/** Connected-component label maps of the predicted and ground-truth masks on one grid (0 = background, 1..count). */
export interface LabelledMasks {
  pred: ArrayLike<number>;
  predCount: number;
  gt: ArrayLike<number>;
  gtCount: number;
}

/**
 * Lesion-wise detection of one patient. Lesions are the connected components of each binarised mask. A ground-truth
 * lesion is detected when at least one predicted voxel lies inside it; a predicted component is a false positive when
 * none of its voxels lies inside any ground-truth lesion.
 * - sensitivity = detected ground-truth lesions / ground-truth lesions; 1 when both masks have no lesion (nothing to
 *   find, nothing falsely found), NaN when only the prediction has lesions (nothing to find: undefined, as the voxel
 *   sensitivity);
 * - falsePositives = the count of false-positive predicted components (0 when the prediction is empty).
 */
export interface LesionDetection {
  gtLesions: number;
  predLesions: number;
  detectedLesions: number;
  falsePositives: number;
  sensitivity: number;
}

/** `LesionDetection` from component label maps; see there for the overlap rule. */
export function lesionDetectionFromLabels(m: LabelledMasks): LesionDetection {
  if (m.pred.length !== m.gt.length) throw new RangeError(`label maps differ in size: ${m.pred.length} vs ${m.gt.length}`);
  const gtHit = new Uint8Array(m.gtCount + 1);
  const predHit = new Uint8Array(m.predCount + 1);
  for (let i = 0; i < m.gt.length; i++) {
    const g = m.gt[i];
    const p = m.pred[i];
    if (g > 0 && p > 0) {
      gtHit[g] = 1;
      predHit[p] = 1;
    }
  }
  let detected = 0;
  for (let c = 1; c <= m.gtCount; c++) detected += gtHit[c];
  let matchedPred = 0;
  for (let c = 1; c <= m.predCount; c++) matchedPred += predHit[c];
  let sensitivity: number;
  if (m.gtCount > 0) sensitivity = detected / m.gtCount;
  else sensitivity = m.predCount === 0 ? 1 : NaN;
  return {
    gtLesions: m.gtCount,
    predLesions: m.predCount,
    detectedLesions: detected,
    falsePositives: m.predCount - matchedPred,
    sensitivity,
  };
}

/**
 * `LesionDetection` of two binary masks on one grid, lesions being connected components with the given connectivity
 * (26, the default, joins voxels that touch by a face, an edge or a corner; 6 by a face only).
 */
export function lesionDetection(pred: ArrayLike<number>, gt: ArrayLike<number>, dims: Vec3, connectivity: Connectivity = 26): LesionDetection {
  const p = connectedComponents(pred, dims, connectivity);
  const g = connectedComponents(gt, dims, connectivity);
  return lesionDetectionFromLabels({ pred: p.labels, predCount: p.count, gt: g.labels, gtCount: g.count });
}
