/**
 * Runs the bench rows of the reference U-Net and the default multi-task model on a TensorFlow.js backend and their
 * PyTorch twins (bench/torch/unet.py, bench/torch/mtl.py) in one go, on the same machine, and reports both with the
 * ratios tfjs / PyTorch (above 1: tfjs is slower).
 * Run: npm run bench -- --compare [--backend native]   (needs Debian's python3-torch for /usr/bin/python3)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import type { BackendName } from '../engine/backend';
import { BackendError } from '../errors';
import { runBench } from './run';

/** The PyTorch twins are scripts of the repository's bench/ folder, not part of the library. */
const TWINS_DIR = path.join(__dirname, '..', '..', 'bench', 'torch');

/** Each twin's script and the bench row (key prefix) it reproduces. */
export const TORCH_TWINS = {
  unet: { script: path.join(TWINS_DIR, 'unet.py'), row: 'unet_b4_128' },
  mtl: { script: path.join(TWINS_DIR, 'mtl.py'), row: 'mtl_b4_128' },
} as const;
export type TwinName = keyof typeof TORCH_TWINS;

/** The interpreter that has Debian's torch (the first python3 on PATH may be another one). */
export const TORCH_PYTHON = process.env.EGFR_GTV_PYTHON ?? '/usr/bin/python3';

export interface Ratios {
  train: number;
  forward: number;
  /** Ratio of process CPU time per training step: the fairer figure when other processes load the cores. */
  train_cpu: number;
}

export interface Comparison {
  tfjs: Record<string, number | string>;
  /** Both twins' keys; `peak_rss_mb` is the larger of the two processes'. */
  pytorch: Record<string, number | string>;
  ratio_train: number;
  ratio_forward: number;
  ratio_train_cpu: number;
  mtl_ratio_train: number;
  mtl_ratio_forward: number;
  mtl_ratio_train_cpu: number;
}

/**
 * A PyTorch twin's JSON line; `args` go to the script (e.g. `--warmup 0 --steps 1`), `python` defaults to
 * TORCH_PYTHON. A missing interpreter or torch, or a failing script, is a BackendError naming the script.
 */
export function runTorchTwin(
  name: TwinName,
  opts: { args?: string[]; python?: string; log?: (msg: string) => void } = {},
): Record<string, number | string> {
  const { script } = TORCH_TWINS[name];
  const { args = [], python = TORCH_PYTHON } = opts;
  opts.log?.(`pytorch twin: ${python} ${script} ${args.join(' ')}`.trimEnd());
  let out: string;
  try {
    // The twins import their shared module (twin.py): no __pycache__ left in the source tree.
    out = execFileSync(python, [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim().split('\n').pop();
    throw new BackendError(`the PyTorch twin failed (${stderr}); install torch with: apt-get install -y python3-torch`, script);
  }
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
}

/** tfjs / PyTorch for the row's train, forward and train CPU times, to 0.01. */
export function rowRatios(
  tfjs: Record<string, number | string>,
  pytorch: Record<string, number | string>,
  row: string,
): Ratios {
  const ratio = (key: string): number => Math.round((Number(tfjs[`${row}_${key}`]) / Number(pytorch[`${row}_${key}`])) * 100) / 100;
  return { train: ratio('train_ms'), forward: ratio('forward_ms'), train_cpu: ratio('train_cpu_ms') };
}

export async function runCompare(opts: { backend?: BackendName; log?: (msg: string) => void } = {}): Promise<Comparison> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`compare: ${msg}\n`));
  const rows = Object.values(TORCH_TWINS).map((t) => t.row);
  const tfjs = await runBench({ only: rows, ...(opts.backend ? { backend: opts.backend } : {}), log });
  const unet = runTorchTwin('unet', { log });
  const mtl = runTorchTwin('mtl', { log });
  const pytorch = { ...unet, ...mtl, peak_rss_mb: Math.max(Number(unet.peak_rss_mb), Number(mtl.peak_rss_mb)) };
  const u = rowRatios(tfjs, pytorch, TORCH_TWINS.unet.row);
  const m = rowRatios(tfjs, pytorch, TORCH_TWINS.mtl.row);
  return {
    tfjs,
    pytorch,
    ratio_train: u.train,
    ratio_forward: u.forward,
    ratio_train_cpu: u.train_cpu,
    mtl_ratio_train: m.train,
    mtl_ratio_forward: m.forward,
    mtl_ratio_train_cpu: m.train_cpu,
  };
}
