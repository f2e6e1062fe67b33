/**
 * One registry entry per strategy (see registry.ts): what the kinds, the command line's choices and its help derive
 * from. A strategy file exports its config type, its class and its entry; adding a strategy is one registry line.
 */
import type { TaskName } from '../model/multitask';
import type { GradientRule } from './gradient-rule';
import type { TaskWeighting } from './strategy';

export interface StrategyEntry<C extends { kind: string }> {
  kind: C['kind'];
  /** One line for --help. */
  summary: string;
  /** 'loss': combines the task losses; 'gradient': combines per-task gradients of the shared parameters. */
  family: 'loss' | 'gradient';
  /** State carried across steps (checkpointed); `combineGradients` shows its first step. */
  stateful?: boolean;
  /** Draws random numbers (from its `seed` and the step count, so a resumed run draws the same). */
  random?: boolean;
  create(tasks: TaskName[], config: C): TaskWeighting;
  /** The method on T plain gradients (`combineGradients`, `egfr-gtv mtl combine`); absent where it needs a model. */
  rule?(taskCount: number, config: C): GradientRule;
}

/** The config type of an entry. */
export type ConfigOf<E> = E extends StrategyEntry<infer C> ? C : never;
