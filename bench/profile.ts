import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initEngine, type BackendName } from '../lib/engine/backend';
import { buildModel } from '../lib/model/multitask';
import { createTrainStep } from '../lib/train/step';
import { createWeighting } from '../lib/weighting/create';
import { buildReferenceUnet, REFERENCE_UNET } from '../lib/bench/reference-unet';

/**
 * Where a step spends its time, per kernel: `npx tsx bench/profile.ts [--backend wasm] [--model unet|mtl]
 * [--forward] [--batch N] [--norm engine|tf]`. The default is a training step of the reference U-Net; `--model mtl` the
 * default multi-task model (uncertainty weighting, Adam); `--forward` an inference pass instead (what whole-volume
 * prediction repeats), `--batch` the slices per step (default 4). Kernel times are process CPU time (tfjs times
 * kernels with `util.now`, replaced here), so they stay meaningful on a busy shared machine. Composed kernels include
 * the kernels they call (a Conv2DBackpropFilter row contains its inner Conv2D and Transposes, which also appear in
 * their own rows). Prints a table on stderr and one JSON object on the last stdout line.
 */
type Step = () => void;

/** A warmed-up step of the chosen model and its clean-up. */
function makeStep(model: 'unet' | 'mtl', forward: boolean, batch: number, norm: 'engine' | 'tf'): { step: Step; dispose(): void } {
  const size = REFERENCE_UNET.size;
  const x = tf.randomNormal([batch, size, size, 1], 0, 1, 'float32', REFERENCE_UNET.seed) as tf.Tensor4D;
  if (model === 'unet') {
    const cfg = { ...REFERENCE_UNET, batch, norm };
    const net = buildReferenceUnet(cfg);
    const labels = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.reshape(x, [batch, size, size]), 0.5), 'int32'), cfg.classes));
    const opt = tf.train.adam(1e-3);
    const step = forward
      ? () => tf.tidy(() => void net.forward(x).dataSync())
      : () => {
          const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x)) as tf.Scalar, true, net.params);
          loss?.dataSync();
          loss?.dispose();
        };
    return { step, dispose: () => (opt.dispose(), net.dispose(), tf.dispose([x, labels])) };
  }
  const net = buildModel({ input: { height: size, width: size, channels: 1 } });
  const weighting = createWeighting({ kind: 'uncertainty' }, net.tasks);
  const opt = tf.train.adam(1e-3);
  const train = createTrainStep(net, weighting, opt);
  const mask = tf.tidy(() => tf.cast(tf.greater(tf.avgPool(x, 9, 1, 'same'), 0.15), 'float32')) as tf.Tensor4D;
  const label = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32');
  const step = forward
    ? () =>
        tf.tidy(() => {
          const out = net.predict(x);
          out.seg?.dataSync();
          out.cls?.dataSync();
        })
    : () => void train({ image: x, mask, label });
  return { step, dispose: () => (opt.dispose(), weighting.dispose(), net.dispose(), tf.dispose([x, mask, label])) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      norm: { type: 'string' },
      model: { type: 'string' },
      forward: { type: 'boolean' },
      batch: { type: 'string' },
    },
  });
  const backend = (values.backend ?? 'wasm') as BackendName;
  if (!BACKEND_NAMES.includes(backend)) throw new Error(`--backend must be one of ${BACKEND_NAMES.join(', ')}`);
  const norm = values.norm === 'tf' ? 'tf' : 'engine';
  const model = values.model ?? 'unet';
  if (model !== 'unet' && model !== 'mtl') throw new Error(`--model must be unet or mtl, got '${model}'`);
  const batch = Number(values.batch ?? REFERENCE_UNET.batch);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got '${values.batch}'`);
  const forward = values.forward === true;
  await initEngine({ backend });
  const { step, dispose } = makeStep(model, forward, batch, norm);
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
  const what = `${model} ${forward ? 'forward' : 'training step'}, batch ${batch}`;
  process.stderr.write(`${backend}, ${what}${model === 'unet' ? `, norm ${norm}` : ''}: profiled step ${stepCpuMs.toFixed(0)} ms CPU\n`);
  for (const [name, r] of rows) {
    process.stderr.write(`${name.padEnd(40)}${r.ms.toFixed(1).padStart(9)} ms${String(r.calls).padStart(6)} calls\n`);
  }
  process.stdout.write(
    JSON.stringify({
      backend,
      model,
      forward,
      batch,
      ...(model === 'unet' ? { norm } : {}),
      step_cpu_ms: Math.round(stepCpuMs),
      kernels: Object.fromEntries(rows.map(([n, r]) => [n, { ms: Math.round(r.ms * 10) / 10, calls: r.calls }])),
    }) + '\n',
  );
  dispose();
}

main().catch((err: Error) => {
  process.stderr.write(`profile: error: ${err.message}\n`);
  process.exitCode = 1;
});
