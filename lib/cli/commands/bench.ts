import { parseBenchArgs, runBenchCommand } from '../../../bench/run';
import type { Command } from '../command';

const usage = `usage: egfr-gtv bench [--only ROW,ROW] [--backend tensorflow-gpu|tensorflow|native|wasm|cpu] [--compare]

Runs the benchmark rows (the same as npm run bench): progress on stderr, one JSON object on the last stdout line with
backend, each row's keys (e.g. unet_b4_128_train_ms, unet_b4_128_forward_ms) and peak_rss_mb.
Rows: unet_b4_128 (the reference U-Net of issue 2: median of 5 training steps after 2 warm-up steps), and the rows
later issues register in bench/registry.ts.
--compare runs the reference U-Net and its PyTorch twin (bench/torch/unet.py; needs Debian's python3-torch) in one
process run and prints both with the ratios tfjs / PyTorch (ratio_train, ratio_forward, ratio_train_cpu).`;

export const command: Command = {
  name: 'bench',
  summary: 'run the performance benchmark and print one JSON object',
  usage,
  async run(args) {
    const out = await runBenchCommand(parseBenchArgs(args));
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  },
};
