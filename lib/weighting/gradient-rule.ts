/**
 * A gradient method as plain numbers: the task gradients on the shared parameters in, the update direction out
 * (gradient-method.ts wraps a rule for the train step; `combineGradients` calls it directly).
 */
import type { Combination, WeightingState } from './strategy';

export abstract class GradientRule {
  constructor(readonly taskCount: number) {}

  /** The direction (and weights) for the gradients g_1..g_T (equal lengths) and the raw losses of the step. */
  abstract combine(grads: Float32Array[], losses: number[]): Combination;

  /** State carried across steps, as plain numbers (none by default). */
  exportState(): WeightingState {
    return {};
  }

  importState(_state: WeightingState, _file: string): void {}
}
