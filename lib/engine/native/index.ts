/** The native (Node-API addon) compute backend. */
export { registerNativeBackend, nativeInfo, nativeKernelNames, nativeKernels, type NativeRegistration } from './backend';
export { NATIVE_BACKEND_NAME } from './kernel-util';
export { ADDON_PATH, loadAddon, loadAddonFrom, type AddonLoad, type NativeAddon } from './addon';
export { nativeBatchNormTraining, type NativeBatchNormResult } from './batch-norm';
