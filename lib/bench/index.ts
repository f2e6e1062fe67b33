/** The benchmark: rows timed on the engine's backend (registry.ts) and the comparison with the PyTorch twins. */
import { runCompare } from './compare';
import { runBench, type BenchOptions } from './run';

export { runCompare, TORCH_PYTHON, TORCH_TWINS, type Comparison } from './compare';
export { benchRows, type BenchContext, type BenchRow } from './registry';
export { parseBenchArgs, runBench, type BenchOptions } from './run';

/**
 * `--compare` runs the reference U-Net and multi-task rows beside their PyTorch twins and returns both with the ratios;
 * otherwise the selected rows.
 */
export async function runBenchCommand(opts: BenchOptions): Promise<object> {
  return opts.compare ? runCompare(opts) : runBench(opts);
}
