import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../lib/engine/backend';
import { timeMultiTaskModel } from '../../../bench/model';
function cpuMs(since: NodeJS.CpuUsage): number { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; }
async function main(): Promise<void> {
  const backend = process.argv[2] ?? 'native';
  await initEngine({ backend: backend as 'native' });
  const totals = new Map<string, number>();
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc: (args) => { const c0 = process.cpuUsage(); const out = inner(args);
      const key = process.env.SHAPES === config.kernelName ? `${config.kernelName} ${Object.values(args.inputs).map((t) => JSON.stringify(t?.shape)).join(' ')} ${JSON.stringify(args.attrs)}` : config.kernelName;
      totals.set(key, (totals.get(key) ?? 0) + cpuMs(c0)); return out; } });
  }
  const t = timeMultiTaskModel({ warmup: 1, steps: 2 });
  console.log(JSON.stringify(t));
  for (const [k, ms] of [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((ms / 6).toFixed(1), k);
}
void main();
