/**
 * Several workers on one machine: N `egfr-gtv ablate` processes on one study folder (task i of N each, so their
 * shares come first), with the cores split between them through the engines' thread variables. The claims
 * (lib/experiments/claims.ts) keep them apart exactly as they keep Slurm tasks apart.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** bin/egfr-gtv.js, from lib/experiments/ (sources) and dist/experiments/ (the build) alike. */
export const EGFR_GTV_BIN = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');

/** The threads each of `workers` workers gets on `cores` cores (at least 1). */
export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/** The environment that gives a process `threads` threads in every engine. */
export function threadEnv(threads: number): Record<string, string> {
  const t = String(threads);
  return { EGFR_NATIVE_THREADS: t, TF_NUM_INTRAOP_THREADS: t, TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: t };
}

export interface LocalWorkersOptions {
  workers: number;
  /** The ablate arguments every worker gets (without --task-index/--task-count, which are added). */
  args: string[];
  cores?: number;
  /** One line of a worker's output (stdout and stderr), prefixed by the caller as it likes. */
  onLine?: (worker: number, line: string) => void;
  env?: NodeJS.ProcessEnv;
  bin?: string;
}

export interface LocalWorker {
  index: number;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the workers; each resolves its `exited` when its process ends. */
export function startLocalWorkers(o: LocalWorkersOptions): LocalWorker[] {
  const threads = threadsPerWorker(o.workers, o.cores);
  const runId = `local-${process.pid}-${Date.now()}`;
  return Array.from({ length: o.workers }, (_, index) => {
    const child = spawn(process.execPath, [o.bin ?? EGFR_GTV_BIN, 'ablate', ...o.args, '--task-index', String(index), '--task-count', String(o.workers)], {
      env: { ...(o.env ?? process.env), ...threadEnv(threads), EGFR_GTV_RUN_ID: runId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? '';
        for (const p of parts) if (p.trim() !== '') o.onLine?.(index, p);
      });
      stream.on('end', () => {
        if (rest.trim() !== '') o.onLine?.(index, rest);
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
      child.on('error', () => resolvePromise({ code: 127, signal: null }));
      child.on('close', (code, signal) => resolvePromise({ code, signal }));
    });
    return { index, pid: child.pid ?? -1, exited, kill: (signal: NodeJS.Signals = 'SIGTERM') => child.kill(signal) };
  });
}
