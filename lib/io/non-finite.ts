/**
 * Non-finite voxels (NaN, +Inf, -Inf) in an image: the one place that finds them, refuses them or replaces them.
 *
 * A float NIfTI file can hold NaN (some tools write it outside the brain or for missing data), and a float64 value
 * beyond float32's range, or an integer voxel times a huge scl_slope, becomes an infinity once read as float32. The
 * network would turn any of them into NaN outputs, or, after preprocessing, into a silent wrong answer. So
 * `readNifti` refuses them by default with a DatasetError naming the file and the count, and the caller can ask for
 * them to be replaced by 0 instead (`--non-finite zero` on the commands); what was replaced is reported.
 *
 * The rule reaches `readNifti` either as its `nonFinite` option or, for code that reads files several calls down
 * (a cohort's cases, a prediction's inputs), through `withNonFinite`, which sets it for everything its function reads
 * (an AsyncLocalStorage scope, so concurrent scopes do not mix) and collects the replacements.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatasetError } from '../errors';

/** What to do with non-finite voxels: refuse the image (default), replace them by 0, or keep them (`info`). */
export type NonFiniteRule = 'error' | 'zero' | 'keep';

/** The rules a user can choose on the command line (`--non-finite`). */
export const NON_FINITE_RULES = ['error', 'zero'] as const;

/** One image whose non-finite voxels were replaced by 0. */
export interface NonFiniteReplacement {
  file: string;
  voxels: number;
}

interface Scope {
  rule: NonFiniteRule;
  replaced: NonFiniteReplacement[];
}

const scope = new AsyncLocalStorage<Scope>();

/** The rule in force: the explicit one, else the enclosing `withNonFinite`'s, else 'error'. */
export function nonFiniteRule(explicit?: NonFiniteRule): NonFiniteRule {
  return explicit ?? scope.getStore()?.rule ?? 'error';
}

/** Counts the NaN and infinite values. */
export function countNonFinite(data: ArrayLike<number>): { nan: number; infinite: number } {
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) infinite++;
  }
  return { nan, infinite };
}

/**
 * Applies `rule` to an image read from `file`, in place: 'error' throws a DatasetError naming the file and the count
 * when any voxel is non-finite; 'zero' sets them to 0 and records the file in the enclosing `withNonFinite`; 'keep'
 * leaves them. Returns how many voxels were non-finite.
 */
export function applyNonFiniteRule(data: Float32Array, file: string, rule: NonFiniteRule = nonFiniteRule()): number {
  if (rule === 'keep') return 0;
  const { nan, infinite } = countNonFinite(data);
  const bad = nan + infinite;
  if (bad === 0) return 0;
  if (rule === 'error') {
    const parts = [nan > 0 ? `${nan} NaN` : '', infinite > 0 ? `${infinite} infinite` : ''].filter(Boolean).join(', ');
    throw new DatasetError(
      `${bad} NaN or infinite voxels (${parts}; ${percent(bad, data.length)} of ${data.length}): the image has missing or ` +
        `overflowed values; fix the file, or replace them by 0 with --non-finite zero (library: nonFinite: 'zero')`,
      file,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v || v === Infinity || v === -Infinity) data[i] = 0;
  }
  scope.getStore()?.replaced.push({ file, voxels: bad });
  return bad;
}

function percent(part: number, whole: number): string {
  const p = (100 * part) / whole;
  return `${p < 0.1 ? p.toPrecision(2) : p.toFixed(1)} %`;
}

/**
 * Runs `fn` with `rule` for every image it reads (unless a read names its own rule) and returns its result with the
 * images whose non-finite voxels were replaced (only with 'zero'; a file once per read).
 */
export async function withNonFinite<T>(rule: NonFiniteRule, fn: () => Promise<T>): Promise<{ result: T; replaced: NonFiniteReplacement[] }> {
  const s: Scope = { rule, replaced: [] };
  const result = await scope.run(s, fn);
  return { result, replaced: s.replaced };
}

/** What the commands add to their JSON with --non-finite zero: the voxels replaced in all, and in each file. */
export function nonFiniteReport(replaced: NonFiniteReplacement[]): { non_finite_replaced: number; non_finite_files: Record<string, number> } {
  const files: Record<string, number> = {};
  // A file read twice (training, then the patient model's fit) counts once.
  for (const r of replaced) files[r.file] = r.voxels;
  return { non_finite_replaced: Object.values(files).reduce((s, n) => s + n, 0), non_finite_files: files };
}
