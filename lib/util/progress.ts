/**
 * A progress reporter for long loops (cohort synthesis, preprocessing, training): on a terminal, one bar with counts
 * and ETA redrawn in place; elsewhere (logs, CI, pipes) a plain line at most every `intervalSeconds`, plus the last,
 * so logs stay readable.
 */
export interface ProgressOptions {
  /** Where to write; default process.stderr, so stdout stays clean for results. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Minimum seconds between plain lines when the stream is not a terminal. */
  intervalSeconds?: number;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

export interface Progress {
  /** Reports that `done` of the total items are finished; `note` is shown after the counts. */
  update(done: number, note?: string): void;
  /** Ends the bar (newline on a terminal) and writes the final line elsewhere. */
  finish(note?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** `label [#####.....] 12/100 12% 0m31s<3m47s note` */
export function progressText(label: string, done: number, total: number, elapsedSeconds: number, note = '', width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const eta = done > 0 ? (elapsedSeconds * (total - done)) / done : Infinity;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return `${label} ${bar} ${done}/${total} ${Math.floor(fraction * 100)}% ${formatDuration(elapsedSeconds)}<${formatDuration(eta)}${note ? ' ' + note : ''}`;
}

export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const tty = Boolean(stream.isTTY);
  const interval = (opts.intervalSeconds ?? 10) * 1000;
  const start = now();
  let lastLine = -Infinity;
  let last = 0;
  const text = (done: number, note?: string) => progressText(label, done, total, (now() - start) / 1000, note);
  return {
    update(done, note) {
      last = done;
      if (tty) {
        const line = text(done, note);
        const width = stream.columns ?? 120;
        stream.write(`\r${line.length > width - 1 ? line.slice(0, width - 1) : line.padEnd(width - 1)}`);
      } else if (now() - lastLine >= interval) {
        lastLine = now();
        stream.write(text(done, note) + '\n');
      }
    },
    finish(note) {
      stream.write(tty ? `\r${text(last, note)}\n` : text(last, note) + '\n');
    },
  };
}

/**
 * A bar for a job that reports (done, total) as it goes, created at its first report (so its ETA counts from then)
 * and finished when done reaches total.
 */
export function createLazyProgress(label: string, opts: ProgressOptions = {}): (done: number, total: number) => void {
  let bar: Progress | undefined;
  return (done, total) => {
    bar ??= createProgress(label, total, opts);
    bar.update(done);
    if (done === total) bar.finish();
  };
}

/** One lazy bar (`createLazyProgress`) per named stage of a job. */
export function createStagedProgress<S extends string>(label: (stage: S) => string, opts: ProgressOptions = {}): (stage: S, done: number, total: number) => void {
  const bars = new Map<S, (done: number, total: number) => void>();
  return (stage, done, total) => {
    let bar = bars.get(stage);
    if (!bar) {
      bar = createLazyProgress(label(stage), opts);
      bars.set(stage, bar);
    }
    bar(done, total);
  };
}
