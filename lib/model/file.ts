/** Saving and loading models through the engine's model files: the resolved config plus every weight by name. */
import * as tf from '@tensorflow/tfjs-core';
import { loadModelFile, saveModelFile } from '../engine/model-file';
import { ConfigError, ModelFileError } from '../errors';
import { ModelConfig, MultiTaskModel, resolveModelConfig } from './multitask';

/** Writes `model.config` and all weights (moving statistics included) to the folder `dir`. */
export async function saveModel<M = unknown>(dir: string, model: MultiTaskModel, meta?: M): Promise<void> {
  await saveModelFile<ModelConfig, M>(dir, { config: model.config, weights: model.namedWeights(), meta });
}

/** Rebuilds the model from the folder's config and assigns its weights; a config or weight mismatch names `dir`. */
export async function loadModel<M = unknown>(dir: string): Promise<{ model: MultiTaskModel; meta: M | undefined }> {
  const file = await loadModelFile<ModelConfig, M>(dir);
  try {
    let model: MultiTaskModel;
    try {
      model = new MultiTaskModel(resolveModelConfig(file.config));
    } catch (err) {
      if (err instanceof ConfigError) throw new ModelFileError(`bad model config: ${err.message}`, dir);
      throw err;
    }
    try {
      model.loadWeights(file.weights, dir);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { model, meta: file.meta };
  } finally {
    tf.dispose(Object.values(file.weights));
  }
}
