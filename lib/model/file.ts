/** Saving and loading models through the engine's model files: the resolved config plus every weight by name. */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModelFile, MODEL_MANIFEST, saveModelFile, type WeightSpec } from '../engine/model-file';
import { ConfigError, ModelFileError } from '../errors';
import { ModelConfig, MultiTaskModel, resolveModelConfig } from './multitask';

/** Writes `model.config` and all weights (moving statistics included) to the folder `dir`. */
export async function saveModel<M = unknown>(dir: string, model: MultiTaskModel, meta?: M): Promise<void> {
  await saveModelFile<ModelConfig, M>(dir, { config: model.config, weights: model.namedWeights(), meta });
}

/**
 * Rebuilds the model from the folder's config and assigns its weights; a config or weight mismatch names `dir`.
 * The manifest's weight names and shapes are checked against the model the config describes before weights.bin is
 * read or any of its tensors allocated; a model folder is data only (nothing in it is executed).
 */
export async function loadModel<M = unknown>(dir: string): Promise<{ model: MultiTaskModel; meta: M | undefined }> {
  let model: MultiTaskModel | undefined;
  const file = await loadModelFile<ModelConfig, M>(dir, {
    check: (manifest) => {
      const manifestPath = join(dir, MODEL_MANIFEST);
      const huge = outOfRange(manifest.config);
      if (huge) throw new ModelFileError(`bad model config: ${huge}, beyond any model egfr-gtv builds (refused before allocating it)`, manifestPath);
      try {
        model = new MultiTaskModel(resolveModelConfig(manifest.config));
      } catch (err) {
        if (err instanceof ConfigError) throw new ModelFileError(`bad model config: ${err.message}`, manifestPath);
        if (err instanceof RangeError || err instanceof TypeError) throw new ModelFileError(`bad model config: ${err.message}`, manifestPath);
        throw err;
      }
      const problem = specMismatch(model, manifest.weights.specs);
      if (problem) {
        model.dispose();
        model = undefined;
        throw new ModelFileError(`${problem}: the weights do not belong to the model its config describes`, manifestPath);
      }
    },
  }).catch((err: unknown) => {
    model?.dispose();
    throw err;
  });
  const built = model!;
  try {
    built.loadWeights(file.weights, dir);
  } catch (err) {
    built.dispose();
    throw err;
  } finally {
    tf.dispose(Object.values(file.weights));
  }
  return { model: built, meta: file.meta };
}

/** Sizes above this in a config (channels, pixels, heads, ...) describe no model that fits in memory. */
const MAX_CONFIG_NUMBER = 4096;

/** The first number of a config (seeds aside) that is not finite or larger than MAX_CONFIG_NUMBER, described; or null. */
function outOfRange(v: unknown, path = 'config'): string | null {
  if (typeof v === 'number') return !Number.isFinite(v) || Math.abs(v) > MAX_CONFIG_NUMBER ? `${path} = ${v}` : null;
  if (typeof v !== 'object' || v === null) return null;
  for (const [k, x] of Object.entries(v)) {
    if (/seed/i.test(k)) continue;
    const found = outOfRange(x, `${path}.${k}`);
    if (found) return found;
  }
  return null;
}

/** The first difference between a model's weights and a manifest's specs (names, shapes, float32), or null. */
function specMismatch(model: MultiTaskModel, specs: WeightSpec[]): string | null {
  const own = new Map(model.weights().map((w) => [w.name, w.variable.shape]));
  for (const s of specs) {
    const shape = own.get(s.name);
    if (!shape) return `weight ${s.name} is not in the model`;
    if (!tf.util.arraysEqual(shape, s.shape)) return `weight ${s.name} has shape [${s.shape}], the model expects [${shape}]`;
    if (s.dtype !== 'float32') return `weight ${s.name} is ${s.dtype}, the model's weights are float32`;
  }
  const listed = new Set(specs.map((s) => s.name));
  for (const name of own.keys()) if (!listed.has(name)) return `missing weight ${name}`;
  return null;
}
