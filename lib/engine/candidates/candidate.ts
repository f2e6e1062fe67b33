/** The backends egfr-gtv knows, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

/** What a candidate's `tryInit` found: a ready backend (now current in tfjs) or the reason it is unavailable. */
export type CandidateResult =
  | { ok: true; kernels?: string[]; notes?: string[]; simd?: boolean; threads?: number }
  | { ok: false; reason: string };

/** One entry of the backend list: `tryInit` makes the backend current (`tf.setBackend`) or says why it cannot. */
export interface BackendCandidate {
  name: BackendName;
  tryInit(): Promise<CandidateResult>;
}
