import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCandidate, BackendName, CandidateResult } from './candidate';

/**
 * A tfjs-node package the user installed. Here `@tensorflow/tfjs-node` is mapped by an npm override to plain
 * `@tensorflow/tfjs` (so that danfojs installs), which `require` loads happily; the real package is recognised by its
 * package.json name and by the 'tensorflow' backend it registers.
 */
function tfjsNodePackage(name: BackendName, pkg: string): BackendCandidate {
  return {
    name,
    async tryInit(): Promise<CandidateResult> {
      let manifestPath: string;
      try {
        manifestPath = require.resolve(`${pkg}/package.json`);
      } catch {
        return { ok: false, reason: `${pkg} is not installed` };
      }
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; version?: string };
      if (manifest.name !== pkg) {
        return {
          ok: false,
          reason: `${pkg} resolves to ${manifest.name}@${manifest.version} (an npm override), not the native binding`,
        };
      }
      try {
        // Optional, user-installed package: it can only be found at run time.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(pkg);
      } catch (err) {
        return { ok: false, reason: `${pkg} is installed but does not load: ${(err as Error).message}` };
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        return {
          ok: false,
          reason: `${pkg} registered no 'tensorflow' backend in this @tensorflow/tfjs-core (a second copy of tfjs-core?)`,
        };
      }
      if (!(await tf.setBackend('tensorflow'))) {
        return { ok: false, reason: `${pkg} failed to initialise its 'tensorflow' backend` };
      }
      return { ok: true, notes: [`${pkg}@${manifest.version}: libtensorflow kernels, no egfr-gtv kernels needed`] };
    },
  };
}

export const tfjsNodeGpuCandidate = tfjsNodePackage('tensorflow-gpu', '@tensorflow/tfjs-node-gpu');
export const tfjsNodeCandidate = tfjsNodePackage('tensorflow', '@tensorflow/tfjs-node');
