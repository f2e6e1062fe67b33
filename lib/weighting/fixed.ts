/** Fixed task weights (equal by default). */
import { ConfigError } from '../errors';
import type { TaskName } from '../model/multitask';
import { NumericWeights } from './numeric-weights';
import type { TaskNumbers, TaskWeighting, WeightingState } from './strategy';

export interface FixedWeightingConfig {
  kind: 'fixed';
  /** Weight per task, default 1 each. */
  weights?: TaskNumbers;
}

export class FixedWeighting extends NumericWeights implements TaskWeighting {
  readonly kind = 'fixed';

  constructor(tasks: TaskName[], config: Omit<FixedWeightingConfig, 'kind'> = {}) {
    const weights = Object.fromEntries(tasks.map((t) => [t, config.weights?.[t] ?? 1]));
    for (const t of tasks) {
      const w = weights[t];
      if (!(w >= 0) || !Number.isFinite(w)) throw new ConfigError(`weighting: fixed weight of '${t}' must be >= 0, got ${w}`);
    }
    super(tasks, weights);
  }

  observe(): void {}

  endEpoch(): void {}

  exportState(): WeightingState {
    return {};
  }

  importState(): void {}
}
