/** Builds a weighting strategy from its plain-JSON config, through the registry (registry.ts). */
import { ConfigError } from '../errors';
import type { TaskName } from '../model/multitask';
import { WeightingConfig, strategyEntry, weightingKinds } from './registry';
import type { TaskWeighting } from './strategy';

export { weightingKinds };
export type { WeightingConfig, WeightingKind } from './registry';

export function createWeighting(config: WeightingConfig, tasks: TaskName[]): TaskWeighting {
  const entry = strategyEntry(config.kind);
  if (!entry) {
    throw new ConfigError(`weighting: unknown kind '${(config as { kind: string }).kind}' (expected ${weightingKinds.join(', ')})`);
  }
  return entry.create(tasks, config);
}
