/** Fixed task weights (equal by default). */
import { ConfigError } from '../errors';
import type { TaskName } from '../model/multitask';
import { NumericWeights } from './numeric-weights';
import type { TaskNumbers } from './strategy';
import type { StrategyEntry } from './entry';
import { LossWeightsRule } from './gradient-method';

export interface FixedWeightingConfig {
  kind: 'fixed';
  /** Weight per task, default 1 each. */
  weights?: TaskNumbers;
}

export class FixedWeighting extends NumericWeights {
  readonly kind = 'fixed';

  constructor(tasks: TaskName[], config: Omit<FixedWeightingConfig, 'kind'> = {}) {
    const weights = Object.fromEntries(tasks.map((t) => [t, config.weights?.[t] ?? 1]));
    for (const t of tasks) {
      const w = weights[t];
      if (!(w >= 0) || !Number.isFinite(w)) throw new ConfigError(`weighting: fixed weight of '${t}' must be >= 0, got ${w}`);
    }
    super(tasks, weights);
  }
}

export const fixedStrategy: StrategyEntry<FixedWeightingConfig> = {
  kind: 'fixed',
  summary: 'fixed task weights (1 each by default): the plain sum of the losses',
  family: 'loss',
  create: (tasks, config) => new FixedWeighting(tasks, config),
  rule: (n) => new LossWeightsRule(n, () => new Array<number>(n).fill(1)),
};
