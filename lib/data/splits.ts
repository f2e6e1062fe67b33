import { ConfigError } from '../errors';
import { Rng } from '../util/rng';

/** What a split needs of a case. */
/** The share of a development cohort's patients held out for validation unless a run says otherwise. */
export const splitDefaults = { valFraction: 0.1 } as const;

export interface SplitCase {
  id: string;
  patientId: string;
  labels: { egfr: number | null };
}

export interface Split {
  train: string[];
  val: string[];
  test: string[];
}

export interface SplitOptions {
  /** Shares of patients; they must sum to 1. */
  fractions: { train: number; val: number; test: number };
  seed: number | string;
}

/**
 * The stratum of a patient: its EGFR class, 'unknown' when none of its cases has one. A patient whose time points
 * disagree is an error: a label is a property of the patient's tumour genotype.
 */
function patientStrata(cases: SplitCase[]): Map<string, { stratum: string; cases: string[] }> {
  const byPatient = new Map<string, { stratum: string; cases: string[] }>();
  for (const c of cases) {
    const label = c.labels.egfr === null ? 'unknown' : String(c.labels.egfr);
    const p = byPatient.get(c.patientId);
    if (!p) {
      byPatient.set(c.patientId, { stratum: label, cases: [c.id] });
      continue;
    }
    if (p.stratum === 'unknown') p.stratum = label;
    else if (label !== 'unknown' && label !== p.stratum) {
      throw new ConfigError(`patient ${c.patientId} has EGFR labels ${p.stratum} and ${label} on different cases`);
    }
    p.cases.push(c.id);
  }
  return byPatient;
}

/** Patients grouped by stratum, each group sorted then shuffled with its own seeded stream (order-independent). */
function shuffledStrata(cases: SplitCase[], seed: number | string) {
  const patients = patientStrata(cases);
  const strata = new Map<string, string[]>();
  for (const [pid, p] of [...patients].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!strata.has(p.stratum)) strata.set(p.stratum, []);
    strata.get(p.stratum)!.push(pid);
  }
  const rng = new Rng(seed);
  const keys = [...strata.keys()].sort();
  return { patients, groups: keys.map((k) => rng.fork(`stratum:${k}`).shuffle(strata.get(k)!)) };
}

/**
 * Train/validation/test split by patient (all of a patient's cases go to one set), stratified by EGFR label (each
 * class, and the unlabelled, split in the given fractions), reproducible from the seed and independent of the order
 * of `cases`. Per stratum the test set takes round(n * test) patients, validation round(n * (test + val)) minus that.
 */
export function splitByPatient(cases: SplitCase[], opts: SplitOptions): Split {
  const { train, val, test } = opts.fractions;
  if (![train, val, test].every((f) => f >= 0) || Math.abs(train + val + test - 1) > 1e-9) {
    throw new ConfigError(`split fractions ${train}/${val}/${test} must be non-negative and sum to 1`);
  }
  const { patients, groups } = shuffledStrata(cases, opts.seed);
  const out: Split = { train: [], val: [], test: [] };
  for (const group of groups) {
    const n = group.length;
    const nTest = Math.round(n * test);
    const nVal = Math.round(n * (test + val)) - nTest;
    group.forEach((pid, i) => {
      const set = i < nTest ? out.test : i < nTest + nVal ? out.val : out.train;
      set.push(...patients.get(pid)!.cases);
    });
  }
  return out;
}

/**
 * k folds by patient, stratified: each stratum's shuffled patients are dealt round-robin to the folds, continuing
 * from where the previous stratum stopped so fold sizes differ by at most one patient overall. Fold f tests on its
 * patients and trains on the rest.
 */
export function kFoldsByPatient(cases: SplitCase[], k: number, seed: number | string): Array<{ train: string[]; test: string[] }> {
  if (!(Number.isInteger(k) && k >= 2)) throw new ConfigError(`k must be an integer >= 2, got ${k}`);
  const { patients, groups } = shuffledStrata(cases, seed);
  const foldOf = new Map<string, number>();
  let next = 0;
  for (const group of groups) for (const pid of group) foldOf.set(pid, next++ % k);
  if (next < k) throw new ConfigError(`${next} patients cannot make ${k} folds`);
  return Array.from({ length: k }, (_, f) => {
    const fold = { train: [] as string[], test: [] as string[] };
    for (const [pid, p] of patients) (foldOf.get(pid) === f ? fold.test : fold.train).push(...p.cases);
    return fold;
  });
}
