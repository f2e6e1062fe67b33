/**
 * Runs the reference U-Net row of the bench on a TensorFlow.js backend and the PyTorch twin (bench/torch/unet.py) in
 * one go, on the same machine, and reports both with the ratios tfjs / PyTorch (above 1: tfjs is slower).
 * Run: npx tsx bench/torch/compare.ts [--backend native]   (needs Debian's python3-torch for /usr/bin/python3)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import type { BackendName } from '../../lib/engine/backend';
import { BackendError } from '../../lib/errors';
import { parseBenchArgs, runBench } from '../run';

/** The twin script and the interpreter that has Debian's torch (the first python3 on PATH may be another one). */
export const TORCH_TWIN = path.join(__dirname, 'unet.py');
export const TORCH_PYTHON = process.env.EGFR_GTV_PYTHON ?? '/usr/bin/python3';

export interface Comparison {
  tfjs: Record<string, number | string>;
  pytorch: Record<string, number | string>;
  ratio_train: number;
  ratio_forward: number;
  /** Ratio of process CPU time per training step: the fairer figure when other processes load the cores. */
  ratio_train_cpu: number;
}

/** The PyTorch twin's JSON line; a missing interpreter or torch is a BackendError naming the script. */
export function runTorchTwin(log: (msg: string) => void = () => undefined): Record<string, number | string> {
  log(`pytorch twin: ${TORCH_PYTHON} ${TORCH_TWIN}`);
  let out: string;
  try {
    out = execFileSync(TORCH_PYTHON, [TORCH_TWIN], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim().split('\n').pop();
    throw new BackendError(`the PyTorch twin failed (${stderr}); install torch with: apt-get install -y python3-torch`, TORCH_TWIN);
  }
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
}

export async function runCompare(opts: { backend?: BackendName; log?: (msg: string) => void } = {}): Promise<Comparison> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`compare: ${msg}\n`));
  const tfjs = await runBench({ only: ['unet_b4_128'], ...(opts.backend ? { backend: opts.backend } : {}), log });
  const pytorch = runTorchTwin(log);
  const ratio = (key: string): number => Math.round((Number(tfjs[key]) / Number(pytorch[key])) * 100) / 100;
  return {
    tfjs, pytorch, ratio_train: ratio('unet_b4_128_train_ms'), ratio_forward: ratio('unet_b4_128_forward_ms'),
    ratio_train_cpu: ratio('unet_b4_128_train_cpu_ms'),
  };
}

if (require.main === module) {
  runCompare(parseBenchArgs(process.argv.slice(2))).then(
    (out) => process.stdout.write(JSON.stringify(out) + '\n'),
    (err: Error) => {
      process.stderr.write(`compare: error: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
