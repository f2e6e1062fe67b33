import * as tf from '@tensorflow/tfjs-core';
import { nativeInfo, nativeKernelNames, registerNativeBackend, NATIVE_BACKEND_NAME } from '../native';
import type { BackendCandidate } from './candidate';

/** The native C++ addon backend (lib/engine/native): unavailable, with the reason, when the addon did not build. */
export const nativeCandidate: BackendCandidate = {
  name: 'native',
  async tryInit() {
    const registered = await registerNativeBackend();
    if (!registered.ok) return { ok: false, reason: registered.reason };
    if (!(await tf.setBackend(NATIVE_BACKEND_NAME))) return { ok: false, reason: 'the native backend failed to initialise' };
    const info = nativeInfo();
    const notes = info ? [`native addon: ${info.isa} GEMM kernels, ${info.threads} threads; other kernels from the cpu backend`] : [];
    return { ok: true, kernels: nativeKernelNames(), notes, ...(info ? { threads: info.threads } : {}) };
  },
};
