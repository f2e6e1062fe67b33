/**
 * Checkpoints: everything a run needs to continue exactly where it stopped. A checkpoint is a folder
 * `step-NNNNNNNN/` under the run's `checkpoints/` with
 * - `model/`: the model file (weights and batch-norm statistics, lib/model/file.ts);
 * - `optimizer/`: a model file holding the optimizer's moments and step counts, the task-weighting variables and, in
 *   its config, the task weighting's other state (DWA's loss windows, GradNorm's initial losses);
 * - `state.json`: the trainer's own state (step, logs, early stopping), plain JSON;
 * - `checksums.json`, written last in the folder: the size and sha256 of every other file.
 * The folder is written completely first; then `latest.json`, which names it, is replaced atomically; then older
 * checkpoint folders are removed, except the one `latest.json` named before (the previous checkpoint). A process
 * killed at any moment leaves `latest.json` naming a complete checkpoint; a disk that fills up (ENOSPC) fails the
 * write with a ModelFileError that says the previous checkpoint is intact. On resume, `latestCheckpoint` checks the
 * latest one against its checksums and, when it is truncated or corrupted, says so and falls back to the newest
 * older checkpoint that is intact (and points `latest.json` at it).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_MANIFEST, loadModelFile, saveModelFile } from '../engine/model-file';
import { ModelFileError } from '../errors';
import { saveModel } from '../model/file';
import type { MultiTaskModel } from '../model/multitask';
import { writeFileAtomic } from '../util/atomic-write';
import type { TaskWeighting, WeightingState } from '../weighting/strategy';
import type { AdamW } from './optimizer';

export const LATEST_CHECKPOINT = 'latest.json';
/** In each checkpoint folder, written last: the size and sha256 of every other file of the folder. */
export const CHECKPOINT_CHECKSUMS = 'checksums.json';
const CHECKSUMS_FORMAT = 'egfr-gtv-checkpoint-checksums';
/** The files every checkpoint has (checksums.json must list each of them). */
const REQUIRED_FILES = ['model/model.json', 'model/weights.bin', 'optimizer/model.json', 'optimizer/weights.bin', 'state.json'];

export interface CheckpointParts {
  model: MultiTaskModel;
  optimizer: AdamW;
  weighting: TaskWeighting;
}

interface OptimizerFileConfig {
  kind: 'adamw-state';
  steps: Record<string, number>;
  weighting: number;
  /** Absent in checkpoints written before it was stored. */
  weightingState?: WeightingState;
}

export interface RestoredCheckpoint<S> {
  /** The trainer state stored with the checkpoint. */
  state: S;
  /** False for a checkpoint without the task weighting's state (written before it was stored). */
  weightingState: boolean;
}

function folderName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes the checkpoint of `step` under `root` and makes it the latest; keeps the previous one and removes older
 * ones. A failed write (a full disk, ENOSPC) removes what it wrote of the new folder and throws a ModelFileError
 * naming the checkpoint that is still the latest.
 */
export async function saveCheckpoint(root: string, step: number, parts: CheckpointParts, state: unknown): Promise<string> {
  const dir = join(root, folderName(step));
  const previous = await readPointer(root).catch(() => null);
  try {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    await saveModel(join(dir, 'model'), parts.model);
    const { steps, moments } = parts.optimizer.exportState();
    const weightingVars = parts.weighting.variables();
    try {
      const weights: Record<string, tf.Tensor> = { ...moments };
      weightingVars.forEach((v, i) => (weights[`weighting/${i}`] = v));
      await saveModelFile<OptimizerFileConfig>(join(dir, 'optimizer'), {
        config: { kind: 'adamw-state', steps, weighting: weightingVars.length, weightingState: parts.weighting.exportState() },
        weights,
      });
    } finally {
      tf.dispose(Object.values(moments));
    }
    await writeFileAtomic(join(dir, 'state.json'), JSON.stringify(state) + '\n');
    await writeChecksums(dir, step);
    await writeFileAtomic(join(root, LATEST_CHECKPOINT), JSON.stringify({ step, folder: folderName(step) }) + '\n');
  } catch (err) {
    if (previous?.folder !== folderName(step)) await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    const code = errorCode(err);
    const still = previous ? `${previous.folder} is still the latest checkpoint, intact` : 'the run has no earlier checkpoint';
    const why = code === 'ENOSPC' ? 'no space left on the device (ENOSPC)' : (err as Error).message;
    const next = code === 'ENOSPC' ? 'free some space and run again with --resume' : 'run again with --resume';
    throw new ModelFileError(`cannot write the checkpoint of step ${step}: ${why}; ${still} (${next})`, root);
  }
  const keep = new Set([folderName(step), ...(previous && previous.step < step ? [previous.folder] : [])]);
  for (const entry of await fs.readdir(root)) {
    if (entry.startsWith('step-') && !keep.has(entry)) await fs.rm(join(root, entry), { recursive: true, force: true });
  }
  return dir;
}

/** The code of a Node error, also when a ModelFileError wraps it (its message carries the code). */
function errorCode(err: unknown): string | undefined {
  const direct = (err as NodeJS.ErrnoException)?.code ?? ((err as { cause?: NodeJS.ErrnoException })?.cause)?.code;
  if (direct) return direct;
  const m = /\b(ENOSPC|EDQUOT|EIO|EROFS|EACCES)\b/.exec(String((err as Error)?.message));
  return m?.[1];
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file under `dir` (relative paths with '/', sorted), skipping checksums.json and leftover `.tmp` files. */
async function listFilesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFilesUnder(dir, rel)));
    else if (e.isFile() && rel !== CHECKPOINT_CHECKSUMS && !e.name.endsWith('.tmp')) out.push(rel);
  }
  return out.sort();
}

async function writeChecksums(dir: string, step: number): Promise<void> {
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const rel of await listFilesUnder(dir)) {
    const data = await fs.readFile(join(dir, rel));
    files[rel] = { bytes: data.byteLength, sha256: sha256(data) };
  }
  await writeFileAtomic(join(dir, CHECKPOINT_CHECKSUMS), JSON.stringify({ format: CHECKSUMS_FORMAT, step, files }, null, 1) + '\n');
}

/**
 * Why the checkpoint folder `dir` of `step` cannot be resumed from, or null when it is intact: every file its
 * checksums.json lists has that size and sha256, and the list has every file a checkpoint needs. A folder written
 * before checksums were stored (no checksums.json, none of the step's siblings have one either) only needs its
 * files; its model files' own checksums are checked when they load.
 */
export async function checkCheckpoint(dir: string, step: number): Promise<string | null> {
  let text: string;
  try {
    text = await fs.readFile(join(dir, CHECKPOINT_CHECKSUMS), 'utf8');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') return `${CHECKPOINT_CHECKSUMS} cannot be read (${(err as Error).message})`;
    for (const rel of REQUIRED_FILES) {
      if (!(await fs.stat(join(dir, rel)).then((s) => s.isFile(), () => false))) return `it has no ${rel} (an unfinished write)`;
    }
    return (await legacyOk(dir)) ? null : `it has no ${CHECKPOINT_CHECKSUMS} (an unfinished write)`;
  }
  let parsed: { format?: unknown; step?: unknown; files?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${CHECKPOINT_CHECKSUMS} is not valid JSON (truncated or corrupted)`;
  }
  const files = parsed.files as Record<string, { bytes?: unknown; sha256?: unknown }> | undefined;
  if (parsed.format !== CHECKSUMS_FORMAT || parsed.step !== step || typeof files !== 'object' || files === null) {
    return `${CHECKPOINT_CHECKSUMS} is not this checkpoint's (format, step or file list)`;
  }
  for (const rel of REQUIRED_FILES) if (!(rel in files)) return `${CHECKPOINT_CHECKSUMS} does not list ${rel}`;
  for (const [rel, want] of Object.entries(files)) {
    if (rel.split('/').some((part) => part === '..' || part === '') || rel.includes('\\')) return `${CHECKPOINT_CHECKSUMS} lists a path outside the folder: ${rel}`;
    let data: Buffer;
    try {
      data = await fs.readFile(join(dir, rel));
    } catch {
      return `${rel} is missing`;
    }
    if (data.byteLength !== want.bytes) return `${rel} has ${data.byteLength} bytes where ${want.bytes} were written (truncated)`;
    if (sha256(data) !== want.sha256) return `${rel} does not match its checksum (corrupted)`;
  }
  return null;
}

/** A folder without checksums.json is an old checkpoint (kept as it was) only when no sibling has checksums either. */
async function legacyOk(dir: string): Promise<boolean> {
  const root = join(dir, '..');
  for (const entry of await fs.readdir(root)) {
    if (entry.startsWith('step-') && (await fs.stat(join(root, entry, CHECKPOINT_CHECKSUMS)).then(() => true, () => false))) return false;
  }
  return true;
}

/** latest.json's step and folder; throws a ModelFileError when it cannot be read or names no checkpoint folder. */
async function readPointer(root: string): Promise<{ step: number; folder: string } | null> {
  const pointer = join(root, LATEST_CHECKPOINT);
  let text: string;
  try {
    text = await fs.readFile(pointer, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelFileError(`cannot read: ${(err as Error).message}`, pointer);
  }
  let parsed: { step?: unknown; folder?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`is not valid JSON: ${(err as Error).message}`, pointer);
  }
  if (!Number.isInteger(parsed.step) || typeof parsed.folder !== 'string' || parsed.folder !== folderName(parsed.step as number)) {
    throw new ModelFileError('does not name a checkpoint folder', pointer);
  }
  return { step: parsed.step as number, folder: parsed.folder };
}

/**
 * The checkpoint to resume from: the one `latest.json` names when it is intact (`checkCheckpoint`), else the newest
 * intact older one, after saying which was damaged and why through `onFallback` (default: a line on stderr) and
 * pointing `latest.json` at it. Null when `root` has no checkpoint; a ModelFileError when none is intact.
 */
export async function latestCheckpoint(
  root: string,
  onFallback: (message: string) => void = (m) => process.stderr.write(`egfr-gtv: ${m}\n`),
): Promise<{ step: number; dir: string } | null> {
  let pointer: { step: number; folder: string } | null;
  let pointerProblem: string | null = null;
  try {
    pointer = await readPointer(root);
  } catch (err) {
    pointer = null;
    pointerProblem = (err as Error).message;
  }
  const folders = (await fs.readdir(root).catch(() => [] as string[]))
    .map((name) => ({ name, step: /^step-(\d{8})$/.exec(name) ? Number(name.slice(5)) : NaN }))
    .filter((f) => Number.isInteger(f.step))
    .sort((a, b) => b.step - a.step);
  if (!pointer && !pointerProblem) return null;
  const damaged: string[] = [];
  if (pointer) {
    const problem = await checkCheckpoint(join(root, pointer.folder), pointer.step).catch((e: Error) => `it cannot be read (${e.message})`);
    if (problem === null) return { step: pointer.step, dir: join(root, pointer.folder) };
    damaged.push(`the latest checkpoint ${join(root, pointer.folder)} is damaged: ${problem}`);
  } else {
    damaged.push(`${pointerProblem}`);
  }
  // The fallbacks: older than the damaged latest one (a newer folder is a write that never finished).
  for (const f of folders) {
    if (pointer && f.step >= pointer.step) continue;
    const problem = await checkCheckpoint(join(root, f.name), f.step).catch((e: Error) => `it cannot be read (${e.message})`);
    if (problem !== null) {
      damaged.push(`${f.name} is damaged too: ${problem}`);
      continue;
    }
    onFallback(`${damaged.join('; ')}; resuming from the previous intact checkpoint, ${f.name} (step ${f.step})`);
    await writeFileAtomic(join(root, LATEST_CHECKPOINT), JSON.stringify({ step: f.step, folder: f.name }) + '\n');
    return { step: f.step, dir: join(root, f.name) };
  }
  throw new ModelFileError(`no intact checkpoint to resume from: ${damaged.join('; ')}; remove the folder to train from the start`, root);
}

/**
 * Restores model weights, optimizer state, weighting variables and weighting state from a checkpoint folder into the
 * given (freshly built, same-config) parts, and returns the trainer state stored with it.
 */
export async function restoreCheckpoint<S>(dir: string, parts: CheckpointParts): Promise<RestoredCheckpoint<S>> {
  const modelFile = await loadModelFile(join(dir, 'model'));
  try {
    parts.model.loadWeights(modelFile.weights, join(dir, 'model'));
  } finally {
    tf.dispose(Object.values(modelFile.weights));
  }
  const optimizerDir = join(dir, 'optimizer');
  const opt = await loadModelFile<OptimizerFileConfig>(optimizerDir);
  try {
    const vars = parts.weighting.variables();
    if (opt.config?.kind !== 'adamw-state' || opt.config.weighting !== vars.length) {
      throw new ModelFileError(`is not the optimizer state of this run (${vars.length} weighting variables expected)`, optimizerDir);
    }
    parts.optimizer.importState({ steps: opt.config.steps, moments: opt.weights }, optimizerDir, ModelFileError);
    vars.forEach((v, i) => {
      const saved = opt.weights[`weighting/${i}`];
      if (!saved || !tf.util.arraysEqual(saved.shape, v.shape)) throw new ModelFileError(`weighting variable ${i} is missing or misshaped`, optimizerDir);
      v.assign(saved);
    });
    if (opt.config.weightingState) parts.weighting.importState(opt.config.weightingState, join(optimizerDir, MODEL_MANIFEST));
  } finally {
    tf.dispose(Object.values(opt.weights));
  }
  const statePath = join(dir, 'state.json');
  try {
    return { state: JSON.parse(await fs.readFile(statePath, 'utf8')) as S, weightingState: opt.config.weightingState !== undefined };
  } catch (err) {
    throw new ModelFileError(`cannot read the trainer state: ${(err as Error).message}`, statePath);
  }
}
