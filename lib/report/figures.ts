/**
 * The figures of a study, as typed Plotly specs built from a loaded study (lib/experiments/study.ts): the same
 * pictures in the notebooks and in the main job's HTML report.
 */
import type { PatientRow } from '../eval/evaluate';
import { bootstrapBinaryCi } from '../metrics/bootstrap';
import { confusionAt, rocAuc, rocCurve } from '../metrics/classification';
import type { ExampleExplanation, ExamplePrediction, PanelPick } from '../experiments/examples';
import { variantName, type Study, type StudyCell } from '../experiments/study';
import type { PlotlyFigure } from '../plots/plotly';
import { barChart } from '../plots/figures/bars';
import { boxPlot, type BoxSeries } from '../plots/figures/box';
import { calibrationDiagram } from '../plots/figures/calibration';
import { confusionMatrix } from '../plots/figures/confusion';
import { lineChart, type LineSeries } from '../plots/figures/line';
import { rocChart, type RocCurveSeries } from '../plots/figures/roc';
import { slicePanels, type SlicePanel } from '../plots/figures/slices';
import { reliabilityBins, rocBootstrapBand } from './stats';

/** Patients with both a label and an EGFR probability, as binary labels (mutant = any class > 0) and scores. */
export function scoredPatients(rows: readonly PatientRow[]): { labels: number[]; scores: number[] } {
  const kept = rows.filter((r) => r.label !== null && r.egfr_probability !== null);
  return { labels: kept.map((r) => (r.label! > 0 ? 1 : 0)), scores: kept.map((r) => r.egfr_probability!) };
}

/** Mean +/- sd over seeds of one metric: a group of bars per model variant, one bar per test set. */
export function metricBars(study: Study, metric: string, label: string, yRange?: [number, number]): PlotlyFigure | null {
  const wanted = study.summary.filter((s) => s.metric === metric);
  if (wanted.length === 0) return null;
  const categories = [...new Set(wanted.map((s) => variantName(s.model, s.weighting)))];
  const series = study.sets.map((set) => {
    const bySet = new Map(wanted.filter((s) => s.set === set).map((s) => [variantName(s.model, s.weighting), s]));
    return {
      name: set,
      mean: categories.map((c) => bySet.get(c)?.mean ?? NaN),
      sd: categories.map((c) => bySet.get(c)?.sd ?? 0),
    };
  });
  return barChart({ title: `${label}: mean ± sd over seeds`, yLabel: label, categories, series, ...(yRange ? { yRange } : {}) });
}

/** ROC curves of one cell on every test set, with the AUC's bootstrap interval and a pointwise 95 % band. */
export function rocFigure(cell: StudyCell, options: { replicates?: number; title?: string } = {}): PlotlyFigure | null {
  const curves: RocCurveSeries[] = [];
  for (const [set, rows] of Object.entries(cell.patients)) {
    const { labels, scores } = scoredPatients(rows);
    const points = labels.length > 0 ? rocCurve(labels, scores) : null;
    if (!points) continue;
    const replicates = options.replicates ?? 1000;
    const auc = rocAuc(labels, scores)!;
    const ci = bootstrapBinaryCi(labels, scores, (l, s) => rocAuc(l, s), { replicates, seed: 0 });
    const band = rocBootstrapBand(labels, scores, { replicates, seed: 0 });
    curves.push({ name: `${set} (n=${labels.length})`, points, auc, ...(ci ? { aucCi: ci } : {}), ...(band ? { band } : {}) });
  }
  if (curves.length === 0) return null;
  return rocChart({ title: options.title ?? `EGFR ROC: ${variantName(cell.record.model, cell.record.weighting)}, seed ${cell.record.seed}`, curves });
}

/** Per-patient Dice of every segmenting variant (seeds pooled), one box per test set. */
export function diceBoxes(study: Study): PlotlyFigure | null {
  const series: BoxSeries[] = [];
  const variants = [...new Set(study.cells.map((c) => variantName(c.record.model, c.record.weighting)))];
  for (const v of variants) {
    const values: number[] = [];
    const categories: string[] = [];
    for (const c of study.cells.filter((x) => variantName(x.record.model, x.record.weighting) === v)) {
      for (const [set, rows] of Object.entries(c.patients)) {
        for (const r of rows) {
          if (r.dice === null) continue;
          values.push(r.dice);
          categories.push(set);
        }
      }
    }
    if (values.length > 0) series.push({ name: v, values, categories });
  }
  if (series.length === 0) return null;
  return boxPlot({ title: 'Per-patient Dice (seeds pooled)', yLabel: 'Dice', series, yRange: [0, 1], width: Math.max(760, 160 * series.length) });
}

/** Confusion matrix of one cell on one test set at the given threshold on the patient EGFR probability. */
export function confusionFigure(cell: StudyCell, set: string, classNames: readonly string[] = ['wildtype', 'mutant'], threshold = 0.5): PlotlyFigure | null {
  const { labels, scores } = scoredPatients(cell.patients[set] ?? []);
  if (labels.length === 0) return null;
  const c = confusionAt(labels, scores, threshold);
  return confusionMatrix({
    title: `${set}: EGFR at p ≥ ${threshold}`,
    labels: [`EGFR ${classNames[0]}`, `EGFR ${classNames[1] ?? 'mutant'}`],
    counts: [
      [c.tn, c.fp],
      [c.fn, c.tp],
    ],
  });
}

/** Reliability diagram of one cell's patient EGFR probabilities on every test set. */
export function calibrationFigure(cell: StudyCell, bins = 5): PlotlyFigure | null {
  const series = Object.entries(cell.patients)
    .map(([set, rows]) => {
      const { labels, scores } = scoredPatients(rows);
      if (labels.length === 0) return null;
      const r = reliabilityBins(labels, scores, bins);
      return { name: set, bins: r.bins, ece: r.ece };
    })
    .filter((s): s is NonNullable<typeof s> => s !== null);
  if (series.length === 0) return null;
  return calibrationDiagram({ title: `Calibration of the EGFR probability (${bins} bins)`, series });
}

/** Centred moving average with a window of `w` points (shorter at the ends). */
export function movingAverage(values: readonly number[], w: number): number[] {
  const h = Math.max(0, Math.floor(w / 2));
  return values.map((_, i) => {
    const lo = Math.max(0, i - h);
    const hi = Math.min(values.length - 1, i + h);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += values[j];
    return s / (hi - lo + 1);
  });
}

/** Task losses (left axis, smoothed) and the weight each task's loss had (right axis) over the training steps. */
export function trainingCurves(log: Record<string, number[]>, title: string): PlotlyFigure {
  const steps = log.step.map((s) => s + 1);
  const window = Math.max(1, Math.round(steps.length / 25));
  const series: LineSeries[] = [];
  for (const task of ['seg', 'cls']) {
    const loss = log[`loss_${task}`];
    if (loss && loss.some((v) => Number.isFinite(v))) series.push({ name: `${task} loss`, x: steps, y: movingAverage(loss, window) });
  }
  for (const task of ['seg', 'cls']) {
    const weight = log[`weight_${task}`];
    if (weight && weight.some((v) => Number.isFinite(v))) series.push({ name: `${task} weight`, x: steps, y: weight, rightAxis: true, dash: 'dot' });
  }
  return lineChart({ title, xLabel: 'step', yLabel: window > 1 ? `loss (moving average over ${window} steps)` : 'loss', yRightLabel: 'task weight', series });
}

/**
 * Example patients of a run, already predicted (lib/experiments/examples.ts): for each, the axial slice with the most
 * reference GTV (the middle slice without one), the reference outlined in orange and the prediction in blue.
 */
export function predictionPanels(examples: readonly ExamplePrediction[], title: string): PlotlyFigure {
  const panels: SlicePanel[] = examples.map((e) => ({
    title: e.title,
    image: e.image,
    overlays: [
      ...(e.reference ? [{ name: 'reference GTV', mask: e.reference, colour: '#e8590c' }] : []),
      ...(e.predicted ? [{ name: 'predicted GTV', mask: e.predicted, colour: '#1c7ed6' }] : []),
    ],
  }));
  return slicePanels({ title, panels, columns: Math.min(3, panels.length), panelSize: 240, origin: 'lower' });
}

/** Where the classifier looks on each explained patient: the slice, its Grad-CAM and its class-token attention. */
export function saliencyPanels(examples: readonly ExampleExplanation[], title: string): PlotlyFigure {
  const panels: SlicePanel[] = examples.flatMap((e) => {
    const outline = e.reference ? [{ name: 'reference GTV', mask: e.reference, colour: '#e8590c' }] : [];
    return [
      { title: e.title, image: e.image, overlays: outline },
      { title: `Grad-CAM, class ${e.gradCam.classIndex} (p ${e.gradCam.probability.toFixed(2)})`, image: e.image, heat: { map: e.gradCam }, overlays: outline },
      ...(e.attention ? [{ title: 'class-token attention', image: e.image, heat: { map: e.attention }, overlays: outline }] : []),
    ];
  });
  const columns = examples.some((e) => e.attention) ? 3 : 2;
  return slicePanels({ title, panels, columns, panelSize: 240, origin: 'lower' });
}

/** The best, median and worst patients by Dice of one cell on one test set, as patients to predict. */
export function extremePatients(cell: StudyCell, set: string): PanelPick[] {
  const rows = (cell.patients[set] ?? []).filter((r) => r.dice !== null).sort((a, b) => b.dice! - a.dice!);
  if (rows.length === 0) return [];
  const picks: Array<[string, PatientRow]> = [
    ['best', rows[0]],
    ['median', rows[Math.floor((rows.length - 1) / 2)]],
    ['worst', rows[rows.length - 1]],
  ];
  return picks.map(([rank, row]) => ({ caseId: row.case_id, title: `${rank}: ${row.case_id} (Dice ${row.dice!.toFixed(2)})` }));
}
