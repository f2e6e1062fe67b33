/**
 * A run folder: everything a training run produced and everything needed to rebuild it.
 *   config.json        model config, data config (sequences, classes, preprocessing, split), train config, seeds,
 *                      backend, versions
 *   metrics.csv        one row per epoch: losses, learning rate, validation metrics, seconds
 *   task-weights.csv   one row per step: learning rate, each task's raw loss and its weight in the total
 *   gradient-diagnostics.csv   gradient methods only: per step, the tasks' gradient norms, cosines, conflict, weights
 *   checkpoints/       the latest checkpoint (lib/train/checkpoint.ts)
 *   best-model/        the best model by validation, when early stopping is on
 *   model/             the final model (the best one when early stopping is on, else the last)
 * Every file is written atomically.
 */
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreprocessConfig } from '../preprocess/config';
import { ModelFileError } from '../errors';
import { resolveScannerRandomisation } from '../data/scanner-randomisation';
import { resolveLossConfig } from '../losses/task-losses';
import type { ModelConfig, TaskName } from '../model/multitask';
import { csvText, parseCsv } from '../data/csv';
import { writeFileAtomic } from '../util/atomic-write';
import type { TrainConfig } from './config';
import type { EpochRow, StepRow } from './progress';

export const RUN_FORMAT = 'egfr-gtv-run';
export const RUN_FORMAT_VERSION = 1;

export const runPaths = (dir: string) => ({
  config: join(dir, 'config.json'),
  metrics: join(dir, 'metrics.csv'),
  taskWeights: join(dir, 'task-weights.csv'),
  /** Per-step gradient diagnostics of the gradient methods (lib/train/gradient-diagnostics.ts). */
  gradientDiagnostics: join(dir, 'gradient-diagnostics.csv'),
  checkpoints: join(dir, 'checkpoints'),
  bestModel: join(dir, 'best-model'),
  model: join(dir, 'model'),
  /** The patient-level EGFR model fitted after the network (lib/patient/patient-model.ts). */
  patientModel: join(dir, 'patient-model.json'),
});

export interface DataConfig {
  /** The dataset folder the run was trained on (null when cases were passed in memory). */
  dir: string | null;
  /** Sequence names in channel order. */
  sequences: string[];
  /** EGFR class names in index order. */
  classes: string[];
  preprocess: PreprocessConfig;
  valFraction: number;
  splitSeed: number;
  /** Case ids of each split. */
  train: string[];
  val: string[];
}

export interface RunConfig {
  format: typeof RUN_FORMAT;
  formatVersion: number;
  created: string;
  versions: { egfrGtv: string; tfjs: string; node: string };
  backend: string;
  model: ModelConfig;
  data: DataConfig;
  train: TrainConfig;
}

/** The versions recorded in config.json. */
export function runVersions(): RunConfig['versions'] {
  const read = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  return {
    egfrGtv: read(join(__dirname, '..', '..', 'package.json')),
    tfjs: read(require.resolve('@tensorflow/tfjs-core/package.json')),
    node: process.version,
  };
}

export async function writeRunConfig(dir: string, config: RunConfig): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(runPaths(dir).config, JSON.stringify(config, null, 1) + '\n');
}

/** Reads a run folder's config.json; a missing folder or file, or one of another format, is a ModelFileError. */
export async function readRunConfig(dir: string): Promise<RunConfig> {
  const file = runPaths(dir).config;
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat || !stat.isDirectory()) throw new ModelFileError('run folder does not exist', dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ModelFileError('missing: this folder is not a training run (no config.json)', file);
  }
  let parsed: Partial<RunConfig>;
  try {
    parsed = JSON.parse(text) as Partial<RunConfig>;
  } catch (err) {
    throw new ModelFileError(`is not valid JSON: ${(err as Error).message}`, file);
  }
  if (parsed.format !== RUN_FORMAT) throw new ModelFileError(`format is '${String(parsed.format)}', expected '${RUN_FORMAT}'`, file);
  if (parsed.formatVersion !== RUN_FORMAT_VERSION) {
    throw new ModelFileError(`format version ${String(parsed.formatVersion)} is not supported (this egfr-gtv reads ${RUN_FORMAT_VERSION})`, file);
  }
  if (!parsed.model || !parsed.data || !parsed.train) throw new ModelFileError('lacks the model, data or train section', file);
  // Runs written before the loss config was stored resolved hold only the loss values they changed; runs written
  // before the scanner randomisation existed trained without it, and resume without it.
  const augment = parsed.train.augment as Partial<RunConfig['train']['augment']> | undefined;
  const train = {
    ...parsed.train,
    loss: resolveLossConfig(parsed.train.loss),
    ...(augment && augment.scanner === undefined ? { augment: { ...augment, scanner: resolveScannerRandomisation(false) } } : {}),
  };
  return { ...parsed, train } as RunConfig;
}


export function stepRowsCsv(rows: StepRow[], tasks: TaskName[]): string {
  const header = ['step', 'epoch', 'lr', 'total', ...tasks.map((t) => `loss_${t}`), ...tasks.map((t) => `weight_${t}`)];
  return csvText(
    header,
    rows.map((r) => [r.step, r.epoch, r.lr, r.total, ...tasks.map((t) => r.losses[t] ?? null), ...tasks.map((t) => r.weights[t] ?? null)]),
  );
}

export function epochRowsCsv(rows: EpochRow[], tasks: TaskName[]): string {
  const valKeys = [...new Set(rows.flatMap((r) => Object.keys(r.validation)))];
  const header = ['epoch', 'step', 'lr', 'total', ...tasks.map((t) => `loss_${t}`), ...valKeys.map((k) => `val_${k}`), 'seconds'];
  return csvText(
    header,
    rows.map((r) => [r.epoch, r.step, r.lr, r.total, ...tasks.map((t) => r.losses[t] ?? null), ...valKeys.map((k) => r.validation[k] ?? null), r.seconds]),
  );
}

/** Rewrites both logs (atomically) from the rows so far. */
export async function writeRunLogs(dir: string, tasks: TaskName[], steps: StepRow[], epochs: EpochRow[]): Promise<void> {
  const p = runPaths(dir);
  try {
    await writeFileAtomic(p.taskWeights, stepRowsCsv(steps, tasks));
    await writeFileAtomic(p.metrics, epochRowsCsv(epochs, tasks));
  } catch (err) {
    // Atomic writes leave each log as it was: say so rather than surface the raw system error.
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(`cannot write the run logs (${code ?? (err as Error).message}); the logs of the last checkpoint are intact`, dir);
  }
}

/** A run's per-step log (task-weights.csv) as columns of numbers; an empty cell is NaN. */
export async function readStepLog(dir: string): Promise<Record<string, number[]>> {
  const file = runPaths(dir).taskWeights;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ModelFileError(`cannot read the step log: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const { header, rows } = parseCsv(text, file);
  return Object.fromEntries(header.map((h, i) => [h, rows.map((r) => (r.cells[i] === '' ? NaN : Number(r.cells[i])))]));
}
