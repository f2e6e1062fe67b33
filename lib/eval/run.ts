/** Loading a training run's final model with the configuration it was trained with. */
import { ModelFileError } from '../errors';
import { loadModel } from '../model/file';
import type { MultiTaskModel } from '../model/multitask';
import { readRunConfig, runPaths, type RunConfig } from '../train/run-folder';

/**
 * The run's config and its final model (`model/`). A missing run folder, a folder that is not a run, or a missing or
 * corrupt model file is a ModelFileError naming the path; a model whose config differs from the run's is one too.
 */
export async function loadRun(dir: string): Promise<{ config: RunConfig; model: MultiTaskModel }> {
  const config = await readRunConfig(dir);
  const modelDir = runPaths(dir).model;
  const { model } = await loadModel(modelDir).catch((err: unknown) => {
    if (err instanceof ModelFileError && /model folder does not exist/.test(err.message)) {
      throw new ModelFileError('the run has no final model (was training interrupted? resume it with --resume)', modelDir);
    }
    throw err;
  });
  if (JSON.stringify(model.config) !== JSON.stringify(config.model)) {
    model.dispose();
    throw new ModelFileError("the model's config differs from the run's config.json", modelDir);
  }
  return { config, model };
}
