/**
 * Throughput of the addon's convolution kernels on the reference U-Net's layer shapes. Reports GFLOP/s from the
 * process CPU time (robust when other processes share the cores) and from wall time.
 * Run: npx tsx tests/engine/native/time-kernels.ts   (EGFR_NATIVE_THREADS=1 for one core)
 */
import { loadAddon } from '../../../lib/engine/native/addon';

const load = loadAddon();
if (!load.ok) throw new Error(load.reason);
const addon = load.addon;

interface Layer { name: string; n: number; h: number; c: number; k: number; co: number; s: number; transposed?: boolean }
const layers: Layer[] = [
  { name: 'enc1b 16->16 @128', n: 4, h: 128, c: 16, k: 3, co: 16, s: 1 },
  { name: 'enc2a 16->32 @64', n: 4, h: 64, c: 16, k: 3, co: 32, s: 1 },
  { name: 'enc2b 32->32 @64', n: 4, h: 64, c: 32, k: 3, co: 32, s: 1 },
  { name: 'enc3b 64->64 @32', n: 4, h: 32, c: 64, k: 3, co: 64, s: 1 },
  { name: 'dec2a 64->32 @64', n: 4, h: 64, c: 64, k: 3, co: 32, s: 1 },
  { name: 'dec1a 32->16 @128', n: 4, h: 128, c: 32, k: 3, co: 16, s: 1 },
  { name: 'enc1a 1->16 @128', n: 4, h: 128, c: 1, k: 3, co: 16, s: 1 },
];

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

function time(fn: () => void, flops: number): string {
  fn();
  const reps = 5;
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const wall = (performance.now() - t0) / reps;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1000 / reps;
  return `${wall.toFixed(2)} ms wall ${(flops / wall / 1e6).toFixed(1)} GF/s | cpu ${cpu.toFixed(2)} ms ${(flops / cpu / 1e6).toFixed(1)} GF/s`;
}

console.log(addon.info());
for (const l of layers) {
  const pad = (l.k - 1) >> 1;
  const g = Int32Array.from([l.n, l.h, l.h, l.c, l.k, l.k, l.co, l.h, l.h, 1, 1, 1, 1, pad, pad]);
  const x = rand(l.n * l.h * l.h * l.c), w = rand(l.k * l.k * l.c * l.co), y = new Float32Array(l.n * l.h * l.h * l.co);
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const flops = 2 * l.n * l.h * l.h * l.k * l.k * l.c * l.co;
  console.log(l.name);
  console.log('  fwd  ', time(() => addon.conv2d(x, w, null, y, g, 0, 0), flops));
  console.log('  dx   ', time(() => addon.conv2dBackpropInput(y, w, dx, g), flops));
  console.log('  dw   ', time(() => addon.conv2dBackpropFilter(x, y, dw, g), flops));
}
