/**
 * Checkpoints: everything a run needs to continue exactly where it stopped. A checkpoint is a folder
 * `step-NNNNNNNN/` under the run's `checkpoints/` with
 * - `model/`: the model file (weights and batch-norm statistics, lib/model/file.ts);
 * - `optimizer/`: a model file holding the optimizer's moments and step counts, the task-weighting variables and, in
 *   its config, the task weighting's other state (DWA's loss windows, GradNorm's initial losses);
 * - `state.json`: the trainer's own state (step, logs, early stopping), plain JSON.
 * The folder is written completely first; then `latest.json`, which names it, is replaced atomically; then older
 * checkpoint folders are removed. A crash at any moment leaves `latest.json` naming a complete checkpoint.
 */
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

/** Writes the checkpoint of `step` under `root` and makes it the latest. */
export async function saveCheckpoint(root: string, step: number, parts: CheckpointParts, state: unknown): Promise<string> {
  const dir = join(root, folderName(step));
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
  await writeFileAtomic(join(root, LATEST_CHECKPOINT), JSON.stringify({ step, folder: folderName(step) }) + '\n');
  for (const entry of await fs.readdir(root)) {
    if (entry.startsWith('step-') && entry !== folderName(step)) await fs.rm(join(root, entry), { recursive: true, force: true });
  }
  return dir;
}

/** The latest checkpoint's step and folder, or null when `root` has none. */
export async function latestCheckpoint(root: string): Promise<{ step: number; dir: string } | null> {
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
  return { step: parsed.step as number, dir: join(root, parsed.folder) };
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
