import { ConfigError } from '../errors';
import type { Connectivity } from '../volume/components';
import { lesionDetection } from './lesions';
import { assertSameGrid, binarise, type MaskGrid } from './mask';
import { percentile } from '../util/percentile';
import { surfaceDistances } from './surface-distance';

/**
 * What a distance metric is when exactly one of the two masks is empty (there is no surface to measure to):
 * 'nan' (the default) leaves it undefined, so an average over patients must count such cases explicitly (JSON
 * writes it as null); 'diagonal' uses the length of the image diagonal in mm, the largest distance the grid allows,
 * as a finite penalty.
 */
export type EmptyDistance = 'nan' | 'diagonal';

export interface SegmentationMetricsOptions {
  /** Percentile of the directed surface distances for the Hausdorff distance (the `hd95` field); 95 gives HD95. */
  hausdorffPercentile: number;
  emptyDistance: EmptyDistance;
  /** Voxel connectivity that joins voxels into lesions for the lesion-wise metrics. */
  connectivity: Connectivity;
}

export const defaultSegmentationMetricsOptions: SegmentationMetricsOptions = {
  hausdorffPercentile: 95,
  emptyDistance: 'nan',
  connectivity: 26,
};

/**
 * Voxel-overlap and surface-distance metrics of one patient in 3D. With P the predicted voxels, G the ground-truth
 * voxels (both binarised as value > 0) and TP = |P ∩ G|:
 * - dice = 2·TP / (|P| + |G|); iou = TP / |P ∪ G|;
 * - sensitivity = TP / |G| (voxel recall); precision = TP / |P|;
 * - hd95 (mm) = max(p95(d(P→G)), p95(d(G→P))), where d(A→B) are the distances from every surface voxel of A to the
 *   nearest surface voxel of B (voxel centres, with the spacing; surface as in `surfaceVoxels`) and p95 is the
 *   95th percentile with numpy's linear interpolation. This is MONAI's `compute_hausdorff_distance(percentile=95)`;
 * - assd (mm) = (Σ d(P→G) + Σ d(G→P)) / (#surface voxels of P + #surface voxels of G), the mean over both sets;
 * - lesionSensitivity, lesionFalsePositives and the lesion counts as `lesionDetection` (connected components; a
 *   ground-truth lesion is detected when any predicted voxel overlaps it).
 *
 * Empty masks: when both are empty the prediction is perfect, so dice, iou, sensitivity and precision are 1 and
 * hd95 and assd are 0. Otherwise a ratio with a zero denominator is NaN (sensitivity with an empty ground truth,
 * precision with an empty prediction), dice and iou are 0 when one mask is empty, and the distances follow
 * `options.emptyDistance`.
 */
export interface SegmentationMetrics {
  dice: number;
  iou: number;
  /** mm */
  hd95: number;
  /** mm */
  assd: number;
  sensitivity: number;
  precision: number;
  /** Detected ground-truth lesions / ground-truth lesions. */
  lesionSensitivity: number;
  /** Predicted components that overlap no ground-truth voxel. */
  lesionFalsePositives: number;
  gtLesions: number;
  predLesions: number;
  predVoxels: number;
  gtVoxels: number;
  /** Voxels in both masks. */
  overlapVoxels: number;
  /** Volume of the predicted mask in millilitres. */
  predVolumeMl: number;
  /** Volume of the ground-truth mask in millilitres. */
  gtVolumeMl: number;
}

/** The keys results tables and `egfr-gtv metrics seg --json` use (snake case, distances with their unit). */
export interface SegmentationReportRow {
  dice: number;
  iou: number;
  hd95_mm: number;
  assd_mm: number;
  sensitivity: number;
  precision: number;
  lesion_sensitivity: number;
  lesion_fp: number;
  gt_lesions: number;
  pred_lesions: number;
  gt_volume_ml: number;
  pred_volume_ml: number;
}

/** One row of `SegmentationReportRow` keys from computed metrics, shared by the metrics command and evaluation. */
export function segmentationReportRow(m: SegmentationMetrics): SegmentationReportRow {
  return {
    dice: m.dice,
    iou: m.iou,
    hd95_mm: m.hd95,
    assd_mm: m.assd,
    sensitivity: m.sensitivity,
    precision: m.precision,
    lesion_sensitivity: m.lesionSensitivity,
    lesion_fp: m.lesionFalsePositives,
    gt_lesions: m.gtLesions,
    pred_lesions: m.predLesions,
    gt_volume_ml: m.gtVolumeMl,
    pred_volume_ml: m.predVolumeMl,
  };
}

export function segmentationMetrics(
  pred: MaskGrid,
  gt: MaskGrid,
  options: Partial<SegmentationMetricsOptions> = {},
): SegmentationMetrics {
  const o = { ...defaultSegmentationMetricsOptions, ...options };
  if (!(o.hausdorffPercentile >= 0 && o.hausdorffPercentile <= 100)) {
    throw new ConfigError(`hausdorffPercentile must be in [0, 100], got ${o.hausdorffPercentile}`);
  }
  if (o.emptyDistance !== 'nan' && o.emptyDistance !== 'diagonal') {
    throw new ConfigError(`emptyDistance must be 'nan' or 'diagonal', got '${String(o.emptyDistance)}'`);
  }
  assertSameGrid(pred, gt);
  const p = binarise(pred.data);
  const g = binarise(gt.data);
  let nP = 0;
  let nG = 0;
  let tp = 0;
  for (let i = 0; i < p.length; i++) {
    nP += p[i];
    nG += g[i];
    tp += p[i] & g[i];
  }
  const [sx, sy, sz] = gt.spacing;
  const voxelMl = (sx * sy * sz) / 1000;
  const lesions = lesionDetection(p, g, gt.dims, o.connectivity);
  const counts = {
    lesionSensitivity: lesions.sensitivity,
    lesionFalsePositives: lesions.falsePositives,
    gtLesions: lesions.gtLesions,
    predLesions: lesions.predLesions,
    predVoxels: nP,
    gtVoxels: nG,
    overlapVoxels: tp,
    predVolumeMl: nP * voxelMl,
    gtVolumeMl: nG * voxelMl,
  };
  if (nP === 0 && nG === 0) {
    return { dice: 1, iou: 1, hd95: 0, assd: 0, sensitivity: 1, precision: 1, ...counts };
  }
  const overlap = {
    dice: (2 * tp) / (nP + nG),
    iou: tp / (nP + nG - tp),
    sensitivity: nG > 0 ? tp / nG : NaN,
    precision: nP > 0 ? tp / nP : NaN,
  };
  if (nP === 0 || nG === 0) {
    const d = o.emptyDistance === 'diagonal' ? Math.hypot(...gt.dims.map((n, a) => n * gt.spacing[a])) : NaN;
    return { ...overlap, hd95: d, assd: d, ...counts };
  }
  const { predToGt, gtToPred } = surfaceDistances(p, g, gt.dims, gt.spacing);
  const hd95 = Math.max(percentile(predToGt, o.hausdorffPercentile), percentile(gtToPred, o.hausdorffPercentile));
  let sum = 0;
  for (const v of predToGt) sum += v;
  for (const v of gtToPred) sum += v;
  const assd = sum / (predToGt.length + gtToPred.length);
  return { ...overlap, hd95, assd, ...counts };
}
