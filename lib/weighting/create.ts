/** Builds a weighting strategy from its plain-JSON config. */
import { ConfigError } from '../errors';
import type { TaskName } from '../model/multitask';
import { DwaWeighting, DwaWeightingConfig } from './dwa';
import { FixedWeighting, FixedWeightingConfig } from './fixed';
import { GradNormWeighting, GradNormWeightingConfig } from './gradnorm';
import { TaskWeighting } from './strategy';
import { UncertaintyWeighting, UncertaintyWeightingConfig } from './uncertainty';
import { PositiveUncertaintyWeighting, PositiveUncertaintyWeightingConfig } from './uncertainty-positive';

export type WeightingConfig =
  | FixedWeightingConfig
  | UncertaintyWeightingConfig
  | PositiveUncertaintyWeightingConfig
  | DwaWeightingConfig
  | GradNormWeightingConfig;

export const weightingKinds = ['fixed', 'uncertainty', 'uncertainty-positive', 'dwa', 'gradnorm'] as const;

export function createWeighting(config: WeightingConfig, tasks: TaskName[]): TaskWeighting {
  switch (config.kind) {
    case 'fixed':
      return new FixedWeighting(tasks, config);
    case 'uncertainty':
      return new UncertaintyWeighting(tasks, config);
    case 'uncertainty-positive':
      return new PositiveUncertaintyWeighting(tasks, config);
    case 'dwa':
      return new DwaWeighting(tasks, config);
    case 'gradnorm':
      return new GradNormWeighting(tasks, config);
    default:
      throw new ConfigError(
        `weighting: unknown kind '${(config as { kind: string }).kind}' (expected ${weightingKinds.join(', ')})`,
      );
  }
}
