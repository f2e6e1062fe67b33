/**
 * Training progress as callbacks, so the same trainer reports to a terminal (a progress bar with ETA), to a notebook
 * (one display entry overwritten in place, plus the rows for live plots) or to a test (nothing).
 */
import type { TaskName } from '../model/multitask';
import { createProgress, formatDuration, progressText, type Progress } from '../util/progress';
import type { TaskNumbers } from '../weighting/strategy';

/** One optimiser step as logged (task-weights.csv has one row per step). */
export interface StepRow {
  step: number;
  epoch: number;
  lr: number;
  total: number;
  losses: TaskNumbers;
  weights: TaskNumbers;
}

/** One epoch as logged (metrics.csv has one row per epoch). */
export interface EpochRow {
  epoch: number;
  /** Steps completed at the end of the epoch. */
  step: number;
  lr: number;
  /** Mean total and task losses over the epoch's steps. */
  total: number;
  losses: TaskNumbers;
  /** Validation metrics of this epoch (empty when not validated). */
  validation: Record<string, number>;
  /** Wall-clock seconds since the run started (time before an interruption included). */
  seconds: number;
}

export interface ProgressEvent {
  row: StepRow;
  totalSteps: number;
  /** Seconds since the start of this process's part of the run, and the projected remainder. */
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface TrainCallbacks {
  onStep?(event: ProgressEvent): void;
  onEpoch?(row: EpochRow): void;
  onEnd?(summary: { steps: number; stoppedEarly: boolean; bestEpoch: number | null }): void;
}

function lossText(losses: TaskNumbers): string {
  return (Object.keys(losses) as TaskName[]).map((t) => `${t} ${losses[t]!.toFixed(3)}`).join(' ');
}

/** The note after the bar: the step's task losses and learning rate. */
function stepNote(e: ProgressEvent): string {
  return `${lossText(e.row.losses)} lr ${e.row.lr.toExponential(1)}`;
}

/** `train [#####.....] 120/1000 12% 2m03s<14m10s seg 0.431 cls 0.690 lr 9.8e-4` (lib/util/progress.ts's bar). */
export function progressLine(e: ProgressEvent): string {
  return progressText('train', e.row.step + 1, e.totalSteps, e.elapsedSeconds, stepNote(e));
}

export function epochLine(row: EpochRow): string {
  const val = Object.entries(row.validation)
    .map(([k, v]) => `val_${k} ${v.toFixed(3)}`)
    .join(' ');
  return `epoch ${row.epoch} step ${row.step} ${lossText(row.losses)} total ${row.total.toFixed(3)}${val ? ' ' + val : ''} (${formatDuration(row.seconds)})`;
}

/**
 * A progress bar with ETA on a terminal (lib/util/progress.ts: redrawn in place; elsewhere a plain line every few
 * seconds), and one line per epoch.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): TrainCallbacks {
  let bar: Progress | undefined;
  return {
    onStep(e) {
      bar ??= createProgress('train', e.totalSteps, { stream });
      bar.update(e.row.step + 1, stepNote(e));
    },
    onEpoch(row) {
      stream.write(`${stream.isTTY ? '\r\x1b[K' : ''}${epochLine(row)}\n`);
    },
    onEnd(s) {
      bar?.finish(`${s.steps} steps${s.stoppedEarly ? ', stopped early' : ''}${s.bestEpoch !== null ? `, best epoch ${s.bestEpoch}` : ''}`);
    },
  };
}

/** What a notebook display needs: tslab's `newDisplay()` gives one whose `text` overwrites its entry. */
export interface TextSink {
  text(s: string): void;
}

/**
 * Notebook progress: one display entry rewritten every `every` steps with the progress line and the last epoch's
 * line, and the logged rows kept in `steps` and `epochs` for live plots. Without a sink it uses tslab's
 * `newDisplay()`, so it must then be called inside a tslab kernel.
 */
export async function notebookProgress(
  options: { sink?: TextSink; every?: number } = {},
): Promise<TrainCallbacks & { steps: StepRow[]; epochs: EpochRow[] }> {
  const sink = options.sink ?? (await import('tslab')).newDisplay();
  const every = options.every ?? 10;
  const steps: StepRow[] = [];
  const epochs: EpochRow[] = [];
  const show = (line: string) => sink.text(epochs.length > 0 ? `${line}\n${epochLine(epochs[epochs.length - 1])}` : line);
  return {
    steps,
    epochs,
    onStep(e) {
      steps.push(e.row);
      if ((e.row.step + 1) % every === 0 || e.row.step + 1 === e.totalSteps) show(progressLine(e));
    },
    onEpoch(row) {
      epochs.push(row);
    },
    onEnd(s) {
      show(`done: ${s.steps} steps${s.stoppedEarly ? ', stopped early' : ''}`);
    },
  };
}

/** Calls every set of callbacks in turn. */
export function combineCallbacks(...all: (TrainCallbacks | undefined)[]): TrainCallbacks {
  const list = all.filter((c): c is TrainCallbacks => c !== undefined);
  return {
    onStep: (e) => list.forEach((c) => c.onStep?.(e)),
    onEpoch: (r) => list.forEach((c) => c.onEpoch?.(r)),
    onEnd: (s) => list.forEach((c) => c.onEnd?.(s)),
  };
}
