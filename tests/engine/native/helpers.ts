/** Shared helpers of the native-backend tests: run the same computation on cpu and native and compare. */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
// The full tfjs package registers the gradients (and the cpu backend).
import '@tensorflow/tfjs';

import { registerNativeBackend } from '../../../lib/engine/native';

/** Registers the native backend or fails the suite with the reason (the addon must be built for these tests). */
export async function requireNative(): Promise<void> {
  const r = await registerNativeBackend();
  assert.ok(r.ok, r.ok ? '' : `native backend unavailable: ${r.reason}`);
}

/** Runs fn on a backend and returns its outputs as plain arrays; leaves no tensors behind. */
export async function runOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const r = fn();
    return Array.isArray(r) ? r : [r];
  });
  const values = out.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(out);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return values;
}

/** Deterministic pseudo-random values in [-1, 1) (a fixed LCG, so both backends see the same inputs). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Max |a-b| / (1 + max|b|): a scale-aware error between two results. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length differs');
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(b[i])) continue;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (1 + scale);
}

/** Asserts that native and cpu agree on every output of fn. */
export async function assertSameAsCpu(fn: () => tf.Tensor | tf.Tensor[], tol = 1e-5, label = ''): Promise<void> {
  const cpu = await runOn('cpu', fn);
  const native = await runOn('native', fn);
  assert.equal(native.length, cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const e = relError(native[i], cpu[i]);
    assert.ok(e <= tol, `${label} output ${i}: relative error ${e} > ${tol}`);
  }
}
