/**
 * Times training steps of the reference U-Net (tests/engine/native/unet.ts) on a backend, for kernel work before the
 * bench exists. `profile` adds per-kernel totals of process CPU time (both threads), which stays meaningful when
 * other processes share the cores, unlike wall time.
 * Run: npx tsx tests/engine/native/time-step.ts [backend=native] [size=128] [steps=5] [profile]
 * With BENCH_UNET=1 it profiles the bench's reference U-Net (bench/reference-unet.ts) instead of the layers model
 * (BENCH_NORM=tf for its tf.moments + tf.batchNorm variant). PLAIN_UNET=1 times the same network
 * written here in plain ops with nativeBatchNormTraining, a preview of the engine using it.
 */
import * as tf from '@tensorflow/tfjs';

import { registerNativeBackend } from '../../../lib/engine/native';
import { REFERENCE_UNET, timeReferenceUnet } from '../../../lib/bench/reference-unet';
import { plainUnet, referenceUnet, trainStep } from './unet';

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/** Wraps every kernel of the backend to add up the process CPU time it takes. */
/** CPU ms per kernel and input shapes, when COUNT names a kernel prefix. */
const calls = new Map<string, number>();
function printCalls(steps: number): void {
  const prefix = process.env.COUNT;
  if (!prefix) return;
  const rows = [...calls.entries()].filter(([k]) => k.startsWith(prefix)).sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [k, ms] of rows) console.log(`${(ms / steps).toFixed(2)} ms cpu/step  ${k}`);
}
function instrument(backend: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const c0 = process.cpuUsage();
        const out = inner(args);
        totals.set(config.kernelName, (totals.get(config.kernelName) ?? 0) + cpuMs(c0));
        if (process.env.COUNT) {
          const key = `${config.kernelName} ${Object.values(args.inputs).map((t) => JSON.stringify(t?.shape)).join(' ')}`;
          calls.set(key, (calls.get(key) ?? 0) + cpuMs(c0));
        }
        return out;
      },
    });
  }
  return totals;
}

async function main(): Promise<void> {
  const [backend = 'native', sizeArg = '128', stepsArg = '5', mode] = process.argv.slice(2);
  if (backend === 'native') {
    const r = await registerNativeBackend();
    if (!r.ok) throw new Error(r.reason);
  }
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  if (process.env.BENCH_UNET) {
    const totals = mode === 'profile' ? instrument(backend) : undefined;
    const c0 = process.cpuUsage(), faults0 = process.resourceUsage().minorPageFault;
    // BENCH_NORM=tf: the tf.moments + tf.batchNorm variant of the bench network instead of the engine's batch norm.
    const cfg = { ...REFERENCE_UNET, ...(process.env.BENCH_NORM === 'tf' ? { norm: 'tf' as const } : {}) };
    const t = timeReferenceUnet({ warmup: 2, steps: Number(stepsArg), cfg });
    console.log(JSON.stringify({ backend, train_ms: Math.round(t.train_ms), forward_ms: Math.round(t.forward_ms), steps_ms: t.train_steps_ms.map(Math.round), cpu_ms_total: Math.round(cpuMs(c0)), minor_faults: process.resourceUsage().minorPageFault - faults0 }));
    if (totals) {
      const steps = 2 * (Number(stepsArg) + 2);
      printCalls(steps);
      for (const [name, ms] of [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${name.padEnd(28)} ${(ms / steps).toFixed(1)} ms cpu/step (train and forward steps averaged)`);
    }
    return;
  }
  const size = Number(sizeArg), batch = 4;
  const model = process.env.PLAIN_UNET ? plainUnet(size) : referenceUnet(size);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([batch, size, size, 1]) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([batch, size, size], 0, 2, 'int32') as tf.Tensor3D, 2).toFloat() as tf.Tensor4D);
  const totals = mode === 'profile' ? instrument(backend) : undefined;
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < Number(stepsArg); i++) {
    if (i === 2) {
      totals?.clear();
      calls.clear();
    }
    const t0 = performance.now(), c0 = process.cpuUsage();
    trainStep(model, optimizer, x, labels);
    wall.push(performance.now() - t0);
    cpu.push(cpuMs(c0));
  }
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  console.log(JSON.stringify({ backend, wall_ms: wall.map(Math.round), cpu_ms: cpu.map(Math.round), median_wall_ms: Math.round(median(wall)), tensors: tf.memory().numTensors }));
  if (totals) {
    const steps = Number(stepsArg) - 2;
    const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
    printCalls(steps);
    for (const [name, ms] of rows) console.log(`${name.padEnd(28)} ${(ms / steps).toFixed(1)} ms cpu/step`);
  }
}

void main();
