/**
 * Evaluation of a model on cases with ground truth, one patient at a time (so a cohort streams through memory):
 * - segmentation in 3D on the input's own grid and spacing (lib/metrics/segmentation.ts: Dice, IoU, HD95, ASSD,
 *   voxel sensitivity and precision, lesion-wise detection), for cases with a GTV mask;
 * - classification on the patient EGFR probability (lib/eval/predict.ts; with `patientModel` the fused one of
 *   lib/patient/patient-model.ts), mutant vs wild-type: AUC with a bootstrap interval, threshold metrics at `threshold`,
 *   Brier score; with three classes also the multi-class metrics (on the network's class probabilities).
 * Summary statistics of the segmentation are means (and medians) over patients; a metric that is NaN for a patient
 * (HD95 with an empty mask, under the 'nan' convention) is left out of its mean and the count of patients that
 * entered is reported.
 */
import type { CaseInput, PreparedCase } from '../preprocess/prepare-case';
import type { PreprocessConfig } from '../preprocess/config';
import { binaryClassificationReport, type BinaryClassificationReport } from '../metrics/classification-report';
import { rocAuc } from '../metrics/classification';
import { multiclassMetrics, type MulticlassMetrics } from '../metrics/multiclass';
import { percentile } from '../util/percentile';
import { segmentationMetrics, segmentationReportRow, type SegmentationMetricsOptions } from '../metrics/segmentation';
import type { MultiTaskModel } from '../model/multitask';
import { predictOnModelGrid, predictDefaults, predictCase, aggregateEgfr, type PredictOptions } from './predict';

export interface PatientRow {
  case_id: string;
  /** Class index, null when unknown. */
  label: number | null;
  /** The patient's P(any mutation): the patient model's fused output when the run has one, else the network's. */
  egfr_probability: number | null;
  /** Aggregated class probabilities (JSON array text in CSV). */
  class_probabilities: number[] | null;
  /** The network's aggregated slice probability (equal to egfr_probability without a patient model). */
  network_probability: number | null;
  /** The phenotype model's probability from the predicted lesions; null without a patient model. */
  phenotype_probability: number | null;
  dice: number | null;
  iou: number | null;
  hd95_mm: number | null;
  assd_mm: number | null;
  sensitivity: number | null;
  precision: number | null;
  lesion_sensitivity: number | null;
  lesion_fp: number | null;
  gt_lesions: number | null;
  pred_lesions: number | null;
  gt_volume_ml: number | null;
  pred_volume_ml: number | null;
}

export interface MetricSummary {
  mean: number | null;
  median: number | null;
  /** Patients whose value was finite and entered the statistics. */
  n: number;
}

export interface EvaluationSummary {
  patients: number;
  segmentation: Record<'dice' | 'iou' | 'hd95_mm' | 'assd_mm' | 'sensitivity' | 'precision' | 'lesion_sensitivity' | 'lesion_fp', MetricSummary> | null;
  /** Mutant vs wild-type on the patient probability; null without classifier or labels. */
  classification: BinaryClassificationReport | null;
  multiclass: MulticlassMetrics | null;
}

export interface EvaluateOptions extends PredictOptions {
  /** Threshold on the patient EGFR probability for the threshold metrics. Default 0.5. */
  egfrThreshold: number;
  segmentation: Partial<SegmentationMetricsOptions>;
  bootstrap: { replicates?: number; seed?: number };
  /** Called after each patient (progress). */
  onPatient?: (row: PatientRow, index: number) => void;
}

export function summarise(values: Array<number | null>): MetricSummary {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return { mean: null, median: null, n: 0 };
  return { mean: finite.reduce((a, b) => a + b, 0) / finite.length, median: percentile(finite, 50), n: finite.length };
}

/** One patient's row: predict, then score against its mask and label. */
export function evaluateCase(model: MultiTaskModel, input: CaseInput, config: PreprocessConfig, options: Partial<EvaluateOptions> = {}): PatientRow {
  const prediction = predictCase(model, input, config, options);
  const row: PatientRow = {
    case_id: input.id,
    label: input.label ?? null,
    egfr_probability: prediction.patient?.probability ?? prediction.egfr?.probability ?? null,
    class_probabilities: prediction.egfr?.classProbabilities ?? null,
    network_probability: prediction.egfr?.probability ?? null,
    phenotype_probability: prediction.patient?.phenotypeProbability ?? null,
    dice: null,
    iou: null,
    hd95_mm: null,
    assd_mm: null,
    sensitivity: null,
    precision: null,
    lesion_sensitivity: null,
    lesion_fp: null,
    gt_lesions: null,
    pred_lesions: null,
    gt_volume_ml: null,
    pred_volume_ml: prediction.gtvMl,
  };
  if (prediction.mask && input.mask) {
    const m = segmentationMetrics(prediction.mask, { ...input.mask, spacing: prediction.mask.spacing }, options.segmentation);
    // The predicted volume stays the one on the input grid (prediction.gtvMl), already in the row.
    const { pred_volume_ml: _onMaskGrid, ...scores } = segmentationReportRow(m);
    Object.assign(row, scores);
  }
  return row;
}

/** Summary of patient rows (see the file comment). */
export function summariseRows(rows: PatientRow[], options: Partial<EvaluateOptions> = {}): EvaluationSummary {
  const withSeg = rows.filter((r) => r.dice !== null);
  const segmentation = withSeg.length
    ? {
        dice: summarise(withSeg.map((r) => r.dice)),
        iou: summarise(withSeg.map((r) => r.iou)),
        hd95_mm: summarise(withSeg.map((r) => r.hd95_mm)),
        assd_mm: summarise(withSeg.map((r) => r.assd_mm)),
        sensitivity: summarise(withSeg.map((r) => r.sensitivity)),
        precision: summarise(withSeg.map((r) => r.precision)),
        lesion_sensitivity: summarise(withSeg.map((r) => r.lesion_sensitivity)),
        lesion_fp: summarise(withSeg.map((r) => r.lesion_fp)),
      }
    : null;
  const scored = rows.filter((r) => r.label !== null && r.egfr_probability !== null);
  const classification = scored.length
    ? binaryClassificationReport(
        scored.map((r) => (r.label! > 0 ? 1 : 0)),
        scored.map((r) => r.egfr_probability!),
        options.egfrThreshold ?? 0.5,
        options.bootstrap ?? {},
      )
    : null;
  const K = scored[0]?.class_probabilities?.length ?? 0;
  const multiclass = K > 2 ? multiclassMetrics(scored.map((r) => r.label!), scored.map((r) => r.class_probabilities!)) : null;
  return { patients: rows.length, segmentation, classification, multiclass };
}

/** Evaluates every case (an array or a lazy async stream) and summarises. */
export async function evaluateModel(
  model: MultiTaskModel,
  cases: Iterable<CaseInput> | AsyncIterable<CaseInput>,
  config: PreprocessConfig,
  options: Partial<EvaluateOptions> = {},
): Promise<{ rows: PatientRow[]; summary: EvaluationSummary }> {
  const rows: PatientRow[] = [];
  for await (const input of cases) {
    const row = evaluateCase(model, input, config, options);
    rows.push(row);
    options.onPatient?.(row, rows.length - 1);
  }
  return { rows, summary: summariseRows(rows, options) };
}

/**
 * Quick validation scores for training, on cases already on the model grid: `dice` = mean patient 3D Dice on the
 * model grid, `auc` = patient-level AUC of mutant vs wild-type (NaN with one class), and `score` = the mean of those
 * two that exist (only Dice for segmentation models, only AUC for classifiers): the default early-stopping metric.
 */
export function validationScores(model: MultiTaskModel, cases: PreparedCase[], config: PreprocessConfig, options: Partial<PredictOptions> = {}): Record<string, number> {
  const o = { ...predictDefaults, ...options };
  const dices: number[] = [];
  const labels: number[] = [];
  const scores: number[] = [];
  for (const c of cases) {
    const p = predictOnModelGrid(model, c, config, o);
    if (p.probability && c.mask) {
      const pred = new Uint8Array(p.probability.data.length);
      for (let i = 0; i < pred.length; i++) pred[i] = p.probability.data[i] > o.threshold ? 1 : 0;
      dices.push(segmentationMetrics({ data: pred, dims: c.grid.dims, spacing: c.grid.spacing }, c.mask).dice);
    }
    const egfr = aggregateEgfr(p, o.aggregation);
    if (egfr && c.label !== undefined) {
      labels.push(c.label > 0 ? 1 : 0);
      scores.push(egfr.probability);
    }
  }
  const out: Record<string, number> = {};
  if (dices.length) out.dice = dices.reduce((a, b) => a + b, 0) / dices.length;
  if (scores.length) out.auc = rocAuc(labels, scores) ?? NaN;
  const parts = [out.dice, out.auc].filter((v) => v !== undefined && Number.isFinite(v));
  out.score = parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : NaN;
  return out;
}
