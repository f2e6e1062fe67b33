/**
 * The timing protocol of the bench rows: `warmup` calls, then `runs` calls, each timed in wall milliseconds and in the
 * process's CPU milliseconds (user + system, all threads) and logged when a logger is given; the result keeps the
 * timings of the calls after the warm-up.
 */
import { performance } from 'node:perf_hooks';

export interface CallTimings {
  wall: number[];
  cpu: number[];
}

export function timeCalls(label: string, fn: () => void, opts: { warmup: number; runs: number; log?: (msg: string) => void }): CallTimings {
  const total = opts.warmup + opts.runs;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    const cpuMs = (c.user + c.system) / 1000;
    opts.log?.(`${label} ${i + 1}/${total}${i < opts.warmup ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms)`);
    if (i >= opts.warmup) {
      wall.push(ms);
      cpu.push(cpuMs);
    }
  }
  return { wall, cpu };
}
