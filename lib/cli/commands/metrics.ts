import { UsageError } from '../../errors';
import { NON_FINITE_RULES, nonFiniteReport, withNonFinite } from '../../io/non-finite';
import { binaryClassificationReport } from '../../metrics/classification-report';
import { scoreMaskFiles } from '../../metrics/mask-files';
import { readScoreCsv } from '../../metrics/score-csv';
import { segmentationReportRow, type EmptyDistance } from '../../metrics/segmentation';
import { choiceOption, flagOptions, integerOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv metrics seg --pred MASK.nii.gz --gt MASK.nii.gz [--json] [--connectivity 26|6]
                        [--empty-distance nan|diagonal] [--non-finite error|zero]
       egfr-gtv metrics cls --csv FILE [--json] [--threshold 0.5] [--bootstrap 2000] [--seed 0]

Scores predictions made by any tool.

seg: one patient's predicted mask against its ground truth, both NIfTI on the same grid, binarised as > 0.
  Keys: dice, iou, hd95_mm, assd_mm, sensitivity, precision (voxel-wise), lesion_sensitivity, lesion_fp (connected
  components with --connectivity, default 26; a lesion is detected when any predicted voxel overlaps it),
  gt_lesions, pred_lesions, pred_volume_ml, gt_volume_ml.
  Both masks empty: overlap metrics 1, distances 0. One empty: distances null, or the image diagonal in mm with
  --empty-distance diagonal.
  A NaN or infinite voxel in either mask is an error naming the file and the count; --non-finite zero reads them
  as 0 (background) and adds non_finite_replaced and non_finite_files.

cls: binary predictions from a CSV with the columns label (0 or 1) and score (other columns ignored).
  Keys: auc (ties count one half), auc_ci95 (stratified percentile bootstrap, --bootstrap replicates, --seed),
  accuracy, sensitivity, specificity, ppv, npv, f1, balanced_accuracy at --threshold (score >= threshold is
  positive), brier, confusion.
  A metric that is undefined for the data (e.g. AUC with a single class) is null, with the reason in
  undefined_because.

--json prints one JSON object; without it, a table.`;

type Report = Record<string, unknown>;

async function runSeg(args: string[]): Promise<[Report, boolean]> {
  const { values } = parseCommandArgs(args, {
    ...stringOptions('pred', 'gt', 'connectivity', 'empty-distance', 'non-finite'),
    ...flagOptions('json'),
  });
  const connectivity = Number(choiceOption(values, 'connectivity', ['26', '6'], '26')) as 6 | 26;
  const emptyDistance = choiceOption<EmptyDistance>(values, 'empty-distance', ['nan', 'diagonal'], 'nan');
  const nonFinite = choiceOption(values, 'non-finite', NON_FINITE_RULES, 'error');
  const pred = requireOption(values, 'pred');
  const gt = requireOption(values, 'gt');
  const { result: m, replaced } = await withNonFinite(nonFinite, () => scoreMaskFiles(pred, gt, { connectivity, emptyDistance }));
  return [{ ...segmentationReportRow(m), ...(nonFinite === 'zero' ? nonFiniteReport(replaced) : {}) }, values.json === true];
}

async function runCls(args: string[]): Promise<[Report, boolean]> {
  const { values } = parseCommandArgs(args, { ...stringOptions('csv', 'threshold', 'bootstrap', 'seed'), ...flagOptions('json') });
  const threshold = numberOption(values, 'threshold', 0.5);
  const replicates = integerOption(values, 'bootstrap', 2000, 1);
  const seed = numberOption(values, 'seed', 0);
  const { labels, scores } = await readScoreCsv(requireOption(values, 'csv'));
  const m = binaryClassificationReport(labels, scores, threshold, { replicates, seed });
  const undefinedBecause: Record<string, string> = {};
  for (const [key, reason] of Object.entries(m.undefinedBecause)) {
    if (key !== 'roc') undefinedBecause[key === 'balancedAccuracy' ? 'balanced_accuracy' : key] = reason as string;
  }
  if (m.auc === null) undefinedBecause.auc_ci95 = 'AUC undefined';
  const report: Report = {
    n: m.n,
    positives: m.positives,
    negatives: m.negatives,
    auc: m.auc,
    auc_ci95: m.aucCi ? [m.aucCi.lower, m.aucCi.upper] : null,
    threshold,
    accuracy: m.accuracy,
    sensitivity: m.sensitivity,
    specificity: m.specificity,
    ppv: m.ppv,
    npv: m.npv,
    f1: m.f1,
    balanced_accuracy: m.balancedAccuracy,
    brier: m.brier,
    confusion: m.confusion,
    undefined_because: undefinedBecause,
  };
  return [report, values.json === true];
}

function formatValue(v: unknown): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return 'undefined';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k} ${formatValue(x)}`)
      .join(', ');
  }
  return String(v);
}

/** A two-column table; undefined metrics read 'undefined', with their reasons listed underneath. */
function formatTable(report: Report): string {
  const { undefined_because: reasons, ...rest } = report;
  const width = Math.max(...Object.keys(rest).map((k) => k.length));
  const lines = Object.entries(rest).map(([k, v]) => `${k.padEnd(width)}  ${formatValue(v)}`);
  const notes = Object.entries((reasons ?? {}) as Record<string, string>).map(([k, r]) => `  ${k}: ${r}`);
  return [...lines, ...(notes.length > 0 ? ['', 'undefined:', ...notes] : [])].join('\n');
}

export const command: Command = {
  name: 'metrics',
  summary: 'score segmentation masks (seg) or binary classification scores (cls) made by any tool',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    let result: [Report, boolean];
    if (sub === 'seg') result = await runSeg(rest);
    else if (sub === 'cls') result = await runCls(rest);
    else throw new UsageError(sub ? `unknown metrics kind '${sub}', expected seg or cls` : 'expected seg or cls');
    const [report, json] = result;
    // JSON has no NaN or Infinity: JSON.stringify writes undefined metrics as null.
    process.stdout.write((json ? JSON.stringify(report) : formatTable(report)) + '\n');
    return 0;
  },
};
