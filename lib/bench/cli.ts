import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from '../util/percentile';

/**
 * Benchmark rows for the command line's start: wall milliseconds of a whole `egfr-gtv` process, from spawn to exit,
 * as a user waits for it (Node.js start, the build-freshness check, the compiled command line and the command).
 * Targets on an idle machine: `--help` <= 300 ms, `info FILE --json` <= 400 ms. One untimed run first (it rebuilds
 * dist/ when the sources changed, and warms the file cache), then the median of `runs`.
 */
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'egfr-gtv.js');
/** A NIfTI file that ships with the repository (128x128x112 uint8, gzip). */
export const CLI_INFO_FILE = join(ROOT, 'datasets', 'colin27', 'ch2_1.5mm.nii.gz');

/** The median wall time of `egfr-gtv ARGS` over `runs` runs after one warm-up; throws when a run fails. */
export function timeCli(args: string[], runs = 10): number {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`egfr-gtv ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    return ms;
  };
  once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(once());
  return median(times);
}

export async function cli_help_ms(): Promise<number> {
  return timeCli(['--help']);
}

export async function cli_info_ms(): Promise<number> {
  return timeCli(['info', CLI_INFO_FILE, '--json']);
}
