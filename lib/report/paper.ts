/**
 * The report's answer to the paper (Zhou et al., J Transl Med 2023): its four published figures beside ours, the
 * paired comparison of every variant with the reference (lib/experiments/compare.ts) with a verdict per claim, forest
 * plots of the differences, and the study's power. Built from a computed comparison; nothing here runs a model.
 */
import { verdict, verdictSentence, type Comparison, type StudyComparison } from '../experiments/compare';
import type { PlotlyFigure } from '../plots/plotly';
import { forestPlot, type ForestRow } from '../plots/figures/forest';
import { escapeHtml, htmlTable } from './html';

/** The abstract's four figures: GTV Dice and EGFR accuracy on the internal and the external test sets. */
export const PAPER_FIGURES = {
  internal: { dice: 0.89, accuracy: 0.88 },
  external: { dice: 0.85, accuracy: 0.81 },
} as const;

/** What each ablation of the paper's design tests, by the variant's model (and weighting) name. */
export const PAPER_CLAIMS: Array<{ match: (variant: string) => boolean; claim: string }> = [
  { match: (v) => v === 'seg-only', claim: 'multi-task learning segments better than the single-task segmentation model' },
  { match: (v) => v === 'cls-only', claim: 'multi-task learning classifies EGFR better than the single-task classifier' },
  { match: (v) => v.startsWith('mtl-no-csa'), claim: 'the convolutional self-attention (CSA) module helps' },
  { match: (v) => v === 'mtl · fixed', claim: 'learnable loss weights beat fixed equal weights' },
  { match: (v) => v.startsWith('mtl-cnn-cls'), claim: 'the hybrid CNN-Transformer classifier beats a CNN-only one' },
];

const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const ci = (c: [number, number] | null) => (c ? `${f(c[0])} to ${f(c[1])}` : '—');
const p = (x: number | null) => (x === null ? '—' : x < 0.001 ? '<0.001' : x.toFixed(3));

/** The claim a comparison tests, or null for a variant outside the paper's list. */
export function claimOf(variant: string): string | null {
  return PAPER_CLAIMS.find((c) => c.match(variant))?.claim ?? null;
}

/** Our reference variant's figures beside the paper's, per test set found in both. */
export function paperTable(result: StudyComparison): string {
  const rows: Array<Array<string | number>> = [];
  for (const r of result.reference_figures) {
    const paper = PAPER_FIGURES[r.set as keyof typeof PAPER_FIGURES];
    if (!paper) continue;
    rows.push([`${r.set} GTV Dice`, f(paper.dice, 2), f(r.dice), ci(r.dice_ci95), `${r.n} patients, ${r.seeds} seed(s)`]);
    rows.push([`${r.set} EGFR accuracy`, f(paper.accuracy, 2), f(r.accuracy), ci(r.accuracy_ci95), `threshold ${result.threshold}; AUC ${f(r.auc)}`]);
  }
  return htmlTable(['figure', 'paper', `this workbench (${result.reference})`, '95% CI', 'on'], rows, 'The paper\'s four figures and ours');
}

/** Every comparison: differences (variant - reference), intervals, p and Holm p, and the verdict at alpha 0.05. */
export function comparisonTable(result: StudyComparison): string {
  const rows = result.comparisons.map((c) => [
    c.variant,
    c.set,
    c.n,
    f(c.dice_diff),
    ci(c.dice_diff_ci95),
    p(c.dice_wilcoxon_p),
    p(c.dice_wilcoxon_p_holm),
    verdict(c.dice_diff, c.dice_wilcoxon_p_holm),
    f(c.auc_diff),
    ci(c.auc_diff_ci95),
    p(c.auc_delong_p),
    p(c.auc_delong_p_holm),
    verdict(c.auc_diff, c.auc_delong_p_holm),
    f(c.accuracy_diff),
    p(c.mcnemar_p_holm),
  ]);
  return htmlTable(
    ['variant', 'set', 'n', 'Dice diff', 'Dice 95% CI', 'Wilcoxon p', 'Holm p', 'Dice', 'AUC diff', 'AUC 95% CI', 'DeLong p', 'Holm p', 'AUC', 'accuracy diff', 'McNemar Holm p'],
    rows,
    `Each variant minus the reference (${result.reference}), on the same patients`,
  );
}

/** One sentence per paper claim (and per other variant), from the numbers. */
export function claimSentences(result: StudyComparison): string[] {
  return result.comparisons.map((c) => {
    const claim = claimOf(c.variant);
    return `${claim ? `Claim: ${claim}. ` : ''}${verdictSentence(c, result.reference)}`;
  });
}

/** The study's power per set: the smallest Dice and AUC differences its comparisons could detect (median, range). */
export function powerTable(result: StudyComparison): string {
  const sets = [...new Set(result.comparisons.map((c) => c.set))];
  const summary = (values: number[]) => {
    if (values.length === 0) return '—';
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return `${f(median)} (${f(sorted[0])} to ${f(sorted[sorted.length - 1])})`;
  };
  const rows = sets.map((set) => {
    const of = (k: 'dice_mde' | 'auc_mde') => result.comparisons.filter((c) => c.set === set && c[k] !== null).map((c) => c[k]!);
    return [set, summary(of('dice_mde')), summary(of('auc_mde'))];
  });
  return htmlTable(['set', 'Dice: smallest detectable difference', 'AUC: smallest detectable difference'], rows, 'Power: differences detectable at two-sided alpha 0.05 with power 0.8 (median and range over comparisons)');
}

/** Forest plot of one difference across every comparison that has it; null when none does. */
export function differenceForest(comparisons: readonly Comparison[], key: 'dice' | 'auc', reference: string): PlotlyFigure | null {
  const rows: ForestRow[] = [];
  for (const c of comparisons) {
    const diff = key === 'dice' ? c.dice_diff : c.auc_diff;
    const interval = key === 'dice' ? c.dice_diff_ci95 : c.auc_diff_ci95;
    if (diff === null || interval === null) continue;
    rows.push({ label: `${c.variant} (${c.set})`, estimate: diff, ci: interval, group: c.set });
  }
  if (rows.length === 0) return null;
  const what = key === 'dice' ? 'GTV Dice' : 'EGFR AUC';
  return forestPlot({ title: `${what}: each variant minus ${reference}, 95% CI`, xLabel: `${what} difference`, rows });
}

/** The section's HTML (the figures are placed by the caller). */
export function paperSectionHtml(result: StudyComparison): string {
  return [
    result.pending.length
      ? `<p class="note">The study is not finished (${result.pending.length} cells pending): each variant is compared on its finished seeds.</p>`
      : '',
    paperTable(result),
    '<p class="note">Ours: the reference variant, each patient\'s value the mean over its seeds; intervals are percentile bootstrap 95% intervals over patients. The paper\'s cohorts are clinical; ours are synthetic (docs/model-spec.md), so the comparison is of the method, not of the numbers\' cohorts.</p>',
    comparisonTable(result),
    `<ul>${claimSentences(result).map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`,
    powerTable(result),
    '<p class="note">Definitions: docs/stats.md. Holm\'s adjustment runs over every comparison of the table, per p family (Dice, AUC, accuracy); a verdict is "better" or "worse" when the Holm-adjusted p is below 0.05, else "no detectable difference".</p>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
