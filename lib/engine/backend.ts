import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { registerGradientFixes } from './gradients';
import { cpuCandidate } from './candidates/cpu';
import { nativeCandidate } from './candidates/native';
import { tfjsNodeCandidate, tfjsNodeGpuCandidate } from './candidates/tfjs-node';
import { wasmCandidate } from './candidates/wasm';
import type { BackendCandidate, BackendName } from './candidates/candidate';

export type { BackendCandidate, BackendName, CandidateResult } from './candidates/candidate';

/** Every backend name, fastest first: the order in which `initEngine` tries them. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'];

/** The environment variable that forces a backend (the `backend` option of `initEngine` wins over it). */
export const BACKEND_ENV = 'EGFR_GTV_BACKEND';

/** Set to 1 to let TensorFlow.js print its own console warnings (see `quietTfjs`). */
export const TFJS_WARNINGS_ENV = 'EGFR_GTV_TFJS_WARNINGS';

/**
 * Keeps TensorFlow.js's console chatter out of terminals and notebook outputs: the cpu backend (and our native one,
 * a MathBackendCPU) prints "Hi, looks like you are running TensorFlow.js in Node.js ..." on its first tensor, through
 * tfjs's `warn`, which prints unless the `PROD` or `IS_TEST` flag is set. `PROD` (what `tf.enableProdMode()` sets)
 * gates nothing else in tfjs-core 4.22 but its `warn` and `log`; `IS_TEST` would also turn on a memory-leak check in
 * every kernel. What `PROD` also silences are tfjs's notes on re-registered kernels and gradients and on a backend
 * that failed to initialise, whose reason `EngineReport.skipped` gives anyway. `EGFR_GTV_TFJS_WARNINGS=1` keeps them.
 * The flag is read when a message is printed, so setting it once, on loading this module, covers every backend
 * created later, initEngine or not.
 */
export function quietTfjs(): void {
  if (process.env[TFJS_WARNINGS_ENV] === '1') return;
  tf.env().set('PROD', true);
}
quietTfjs();

/** What `initEngine` chose and what it set up. */
export interface EngineReport {
  backend: BackendName;
  /** `tf.getBackend()` after the choice. */
  tfBackend: string;
  /** The kernels egfr-gtv registered for that backend (replacements, additions, refusals). */
  kernels: string[];
  notes: string[];
  /** True when the backend was forced by the option or by `EGFR_GTV_BACKEND`. */
  forced: boolean;
  /** Candidates tried before the chosen one, with the reason each was unavailable. */
  skipped: { backend: BackendName; reason: string }[];
  simd?: boolean;
  threads?: number;
}

/**
 * The candidates in the order they are tried. A candidate's `tryInit` makes its backend current (`tf.setBackend`)
 * and says why when it cannot. Replace one with `setBackendCandidate`.
 */
export const backendCandidates: BackendCandidate[] = [
  tfjsNodeGpuCandidate,
  tfjsNodeCandidate,
  nativeCandidate,
  wasmCandidate,
  cpuCandidate,
];

/** Replaces the candidate of the same name (for example a native addon once it is built). */
export function setBackendCandidate(candidate: BackendCandidate): void {
  const i = backendCandidates.findIndex((c) => c.name === candidate.name);
  if (i < 0) throw new BackendError(`unknown backend '${candidate.name}'; known: ${BACKEND_NAMES.join(', ')}`);
  backendCandidates[i] = candidate;
  if (current?.backend === candidate.name) current = undefined;
}

let current: EngineReport | undefined;
/** The request (`auto` or a forced name) that produced `current`, so a repeated call is a no-op. */
let currentRequest: string | undefined;

function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendError(`unknown backend '${value}'; choose one of ${BACKEND_NAMES.join(', ')}`, source);
}

/**
 * Selects the fastest TensorFlow.js backend available, registers egfr-gtv's kernels for it and reports the choice.
 *
 * Order: `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`, the native addon, wasm, cpu. The tfjs-node packages
 * are never dependencies (their install downloads libtensorflow); a user with a networked machine adds one, for
 * example a CUDA user with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (the version must match
 * `@tensorflow/tfjs-core`), and `initEngine` then picks it up.
 *
 * `opts.backend`, else the `EGFR_GTV_BACKEND` environment variable, forces one backend; a forced backend that is not
 * available throws `BackendError` with the reason. Calling again with the same request is cheap and returns the same
 * report; a different request switches backends.
 */
export async function initEngine(opts: { backend?: BackendName } = {}): Promise<EngineReport> {
  const env = process.env[BACKEND_ENV];
  const forcedName =
    opts.backend !== undefined
      ? parseBackendName(opts.backend, 'initEngine({ backend })')
      : env !== undefined && env !== ''
        ? parseBackendName(env, BACKEND_ENV)
        : undefined;
  registerGradientFixes();
  const request = forcedName ?? 'auto';
  if (current && currentRequest === request && tf.getBackend() === current.tfBackend) return current;

  const candidates = forcedName ? backendCandidates.filter((c) => c.name === forcedName) : backendCandidates;
  const skipped: EngineReport['skipped'] = [];
  for (const candidate of candidates) {
    const result = await candidate.tryInit();
    if (!result.ok) {
      skipped.push({ backend: candidate.name, reason: result.reason });
      continue;
    }
    current = {
      backend: candidate.name,
      tfBackend: tf.getBackend(),
      kernels: result.kernels ?? [],
      notes: result.notes ?? [],
      forced: forcedName !== undefined,
      skipped,
      ...(result.simd !== undefined ? { simd: result.simd } : {}),
      ...(result.threads !== undefined ? { threads: result.threads } : {}),
    };
    currentRequest = request;
    return current;
  }
  const source = opts.backend !== undefined ? undefined : forcedName ? BACKEND_ENV : undefined;
  throw new BackendError(
    forcedName
      ? `backend '${forcedName}' is not available: ${skipped[0]?.reason ?? 'no candidate'}`
      : `no backend is available: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
    source,
  );
}

/** The report of the last successful `initEngine`, or undefined before the first one. */
export function engineReport(): EngineReport | undefined {
  return current;
}
