import type { BackendCandidate } from './candidate';

/**
 * The native C++ addon backend (lib/engine/native) takes this slot once it is built; until then it reports itself
 * unavailable so that selection falls through to wasm.
 */
export const nativeCandidate: BackendCandidate = {
  name: 'native',
  tryInit: async () => ({ ok: false, reason: 'not built: the native addon (lib/engine/native) is not available' }),
};
