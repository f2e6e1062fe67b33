/**
 * Bench row of the memory a default training run needs (issue 8, target <= 1.5 GB): `egfr-gtv train` with the
 * command's defaults (multi-task model, 128 px, batch 8, uncertainty weighting, augmentation, 20% validation
 * patients validated at the end) on a small seeded synthetic cohort, in a child process whose peak resident set size
 * (VmHWM) is the row's value. Only the number of steps is set, and the backend is the bench's.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { BackendName } from '../engine/backend';
import { loadColin27 } from '../synth/colin27';
import { exportCohort } from '../synth/export';
import { PEAK_RSS_FILE_ENV } from './peak-rss-at-exit';

const ROOT = join(__dirname, '..', '..');

export interface TrainMemoryOptions {
  /** Synthetic cases (seeded), default 6. */
  cases?: number;
  /** Optimiser steps, default 20. */
  steps?: number;
  /** Extra `egfr-gtv train` arguments (tests shrink the run with them). */
  args?: string[];
  backend?: BackendName;
  seed?: number;
  log?: (msg: string) => void;
}

export interface TrainMemory {
  /** Peak RSS of the training process, MB. */
  train_peak_rss_mb: number;
  train_peak_rss_steps: number;
  train_peak_rss_cases: number;
}

/** Trains in a child process on a fresh synthetic cohort and returns its peak RSS; the temporary folder is removed. */
export async function measureTrainMemory(opts: TrainMemoryOptions = {}): Promise<TrainMemory> {
  const { cases = 6, steps = 20, args = [], seed = 1, log = () => undefined } = opts;
  const root = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-bench-train-rss-'));
  try {
    const data = join(root, 'cohort');
    log(`synthesising ${cases} cases`);
    await exportCohort(await loadColin27(), { cases, seed }, data);
    const rssFile = join(root, 'peak-rss-kb');
    const argv = [
      '--require', 'tsx/cjs', '--require', join(__dirname, `peak-rss-at-exit${extname(__filename)}`), join(ROOT, 'bin', 'egfr-gtv.js'),
      'train', '--data', data, '--model', 'mtl', '--out', join(root, 'run'), '--steps', String(steps), '--json',
      ...(opts.backend ? ['--backend', opts.backend] : []), ...args,
    ];
    log(`node ${argv.slice(4).join(' ')}`);
    const child = spawnSync(process.execPath, argv, { cwd: ROOT, env: { ...process.env, [PEAK_RSS_FILE_ENV]: rssFile }, encoding: 'utf8' });
    if (child.status !== 0) {
      // The command prints its error first (then, for usage errors, the usage).
      const message = child.stderr.split('\n').find((line) => /error/i.test(line)) ?? child.stderr.trim().split('\n').pop();
      throw new Error(`egfr-gtv train exited with ${child.status ?? child.signal}: ${message}`);
    }
    const kb = Number((await fs.readFile(rssFile, 'utf8')).trim());
    return { train_peak_rss_mb: kb / 1024, train_peak_rss_steps: steps, train_peak_rss_cases: cases };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** The bench row for bench/registry.ts. */
export async function trainPeakRssRow(ctx: { engine: { backend: BackendName }; log(msg: string): void }): Promise<Record<string, number>> {
  return { ...(await measureTrainMemory({ backend: ctx.engine.backend, log: ctx.log })) };
}
