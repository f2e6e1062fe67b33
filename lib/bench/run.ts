import { parseArgs } from 'node:util';
import { BACKEND_NAMES, initEngine, type BackendName } from '../engine/backend';
import { UsageError } from '../errors';
import { benchRows } from './registry';

export interface BenchOptions {
  /** Row names to run (all when absent). */
  only?: string[];
  backend?: BackendName;
  /** Run the reference U-Net and the multi-task model beside their PyTorch twins (bench/torch/*.py) and report the ratios. */
  compare?: boolean;
  log?: (msg: string) => void;
}

/**
 * Runs the bench rows on the selected backend and returns one flat object: `backend`, each row's values (rounded to
 * 0.1) and `peak_rss_mb` (the process's peak resident set size).
 */
export async function runBench(opts: BenchOptions = {}): Promise<Record<string, number | string>> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`bench: ${msg}\n`));
  const known = benchRows.map(([name]) => name);
  const unknown = (opts.only ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown bench row(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const engine = await initEngine(opts.backend ? { backend: opts.backend } : {});
  log(`backend ${engine.backend} (tf ${engine.tfBackend}${engine.simd !== undefined ? `, simd ${engine.simd}` : ''})`);
  const out: Record<string, number | string> = { backend: engine.backend };
  for (const [name, row] of benchRows) {
    if (opts.only && !opts.only.includes(name)) continue;
    log(`row ${name}`);
    const value = await row({ engine, log });
    const values = typeof value === 'number' ? { [name]: value } : value;
    for (const [k, v] of Object.entries(values)) out[k] = Math.round(v * 10) / 10;
    log(`row ${name}: ${JSON.stringify(values)}`);
  }
  out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  return out;
}

/** Parses `--only a,b`, `--backend X` and `--compare` (shared by `npm run bench` and `egfr-gtv bench`). */
export function parseBenchArgs(args: string[]): BenchOptions {
  let values: { only?: string; backend?: string; compare?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { only: { type: 'string' }, backend: { type: 'string' }, compare: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${values.backend}'`);
  }
  return {
    ...(values.only ? { only: values.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(values.backend ? { backend: values.backend as BackendName } : {}),
    ...(values.compare ? { compare: true } : {}),
  };
}

