/**
 * The paired comparison of a study's model variants against a reference variant, on each test set (docs/stats.md has
 * the definitions). A variant is a model with its task weighting, named as the report names it (`variantName`).
 *
 * Per variant, set and patient, the value compared is the mean over the variant's seeds: its Dice, and its EGFR
 * probability (averaged before DeLong's test, so the test sees one score per patient). Against the reference on the
 * same patients:
 * - Dice: mean difference (variant - reference) with a paired bootstrap 95% interval resampling patients, and the
 *   two-sided Wilcoxon signed-rank p (zero differences dropped; lib/stats/wilcoxon.ts says when it is exact);
 * - EGFR AUC: the difference of the two correlated ROC curves with DeLong's 95% interval and p;
 * - accuracy at `threshold` (a patient is called mutant when its seed-mean probability is >= threshold): the
 *   difference and the exact McNemar p on the discordant patients;
 * - Holm's adjustment of each of the three p families across every comparison of the table (all variants and sets);
 * - the smallest differences the comparison could detect at two-sided alpha 0.05 with power 0.8 (lib/stats/power.ts);
 * - the seed-to-seed spread beside it: the standard deviation over seeds of each seed's cohort mean Dice and AUC.
 * A key a variant can not have (a segmentation-only model has no AUC) is null, with the reason in `reasons`.
 */
import { ConfigError } from '../errors';
import { rocAuc } from '../metrics/classification';
import { delong } from '../stats/delong';
import { holm } from '../stats/holm';
import { mcnemar } from '../stats/mcnemar';
import { pairedDifference } from '../stats/paired-difference';
import { minDetectableAucDifference, minDetectablePairedDifference } from '../stats/power';
import { wilcoxon } from '../stats/wilcoxon';
import type { Study, StudyCell } from './study';
import { variantName } from './study';

export interface CompareOptions {
  /** The reference variant's name, or a bare model name when the study has that model with one weighting only. */
  reference?: string;
  /** Threshold of the accuracy comparison. Default 0.5. */
  threshold: number;
  /** Bootstrap replicates of the Dice interval. Default 10000. */
  replicates: number;
  seed: number;
  /**
   * Compare a study that is not finished on the cells that are, each variant on its finished seeds (the result lists
   * the pending cells). Off by default: a comparison of unequal seed counts is a partial result.
   */
  partial: boolean;
}

export const compareDefaults: Omit<CompareOptions, 'reference'> = { threshold: 0.5, replicates: 10000, seed: 0, partial: false };

/** One variant against the reference on one test set; differences are variant minus reference. */
export interface Comparison {
  variant: string;
  set: string;
  /** Patients compared (those every seed of both variants was evaluated on). */
  n: number;
  seeds: number;
  reference_seeds: number;
  dice_variant: number | null;
  dice_reference: number | null;
  dice_diff: number | null;
  dice_diff_ci95: [number, number] | null;
  dice_wilcoxon_p: number | null;
  dice_wilcoxon_method: string | null;
  dice_wilcoxon_p_holm: number | null;
  /** The smallest Dice difference this comparison could detect (alpha 0.05, power 0.8). */
  dice_mde: number | null;
  /** Standard deviation over seeds of the variant's cohort mean Dice (null with one seed). */
  dice_seed_sd: number | null;
  auc_variant: number | null;
  auc_reference: number | null;
  auc_diff: number | null;
  auc_diff_ci95: [number, number] | null;
  auc_delong_p: number | null;
  auc_delong_p_holm: number | null;
  auc_mde: number | null;
  auc_seed_sd: number | null;
  accuracy_variant: number | null;
  accuracy_reference: number | null;
  accuracy_diff: number | null;
  mcnemar_p: number | null;
  mcnemar_p_holm: number | null;
  /** Why a key is null, by key. */
  reasons: Record<string, string>;
}

export interface StudyComparison {
  reference: string;
  threshold: number;
  comparisons: Comparison[];
  /** The reference variant's own figures per set, beside the paper's (see `referenceFigures`). */
  reference_figures: ReferenceFigures[];
  /** Cells not finished (only with `partial`). */
  pending: string[];
}

/** The reference variant on one set: its cohort means with 95% bootstrap intervals over patients. */
export interface ReferenceFigures {
  set: string;
  n: number;
  seeds: number;
  dice: number | null;
  dice_ci95: [number, number] | null;
  auc: number | null;
  accuracy: number | null;
  accuracy_ci95: [number, number] | null;
}

/** A variant's patients on one set: per patient, the mean over seeds of its Dice and EGFR probability. */
interface VariantPatients {
  ids: string[];
  labels: Map<string, number | null>;
  dice: Map<string, number> | null;
  probability: Map<string, number> | null;
  seedDice: number[];
  seedAuc: number[];
  seeds: number;
}

function sd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

/** The study's variants in grid order, each with its finished cells. */
export function studyVariants(study: Study): Map<string, StudyCell[]> {
  const out = new Map<string, StudyCell[]>();
  for (const cell of study.cells) {
    const name = variantName(cell.record.model, cell.record.weighting);
    out.set(name, [...(out.get(name) ?? []), cell]);
  }
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function variantPatients(name: string, cells: readonly StudyCell[], set: string): VariantPatients {
  const perPatient = new Map<string, { label: number | null; dice: number[]; p: number[] }>();
  const seedDice: number[] = [];
  const seedAuc: number[] = [];
  let ids: string[] | null = null;
  const first = cells[0]?.record.cell;
  for (const cell of cells) {
    const rows = cell.patients[set];
    if (!rows) throw new ConfigError(`variant ${name}: cell ${cell.record.cell} has no evaluation on the ${set} set`, cell.runDir);
    const cellIds = rows.map((r) => r.case_id).sort();
    if (ids && (ids.length !== cellIds.length || ids.some((id, i) => id !== cellIds[i]))) {
      throw new ConfigError(`variant ${name}: cell ${cell.record.cell} was evaluated on other ${set} patients than cell ${first}`, cell.runDir);
    }
    ids = cellIds;
    const dice = rows.filter((r) => r.dice !== null).map((r) => r.dice!);
    if (dice.length > 0) seedDice.push(mean(dice));
    const scored = rows.filter((r) => r.label !== null && r.egfr_probability !== null);
    const labels = scored.map((r) => (r.label! > 0 ? 1 : 0));
    if (labels.includes(0) && labels.includes(1)) seedAuc.push(rocAuc(labels, scored.map((r) => r.egfr_probability!))!);
    for (const r of rows) {
      const entry = perPatient.get(r.case_id) ?? { label: r.label, dice: [], p: [] };
      if (r.dice !== null) entry.dice.push(r.dice);
      if (r.egfr_probability !== null) entry.p.push(r.egfr_probability);
      perPatient.set(r.case_id, entry);
    }
  }
  const all = [...perPatient.entries()];
  const complete = (k: 'dice' | 'p') => all.every(([, e]) => e[k].length === cells.length);
  return {
    ids: ids ?? [],
    labels: new Map(all.map(([id, e]) => [id, e.label])),
    dice: complete('dice') && all.length > 0 ? new Map(all.map(([id, e]) => [id, mean(e.dice)])) : null,
    probability: complete('p') && all.length > 0 ? new Map(all.map(([id, e]) => [id, mean(e.p)])) : null,
    seedDice,
    seedAuc,
    seeds: cells.length,
  };
}

/** Resolves `--reference`: a variant name, or a model name that has exactly one weighting in the study. */
export function resolveReference(names: readonly string[], asked: string | undefined, firstVariant: string): string {
  if (asked === undefined) return firstVariant;
  const normalised = asked.replace(/\s*\/\s*/, ' · ');
  if (names.includes(normalised)) return normalised;
  const byModel = names.filter((n) => n === asked || n.startsWith(`${asked} · `));
  if (byModel.length === 1) return byModel[0];
  if (byModel.length > 1) throw new ConfigError(`reference '${asked}' is ambiguous: the study has ${byModel.join(', ')}; name one (e.g. '${byModel[0].replace(' · ', '/')}')`);
  throw new ConfigError(`reference '${asked}' is not a variant of the study (variants: ${names.join(', ')})`);
}

function emptyComparison(variant: string, set: string): Comparison {
  return {
    variant,
    set,
    n: 0,
    seeds: 0,
    reference_seeds: 0,
    dice_variant: null,
    dice_reference: null,
    dice_diff: null,
    dice_diff_ci95: null,
    dice_wilcoxon_p: null,
    dice_wilcoxon_method: null,
    dice_wilcoxon_p_holm: null,
    dice_mde: null,
    dice_seed_sd: null,
    auc_variant: null,
    auc_reference: null,
    auc_diff: null,
    auc_diff_ci95: null,
    auc_delong_p: null,
    auc_delong_p_holm: null,
    auc_mde: null,
    auc_seed_sd: null,
    accuracy_variant: null,
    accuracy_reference: null,
    accuracy_diff: null,
    mcnemar_p: null,
    mcnemar_p_holm: null,
    reasons: {},
  };
}

function compareOne(name: string, v: VariantPatients, r: VariantPatients, referenceName: string, set: string, o: CompareOptions): Comparison {
  const out = emptyComparison(name, set);
  const ids = r.ids;
  if (v.ids.length !== ids.length || v.ids.some((id, i) => id !== ids[i])) {
    throw new ConfigError(`variant ${name} was evaluated on other ${set} patients than the reference ${referenceName}; compare studies evaluated on the same cohorts`);
  }
  out.n = ids.length;
  out.seeds = v.seeds;
  out.reference_seeds = r.seeds;
  const missing = (who: string, what: string) => `${who} has no ${what}`;
  if (v.dice && r.dice) {
    const a = ids.map((id) => v.dice!.get(id)!);
    const b = ids.map((id) => r.dice!.get(id)!);
    const diff = pairedDifference(a, b, { replicates: o.replicates, seed: o.seed });
    const w = wilcoxon(a, b);
    out.dice_variant = mean(a);
    out.dice_reference = mean(b);
    out.dice_diff = diff.mean_diff;
    out.dice_diff_ci95 = diff.ci95;
    out.dice_wilcoxon_p = w.p;
    out.dice_wilcoxon_method = w.method;
    out.dice_mde = diff.sd_diff === null ? null : minDetectablePairedDifference(diff.sd_diff, diff.n);
    out.dice_seed_sd = sd(v.seedDice);
  } else {
    const reason = v.dice ? missing(`the reference ${referenceName}`, 'segmentation') : missing(name, 'segmentation');
    for (const k of ['dice_variant', 'dice_reference', 'dice_diff', 'dice_diff_ci95', 'dice_wilcoxon_p', 'dice_mde', 'dice_seed_sd']) out.reasons[k] = reason;
  }
  const labelled = ids.filter((id) => r.labels.get(id) !== null);
  if (v.probability && r.probability && labelled.length > 0) {
    const labels = labelled.map((id) => (r.labels.get(id)! > 0 ? 1 : 0));
    const pv = labelled.map((id) => v.probability!.get(id)!);
    const pr = labelled.map((id) => r.probability!.get(id)!);
    const positives = labels.filter((l) => l === 1).length;
    // DeLong's variance needs two patients of each class (its components' sample variances).
    if (positives >= 2 && labels.length - positives >= 2) {
      const d = delong(labels, pv, pr);
      out.auc_variant = d.auc_variant;
      out.auc_reference = d.auc_reference;
      out.auc_diff = d.auc_diff;
      out.auc_diff_ci95 = d.ci95;
      out.auc_delong_p = d.p;
      out.auc_mde = minDetectableAucDifference(d.se);
      out.auc_seed_sd = sd(v.seedAuc);
    } else {
      for (const k of ['auc_variant', 'auc_reference', 'auc_diff', 'auc_diff_ci95', 'auc_delong_p', 'auc_mde']) {
        out.reasons[k] = `the ${set} patients have fewer than two of an EGFR class (${positives} mutant, ${labels.length - positives} wild-type)`;
      }
    }
    const m = mcnemar(
      pv.map((p, i) => (p >= o.threshold ? 1 : 0) === labels[i]),
      pr.map((p, i) => (p >= o.threshold ? 1 : 0) === labels[i]),
    );
    out.accuracy_variant = m.accuracy_variant;
    out.accuracy_reference = m.accuracy_reference;
    out.accuracy_diff = m.accuracy_diff;
    out.mcnemar_p = m.p;
  } else {
    const reason =
      labelled.length === 0 ? `the ${set} patients have no EGFR labels` : v.probability ? missing(`the reference ${referenceName}`, 'EGFR classifier') : missing(name, 'EGFR classifier');
    for (const k of ['auc_variant', 'auc_reference', 'auc_diff', 'auc_diff_ci95', 'auc_delong_p', 'auc_mde', 'auc_seed_sd', 'accuracy_variant', 'accuracy_reference', 'accuracy_diff', 'mcnemar_p']) {
      out.reasons[k] = reason;
    }
  }
  return out;
}

/** Every variant of a study against the reference on every test set (see the file comment). */
export function compareStudy(study: Study, options: Partial<CompareOptions> = {}): StudyComparison {
  const o: CompareOptions = { ...compareDefaults, ...options };
  if (study.pending.length > 0 && !o.partial) {
    throw new ConfigError(`the study has unfinished cells (${study.pending.join(', ')}); finish them (egfr-gtv ablate) before comparing`, study.dir);
  }
  const variants = studyVariants(study);
  const names = [...variants.keys()];
  if (names.length < 2) throw new ConfigError(`the study has ${names.length} variant${names.length === 1 ? '' : 's'}: a comparison needs two or more`, study.dir);
  const reference = resolveReference(names, o.reference, names[0]);
  const comparisons: Comparison[] = [];
  const referenceFigures: ReferenceFigures[] = [];
  for (const set of study.sets) {
    const r = variantPatients(reference, variants.get(reference)!, set);
    referenceFigures.push(figuresOf(r, set, o));
    for (const name of names) {
      if (name === reference) continue;
      comparisons.push(compareOne(name, variantPatients(name, variants.get(name)!, set), r, reference, set, o));
    }
  }
  const adjust = (key: 'dice_wilcoxon_p' | 'auc_delong_p' | 'mcnemar_p', into: 'dice_wilcoxon_p_holm' | 'auc_delong_p_holm' | 'mcnemar_p_holm') => {
    const adjusted = holm(comparisons.map((c) => c[key]));
    comparisons.forEach((c, i) => {
      c[into] = adjusted[i];
      if (c[key] === null && c.reasons[key]) c.reasons[into] = c.reasons[key];
    });
  };
  adjust('dice_wilcoxon_p', 'dice_wilcoxon_p_holm');
  adjust('auc_delong_p', 'auc_delong_p_holm');
  adjust('mcnemar_p', 'mcnemar_p_holm');
  return { reference, threshold: o.threshold, comparisons, reference_figures: referenceFigures, pending: o.partial ? study.pending : [] };
}

/** Mean of `values` with its percentile bootstrap 95% interval over patients. */
function meanWithCi(values: number[], o: CompareOptions): { mean: number; ci95: [number, number] } {
  const zeros = values.map(() => 0);
  const d = pairedDifference(values, zeros, { replicates: o.replicates, seed: o.seed });
  return { mean: d.mean_diff, ci95: d.ci95 };
}

function figuresOf(r: VariantPatients, set: string, o: CompareOptions): ReferenceFigures {
  const out: ReferenceFigures = { set, n: r.ids.length, seeds: r.seeds, dice: null, dice_ci95: null, auc: null, accuracy: null, accuracy_ci95: null };
  if (r.dice) {
    const d = meanWithCi(r.ids.map((id) => r.dice!.get(id)!), o);
    out.dice = d.mean;
    out.dice_ci95 = d.ci95;
  }
  const labelled = r.ids.filter((id) => r.labels.get(id) !== null);
  if (r.probability && labelled.length > 0) {
    const labels = labelled.map((id) => (r.labels.get(id)! > 0 ? 1 : 0));
    const p = labelled.map((id) => r.probability!.get(id)!);
    if (labels.includes(0) && labels.includes(1)) out.auc = rocAuc(labels, p);
    const a = meanWithCi(p.map((v, i) => ((v >= o.threshold ? 1 : 0) === labels[i] ? 1 : 0)), o);
    out.accuracy = a.mean;
    out.accuracy_ci95 = a.ci95;
  }
  return out;
}

export type Verdict = 'better' | 'worse' | 'no detectable difference' | 'not compared';

/** The verdict on one difference at alpha (on the Holm-adjusted p): its sign when significant. */
export function verdict(diff: number | null, pHolm: number | null, alpha = 0.05): Verdict {
  if (diff === null || pHolm === null) return 'not compared';
  if (pHolm >= alpha) return 'no detectable difference';
  return diff > 0 ? 'better' : 'worse';
}

/**
 * One sentence per comparison, computed from its numbers: what the variant did against the reference on the set's
 * Dice, AUC and accuracy (Holm-adjusted, alpha 0.05), and the smallest differences the comparison could detect.
 */
export function verdictSentence(c: Comparison, reference: string, alpha = 0.05): string {
  const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));
  const part = (what: string, diff: number | null, ci: [number, number] | null, pHolm: number | null) => {
    const v = verdict(diff, pHolm, alpha);
    if (v === 'not compared') return null;
    const words = v === 'no detectable difference' ? `no detectable difference in ${what}` : `${v} ${what}`;
    const p = pHolm! < 0.001 ? '< 0.001' : f(pHolm, 3);
    return `${words} (${diff! >= 0 ? '+' : ''}${f(diff)}${ci ? `, 95% CI ${f(ci[0])} to ${f(ci[1])}` : ''}, Holm p ${p})`;
  };
  const parts = [
    part('Dice', c.dice_diff, c.dice_diff_ci95, c.dice_wilcoxon_p_holm),
    part('EGFR AUC', c.auc_diff, c.auc_diff_ci95, c.auc_delong_p_holm),
    part('accuracy', c.accuracy_diff, null, c.mcnemar_p_holm),
  ].filter((p) => p !== null);
  const power = [c.dice_mde !== null ? `Dice ${f(c.dice_mde)}` : null, c.auc_mde !== null ? `AUC ${f(c.auc_mde)}` : null].filter((p) => p !== null);
  const head = `On the ${c.set} set (${c.n} patients), ${c.variant} against ${reference}: `;
  const body = parts.length ? parts.join('; ') : 'nothing to compare';
  return `${head}${body}.${power.length ? ` Smallest detectable differences: ${power.join(', ')}.` : ''}`;
}
