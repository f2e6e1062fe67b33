/**
 * Per-step gradient diagnostics of the gradient methods: every task's gradient norm on the shared parameters (or
 * features), the cosine of every task pair, whether any pair conflicts (cosine < 0), and the method's effective task
 * weights; and their CSV log, one row per step (RUN/gradient-diagnostics.csv). A resumed run keeps the rows of the
 * steps before its checkpoint and rewrites the rest, so the file matches an uninterrupted run's.
 */
import { promises as fs } from 'node:fs';
import { parseCsv } from '../data/csv';
import { ModelFileError } from '../errors';
import type { TaskName } from '../model/multitask';
import { gram } from '../weighting/gradient-math';
import type { GradientSpace, TaskNumbers } from '../weighting/strategy';

export interface GradientDiagnostics {
  space: GradientSpace;
  /** ||g_t|| per task. */
  norms: TaskNumbers;
  /** cos(g_a, g_b) per task pair, keyed 'a|b' in task order (NaN where a gradient is zero). */
  cosines: Record<string, number>;
  /** Some pair's cosine is below 0. */
  conflict: boolean;
  /** The method's effective weights (null where it has none). */
  weights: TaskNumbers | null;
}

/** The diagnostics of the tasks' flattened gradients. */
export function gradientDiagnostics(tasks: TaskName[], grads: Float32Array[], space: GradientSpace, weights: number[] | null): GradientDiagnostics {
  const g = gram(grads);
  const norms = g.map((row, i) => Math.sqrt(row[i]));
  const cosines: Record<string, number> = {};
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) cosines[`${tasks[i]}|${tasks[j]}`] = norms[i] > 0 && norms[j] > 0 ? g[i][j] / (norms[i] * norms[j]) : Number.NaN;
  }
  return {
    space,
    norms: Object.fromEntries(tasks.map((t, i) => [t, norms[i]])),
    cosines,
    conflict: Object.values(cosines).some((c) => c < 0),
    weights: weights ? Object.fromEntries(tasks.map((t, i) => [t, weights[i]])) : null,
  };
}

function pairs(tasks: TaskName[]): string[] {
  return tasks.flatMap((a, i) => tasks.slice(i + 1).map((b) => `${a}|${b}`));
}

/** step,epoch,space,norm_<t>...,cos_<a>_<b>...,conflict,weight_<t>... */
export function diagnosticsHeader(tasks: TaskName[]): string {
  return ['step', 'epoch', 'space', ...tasks.map((t) => `norm_${t}`), ...pairs(tasks).map((p) => `cos_${p.replace('|', '_')}`), 'conflict', ...tasks.map((t) => `weight_${t}`)].join(',');
}

const number = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));

export function diagnosticsRow(tasks: TaskName[], step: number, epoch: number, d: GradientDiagnostics): string {
  return [
    String(step),
    String(epoch),
    d.space,
    ...tasks.map((t) => number(d.norms[t])),
    ...pairs(tasks).map((p) => number(d.cosines[p])),
    d.conflict ? '1' : '0',
    ...tasks.map((t) => number(d.weights?.[t])),
  ].join(',');
}

/** Appends rows to a diagnostics CSV; `open` starts it (or, resuming, keeps the rows of steps before `fromStep`). */
export class GradientDiagnosticsLog {
  private constructor(
    readonly path: string,
    private readonly tasks: TaskName[],
  ) {}

  static async open(path: string, tasks: TaskName[], fromStep = 0): Promise<GradientDiagnosticsLog> {
    const header = diagnosticsHeader(tasks);
    let lines = [header];
    if (fromStep > 0) {
      const old = await fs.readFile(path, 'utf8').catch(() => '');
      const rows = old.split('\n').filter((l) => l !== '');
      if (rows[0] === header) lines = [header, ...rows.slice(1).filter((r) => Number(r.split(',')[0]) < fromStep)];
    }
    await fs.writeFile(path, lines.join('\n') + '\n');
    return new GradientDiagnosticsLog(path, tasks);
  }

  async append(step: number, epoch: number, d: GradientDiagnostics): Promise<void> {
    await fs.appendFile(this.path, diagnosticsRow(this.tasks, step, epoch, d) + '\n');
  }
}

/** A run's gradient-diagnostics.csv as columns, and the summary a reader wants first. */
export interface GradientDiagnosticsLogData {
  step: number[];
  space: string[];
  /** ||g_t|| per task, per step. */
  norms: Record<string, number[]>;
  /** Cosine per task pair ('a|b'), per step (NaN where a gradient was zero). */
  cosines: Record<string, number[]>;
  conflict: boolean[];
  /** The method's effective weights per task, per step (NaN where it has none). */
  weights: Record<string, number[]>;
  /** The mean cosine of each pair over the finite steps, and the share of steps in conflict. */
  meanCosine: Record<string, number>;
  conflictShare: number;
}

/** Reads a diagnostics CSV written by `GradientDiagnosticsLog`; a missing or malformed file is a ModelFileError. */
export async function readGradientDiagnostics(path: string): Promise<GradientDiagnosticsLogData> {
  const text = await fs.readFile(path, 'utf8').catch(() => {
    throw new ModelFileError('cannot read the gradient diagnostics (only gradient methods write them)', path);
  });
  const { header, rows } = parseCsv(text, path);
  const at = (name: string) => header.indexOf(name);
  if (at('step') < 0 || at('conflict') < 0) throw new ModelFileError(`not a gradient-diagnostics file: header ${header.join(',')}`, path);
  const num = (cell: string | undefined) => (cell === undefined || cell === '' ? Number.NaN : Number(cell));
  const column = (name: string) => rows.map((r) => num(r.cells[at(name)]));
  const byPrefix = (prefix: string, key: (rest: string) => string) =>
    Object.fromEntries(header.filter((h) => h.startsWith(prefix)).map((h) => [key(h.slice(prefix.length)), column(h)]));
  const cosines = byPrefix('cos_', (rest) => rest.replace('_', '|'));
  const conflict = column('conflict').map((v) => v === 1);
  const meanCosine = Object.fromEntries(
    Object.entries(cosines).map(([pair, values]) => {
      const finite = values.filter((v) => Number.isFinite(v));
      return [pair, finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN];
    }),
  );
  return {
    step: column('step'),
    space: rows.map((r) => r.cells[at('space')] ?? ''),
    norms: byPrefix('norm_', (rest) => rest),
    cosines,
    conflict,
    weights: byPrefix('weight_', (rest) => rest),
    meanCosine,
    conflictShare: conflict.length ? conflict.filter(Boolean).length / conflict.length : Number.NaN,
  };
}
