/**
 * Claims with a lease, so several workers (processes on one machine, Slurm array tasks, Kubernetes pods) can share one
 * study folder on a shared filesystem without a scheduler of their own:
 *   - a worker claims a cell by creating its claim file exclusively (open with O_EXCL: of two creators one wins);
 *   - the claim holds the worker's id, host, pid, log file and an expiry, which the holder refreshes every third of the
 *     lease (write to a temporary file of its own, then rename over the claim: a reader sees the old or the new claim);
 *   - a claim whose expiry has passed (its worker was killed) is taken over: the taker exclusively creates a takeover
 *     marker named after that claim's generation (`<claim>.takeover-<generation>`), checks the claim is still that
 *     generation, renames its own claim over it and removes the marker. Two takers of one expired claim compete for one
 *     marker, so one wins; a marker older than the lease (a taker killed mid-takeover) yields to the next level
 *     (`...-2`, `...-3`), so nothing is ever deleted by anyone but its creator;
 *   - a holder that finds its claim replaced (it was paused longer than the lease) has lost it and stops.
 * The lease is EGFR_GTV_LEASE_SECONDS (default 60 s) unless a caller gives one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors';

export const LEASE_ENV = 'EGFR_GTV_LEASE_SECONDS';
export const DEFAULT_LEASE_SECONDS = 60;

/** The lease in seconds: the caller's, else EGFR_GTV_LEASE_SECONDS, else 60. */
export function leaseSeconds(given?: number): number {
  if (given !== undefined) return given;
  const env = process.env[LEASE_ENV];
  if (env === undefined || env === '') return DEFAULT_LEASE_SECONDS;
  const v = Number(env);
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError(`${LEASE_ENV} must be a positive number of seconds, not '${env}'`);
  return v;
}

/** Who holds a claim. */
export interface WorkerInfo {
  /** Unique per process: host, pid and a random suffix (plus the Slurm or Kubernetes task when there is one). */
  id: string;
  host: string;
  pid: number;
  /** The worker's log file, when it knows it (a Slurm task's output file). */
  log?: string;
}

/** What a claim file holds. */
export interface Claim extends WorkerInfo {
  /** Unique per claim: changes at every claim and takeover, never at a refresh. */
  generation: string;
  claimedAt: string;
  /** Expiry, ms since the epoch (and as text, for people reading the file). */
  expiresMs: number;
  expires: string;
  /** The generation this claim took over, if it was a takeover. */
  tookOver?: string;
}

/** A worker id from the process and, when present, its Slurm array task or Kubernetes index. */
export function currentWorker(log?: string): WorkerInfo {
  const host = hostname();
  const env = process.env;
  const task = env.SLURM_ARRAY_JOB_ID ? `slurm-${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID ?? '0'}` : env.JOB_COMPLETION_INDEX !== undefined ? `k8s-${env.JOB_COMPLETION_INDEX}` : undefined;
  const id = [host, process.pid, task, randomBytes(3).toString('hex')].filter((x) => x !== undefined).join(':');
  return { id, host, pid: process.pid, ...(log ? { log } : {}) };
}

const unique = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

/** Writes `path` through a temporary file of this writer's own and a rename (readers see old or new, never half). */
async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${unique()}.tmp`);
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * The claim in `file`, null when there is none. A claim file caught between its exclusive create and its first write
 * (empty or cut short) reads as a claim expiring a lease after the file's modification time.
 */
export async function readClaim(file: string, leaseMs: number): Promise<Claim | null> {
  let text: string;
  let mtimeMs: number;
  try {
    const [t, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    text = t;
    mtimeMs = st.mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(text) as Claim;
  } catch {
    const expiresMs = mtimeMs + leaseMs;
    return { id: 'unknown', host: 'unknown', pid: 0, generation: `partial-${mtimeMs}`, claimedAt: new Date(mtimeMs).toISOString(), expiresMs, expires: new Date(expiresMs).toISOString() };
  }
}

export const claimExpired = (claim: Claim, now = Date.now()) => claim.expiresMs <= now;

function newClaim(worker: WorkerInfo, leaseMs: number, tookOver?: string): Claim {
  const now = Date.now();
  return {
    ...worker,
    generation: `${worker.id}:${now}:${randomBytes(3).toString('hex')}`,
    claimedAt: new Date(now).toISOString(),
    expiresMs: now + leaseMs,
    expires: new Date(now + leaseMs).toISOString(),
    ...(tookOver ? { tookOver } : {}),
  };
}

/** A claim this process holds; `refresh` extends it, `release` gives it up. */
export interface Lease {
  file: string;
  claim: Claim;
  /** The claim that was taken over, when this lease began as a takeover. */
  from?: Claim;
  /** Extends the expiry by a lease from now; false (and `lost` set) when another worker holds the claim now. */
  refresh(): Promise<boolean>;
  lost: boolean;
  /** Removes the claim file (only if it is still this lease's). */
  release(): Promise<void>;
}

function makeLease(file: string, claim: Claim, leaseMs: number, from?: Claim): Lease {
  const lease: Lease = {
    file,
    claim,
    ...(from ? { from } : {}),
    lost: false,
    async refresh() {
      if (lease.lost) return false;
      const current = await readClaim(file, leaseMs);
      if (!current || current.generation !== lease.claim.generation) {
        lease.lost = true;
        return false;
      }
      const now = Date.now();
      lease.claim = { ...lease.claim, expiresMs: now + leaseMs, expires: new Date(now + leaseMs).toISOString() };
      await replaceFile(file, JSON.stringify(lease.claim, null, 1) + '\n');
      return true;
    },
    async release() {
      const current = await readClaim(file, leaseMs).catch(() => null);
      if (current && current.generation === lease.claim.generation) await fs.rm(file, { force: true });
    },
  };
  return lease;
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/** Takes over the expired claim `old` in `file`; null when another taker won or the claim changed meanwhile. */
async function takeOver(file: string, old: Claim, worker: WorkerInfo, leaseMs: number): Promise<Lease | null> {
  const safe = old.generation.replace(/[^A-Za-z0-9._-]/g, '_');
  for (let level = 1; level < 100; level++) {
    const marker = `${file}.takeover-${safe}${level > 1 ? `-${level}` : ''}`;
    if (!(await createExclusive(marker, JSON.stringify({ worker: worker.id, at: new Date().toISOString() }) + '\n'))) {
      const st = await fs.stat(marker).catch(() => null);
      // A fresh marker: another worker is taking over right now. A stale one: its taker died; try the next level.
      if (st && Date.now() - st.mtimeMs < leaseMs) return null;
      continue;
    }
    try {
      const current = await readClaim(file, leaseMs);
      if (!current || current.generation !== old.generation || !claimExpired(current)) return null;
      const claim = newClaim(worker, leaseMs, old.generation);
      await replaceFile(file, JSON.stringify(claim, null, 1) + '\n');
      return makeLease(file, claim, leaseMs, old);
    } finally {
      await fs.rm(marker, { force: true });
    }
  }
  return null;
}

export type ClaimAttempt = { lease: Lease } | { heldBy: Claim };

/** Claims `file` for `worker`: a fresh claim, a takeover of an expired one, or the live claim that holds it. */
export async function tryClaim(file: string, worker: WorkerInfo, leaseMs: number): Promise<ClaimAttempt> {
  await fs.mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const claim = newClaim(worker, leaseMs);
    if (await createExclusive(file, JSON.stringify(claim, null, 1) + '\n')) return { lease: makeLease(file, claim, leaseMs) };
    const held = await readClaim(file, leaseMs);
    if (!held) continue; // released between our create and our read: try again
    if (!claimExpired(held)) return { heldBy: held };
    const lease = await takeOver(file, held, worker, leaseMs);
    if (lease) return { lease };
    const now = await readClaim(file, leaseMs);
    if (now && !claimExpired(now)) return { heldBy: now };
  }
  const held = await readClaim(file, leaseMs);
  return held ? { heldBy: held } : { heldBy: newClaim({ id: 'unknown', host: 'unknown', pid: 0 }, 0) };
}

/**
 * Keeps `lease` alive while `work` runs: a refresh every third of the lease (from a timer, and from `tick`, which a
 * caller may call often, e.g. at every training step, and which refreshes only when one is due). When the lease is
 * lost, `tick` throws, so a training loop that calls it stops.
 */
export function keepAlive(lease: Lease, leaseMs: number): { tick(): void; stop(): Promise<void> } {
  const every = Math.max(50, leaseMs / 3);
  let last = Date.now();
  let pending: Promise<unknown> = Promise.resolve();
  const refresh = () => {
    last = Date.now();
    pending = pending.then(() => lease.refresh()).catch(() => undefined);
  };
  const timer = setInterval(refresh, every);
  timer.unref();
  return {
    tick() {
      if (lease.lost) throw new LeaseLostError(lease);
      if (Date.now() - last >= every) refresh();
    },
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}

export class LeaseLostError extends Error {
  constructor(lease: Lease) {
    super(`lost the claim ${lease.file}: another worker took it over (this worker was stalled longer than its lease)`);
    this.name = 'LeaseLostError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` holding the lock `file` (a claim with its own lease), waiting for it while another writer holds it. */
export async function withLock<T>(file: string, fn: () => Promise<T>, leaseMs = 30000): Promise<T> {
  const worker = currentWorker();
  for (;;) {
    const attempt = await tryClaim(file, worker, leaseMs);
    if ('lease' in attempt) {
      const alive = keepAlive(attempt.lease, leaseMs);
      try {
        return await fn();
      } finally {
        await alive.stop();
        await attempt.lease.release();
      }
    }
    await sleep(20 + Math.random() * 80);
  }
}
