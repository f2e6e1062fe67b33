/**
 * The 'native' TensorFlow.js backend: a MathBackendCPU (so tensors live in its typed arrays) with every cpu kernel
 * registered for it, and the hot training kernels replaced by the Node-API addon. The addon reads and writes the
 * backend's Float32Arrays directly: no copies in or out. The hot kernels take their outputs from the backend's pool of
 * recycled arrays (native-backend.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

import { addGradientRefresher, registerGradientFixes } from '../gradients';
import { cpuKernels } from '../kernels/cpu';
import { installKernels, stockKernel } from '../kernels/install';
import { loadAddon, type NativeAddon } from './addon';
import { batchNormKernels } from './batch-norm';
import { gradientKernels, installNativeGradients } from './gradients';
import { NATIVE_BACKEND_NAME } from './kernel-util';
import { NativeBackend } from './native-backend';
import { convKernels, depthwiseKernels } from './kernels/conv';
import { elementwiseKernels } from './kernels/elementwise';
import { matMulKernels } from './kernels/matmul';
import { movementKernels } from './kernels/movement';
import { normKernels } from './kernels/norm';
import { poolKernels } from './kernels/pool';
import { reduceKernels } from './kernels/reduce';
import { softmaxKernels } from './kernels/softmax';

export type NativeRegistration = { ok: true } | { ok: false; reason: string };

/** The kernels the addon implements (each falls back to the cpu code for attributes it does not cover). */
export function nativeKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    ...convKernels(addon), ...depthwiseKernels(addon), ...poolKernels(addon), ...matMulKernels(addon),
    ...elementwiseKernels(addon), ...reduceKernels(addon), ...movementKernels(addon), ...normKernels(addon),
    ...softmaxKernels(addon),
  ];
}

let registration: NativeRegistration | undefined;

/**
 * Registers the 'native' backend (idempotent). Does not make it the active backend: the engine (or a caller) does
 * that with tf.setBackend('native'). Resolves { ok: false, reason } when the addon is missing or cannot load.
 */
export async function registerNativeBackend(): Promise<NativeRegistration> {
  if (registration !== undefined) return registration;
  const load = loadAddon();
  if (!load.ok) {
    registration = { ok: false, reason: load.reason };
    return registration;
  }
  const overridden = nativeKernels(load.addon);
  const replaced = new Set(overridden.map((k) => k.kernelName));
  // The stock cpu kernels (the engine may already have replaced some for cpu), then the engine's cpu replacements
  // that the addon does not cover (installed the engine's way, so that they can fall back on the stock kernel),
  // then the addon's kernels.
  for (const config of tf.getKernelsForBackend('cpu')) {
    const stock = stockKernel(config.kernelName, 'cpu') ?? config;
    if (!replaced.has(config.kernelName)) tf.registerKernel({ ...stock, backendName: NATIVE_BACKEND_NAME });
  }
  installKernels(NATIVE_BACKEND_NAME, cpuKernels().filter((k) => !replaced.has(k.kernelName)));
  for (const config of [...overridden, ...gradientKernels(load.addon), ...batchNormKernels(load.addon)]) tf.registerKernel(config);
  // The native gradients wrap the engine's fixes, so they are (re)installed right after them, now and whenever the
  // engine refreshes its gradients.
  addGradientRefresher(installNativeGradients);
  registerGradientFixes();
  // Priority 0 (below cpu's 1): registering never changes which backend tfjs picks by default.
  tf.registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(), 0);
  registration = { ok: true };
  return registration;
}

/** The names of the kernels the addon replaces (empty without the addon). */
export function nativeKernelNames(): string[] {
  const load = loadAddon();
  return load.ok ? nativeKernels(load.addon).map((k) => k.kernelName).sort() : [];
}

/** Which instruction set the GEMM kernels use and how many threads the addon runs; undefined without the addon. */
export function nativeInfo(): { isa: string; threads: number } | undefined {
  const load = loadAddon();
  return load.ok ? load.addon.info() : undefined;
}
