import * as tf from '@tensorflow/tfjs-core';
import type { KernelSpec } from './composed';

const installed = new Map<string, string[]>();
const originals = new Map<string, tf.KernelConfig>();

/**
 * Registers egfr-gtv's kernels for one backend, replacing the stock kernel of the same name (kept, so that a kernel
 * can delegate the cases the stock one gets right). Idempotent: a second call returns the names of the first.
 */
export function installKernels(backendName: string, configs: KernelSpec[]): string[] {
  const done = installed.get(backendName);
  if (done) return done;
  for (const config of configs) {
    const stock = tf.getKernel(config.kernelName, backendName);
    if (stock) {
      originals.set(`${backendName}/${config.kernelName}`, stock);
      tf.unregisterKernel(config.kernelName, backendName);
    }
    tf.registerKernel({ ...config, backendName });
  }
  const names = configs.map((c) => c.kernelName).sort();
  installed.set(backendName, names);
  return names;
}

/** The stock kernel that `installKernels` replaced, if any. */
export function stockKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return originals.get(`${backendName}/${kernelName}`);
}

/**
 * Runs the stock kernel that `installKernels` replaced, on the current backend, and returns its output as a tensor
 * tracked by the engine (so an enclosing tidy frees it). For kernels that handle only some cases themselves.
 */
export function runStockKernel(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object): tf.Tensor {
  const backendName = tf.getBackend();
  const stock = stockKernel(kernelName, backendName);
  if (!stock) throw new Error(`no stock kernel ${kernelName} on ${backendName}`);
  const out = stock.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: tf.backend() });
  return tf.engine().makeTensorFromTensorInfo(out as tf.TensorInfo);
}
