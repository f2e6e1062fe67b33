/**
 * `combineGradients`: a strategy applied to plain per-task gradients, on the CPU, without a model (for teaching, for
 * checking an implementation against another, and for `egfr-gtv mtl combine`). Stateful methods show their first
 * step; random ones draw from `seed`. Loss methods are shown as the combination of gradients their total's gradient is
 * (their weights from `losses`, 1 each by default).
 */
import { ConfigError } from '../errors';
import { checkGradients } from './gradient-math';
import { WeightingConfig, strategyEntry, weightingKinds } from './registry';

export interface CombineOptions {
  /** The strategy's hyper-parameters (its config without `kind`); `seed` for the random ones. */
  config?: Record<string, unknown>;
  /** The raw task losses (MGDA's loss normalisations, GLS, FAMO); 1 each by default. */
  losses?: number[];
  /** Names the input in error messages (a file). */
  source?: string;
}

export interface CombineResult {
  method: string;
  direction: number[];
  /** w_t with direction = sum_t w_t g_t, or null where the method is not such a combination. */
  weights: number[] | null;
}

/** The kinds `combineGradients` takes. */
export const combinableKinds = weightingKinds.filter((k) => strategyEntry(k)!.rule !== undefined);

export function combineGradients(method: string, grads: number[][] | Float32Array[], options: CombineOptions = {}): CombineResult {
  const source = options.source ?? 'gradients';
  const entry = strategyEntry(method);
  if (!entry) throw new ConfigError(`unknown method '${method}' (expected ${combinableKinds.join(', ')})`, options.source);
  if (!entry.rule) throw new ConfigError(`method '${method}' needs a model; plain gradients take ${combinableKinds.join(', ')}`, options.source);
  checkGradients(grads, source);
  const losses = options.losses ?? grads.map(() => 1);
  if (losses.length !== grads.length || !losses.every((l) => typeof l === 'number' && Number.isFinite(l) && l > 0)) {
    throw new ConfigError(`${source}: losses must be ${grads.length} positive numbers, one per task`);
  }
  const config = { ...options.config, kind: method } as WeightingConfig;
  const rule = entry.rule(grads.length, config);
  const result = rule.combine(
    grads.map((g) => Float32Array.from(g)),
    losses,
  );
  return { method, direction: Array.from(result.direction), weights: result.weights };
}
