import { parseBenchArgs, runBenchCommand } from '../../bench';
import type { Command } from '../command';

const usage = `usage: egfr-gtv bench [--only ROW,ROW] [--backend tensorflow-gpu|tensorflow|native|wasm|cpu] [--compare]

Runs the benchmark rows (the same as npm run bench): progress on stderr, one JSON object on the last stdout line with
backend, each row's keys (e.g. unet_b4_128_train_ms, unet_b4_128_forward_ms) and peak_rss_mb.
Rows: unet_b4_128 (the reference U-Net: median of 5 training steps after 2 warm-up steps), mtl_b4_128 (the default
multi-task model, same protocol), predict_volume (egfr-gtv predict's path on a 128x128x150 volume), train_peak_rss
(peak memory of a default egfr-gtv train), nifti_read_ms, resample_ms, synth_case (lib/bench/registry.ts lists them).
--compare runs both models and their PyTorch twins (bench/torch/unet.py, mtl.py; needs Debian's python3-torch) in one
run and prints both with the ratios tfjs / PyTorch: ratio_train, ratio_forward, ratio_train_cpu for the U-Net and
mtl_ratio_train, mtl_ratio_forward, mtl_ratio_train_cpu for the multi-task model.`;

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
