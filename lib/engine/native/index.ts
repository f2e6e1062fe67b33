/**
 * The native (Node-API addon) compute backend. Its floats do not depend on thread timing: every multi-threaded
 * reduction sums fixed parts in a fixed order (native/src/threadpool.h, parallel_reduce), so the same inputs give the
 * same bits on every run for a given instruction set (cpuid, EGFR_NATIVE_ISA) and thread count (EGFR_NATIVE_THREADS),
 * and a resumed training run continues exactly, as on wasm and cpu.
 */
export { registerNativeBackend, nativeInfo, nativeKernelNames, nativeKernels, type NativeRegistration } from './backend';
export { NATIVE_BACKEND_NAME } from './kernel-util';
export { ADDON_PATH, loadAddon, loadAddonFrom, type AddonLoad, type NativeAddon } from './addon';
export { nativeBatchNormTraining, type NativeBatchNormResult } from './batch-norm';
