import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initEngine, type BackendName } from '../lib/engine/backend';
import { buildReferenceUnet, REFERENCE_UNET } from './reference-unet';

/**
 * Where a reference U-Net training step spends its time, per kernel: `npx tsx bench/profile.ts [--backend wasm]
 * [--norm engine|tf]`. Kernel times are process CPU time (tfjs times kernels with `util.now`, replaced here), so they
 * stay meaningful on a busy shared machine. Composed kernels include the kernels they call (a Conv2DBackpropFilter
 * row contains its inner Conv2D and Transposes, which also appear in their own rows). Prints a table on stderr and
 * one JSON object on the last stdout line.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, norm: { type: 'string' } } });
  const backend = (values.backend ?? 'wasm') as BackendName;
  if (!BACKEND_NAMES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_NAMES.join(', ')}`);
  const norm = values.norm === 'tf' ? 'tf' : 'engine';
  await initEngine({ backend });
  const cfg = { ...REFERENCE_UNET, norm } as const;
  const net = buildReferenceUnet(cfg);
  const x = tf.randomNormal([cfg.batch, cfg.size, cfg.size, 1], 0, 1, 'float32', cfg.seed) as tf.Tensor4D;
  const labels = tf.tidy(() =>
    tf.oneHot(tf.cast(tf.greater(tf.reshape(x, [cfg.batch, cfg.size, cfg.size]), 0.5), 'int32'), cfg.classes),
  );
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x)) as tf.Scalar, true, net.params);
    loss?.dataSync();
    loss?.dispose();
  };
  step();
  step();
  const cpuNow = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  (tf.util as unknown as { now: () => number }).now = cpuNow;
  const c0 = cpuNow();
  const profile = await tf.profile(step);
  const stepCpuMs = cpuNow() - c0;
  const perKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const t = await k.kernelTimeMs;
    const row = perKernel.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += typeof t === 'number' ? t : 0;
    row.calls += 1;
    perKernel.set(k.name, row);
  }
  const rows = [...perKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  process.stderr.write(`${backend}, norm ${norm}: profiled step ${stepCpuMs.toFixed(0)} ms CPU\n`);
  for (const [name, r] of rows) {
    process.stderr.write(`${name.padEnd(40)}${r.ms.toFixed(1).padStart(9)} ms${String(r.calls).padStart(6)} calls\n`);
  }
  process.stdout.write(
    JSON.stringify({
      backend,
      norm,
      step_cpu_ms: Math.round(stepCpuMs),
      kernels: Object.fromEntries(rows.map(([n, r]) => [n, { ms: Math.round(r.ms * 10) / 10, calls: r.calls }])),
    }) + '\n',
  );
  opt.dispose();
  net.dispose();
  tf.dispose([x, labels]);
}

main().catch((err: Error) => {
  process.stderr.write(`profile: error: ${err.message}\n`);
  process.exitCode = 1;
});
