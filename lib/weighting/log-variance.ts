import * as tf from '@tensorflow/tfjs-core';
import type { TaskLosses } from '../losses/task-losses';
import type { TaskName } from '../model/multitask';
import { BaseWeighting } from './base';
import { TaskNumbers, readScalars, taskLoss } from './strategy';

/**
 * The shared machinery of the uncertainty-style strategies: one learnable s_t = log sigma_t^2 per task (a plain
 * variable trained by the network's optimizer), and a total that sums a per-task term of s_t and L_t. Subclasses give
 * the term and the effective weight `current()` reports.
 */
export abstract class LogVarianceWeighting extends BaseWeighting {
  protected readonly logVariance: tf.Variable[];

  constructor(tasks: TaskName[], initLogVariance = 0) {
    super(tasks);
    this.logVariance = tasks.map(() => tf.tidy(() => tf.variable(tf.scalar(initLogVariance), true)));
  }

  /** The task's contribution to the total, from its s_t and its loss. */
  protected abstract term(task: TaskName, logVariance: tf.Scalar, loss: tf.Scalar): tf.Scalar;

  /** The effective weight of the task's loss for s_t = `logVariance`. */
  protected abstract weight(task: TaskName, logVariance: number): number;

  override lossVariables(): tf.Variable[] {
    return this.logVariance;
  }

  combine(losses: TaskLosses): tf.Scalar {
    return tf.tidy(() =>
      this.tasks.reduce(
        (acc: tf.Scalar, t, i) => tf.add(acc, this.term(t, this.logVariance[i] as tf.Scalar, taskLoss(losses, t))),
        tf.scalar(0),
      ),
    );
  }

  current(): TaskNumbers {
    const s = this.logVariances();
    return Object.fromEntries(this.tasks.map((t) => [t, this.weight(t, s[t]!)]));
  }

  /** s_t = log sigma_t^2 per task. */
  logVariances(): TaskNumbers {
    return readScalars(this.tasks, this.logVariance, (s) => s);
  }

  override dispose(): void {
    tf.dispose(this.logVariance);
  }
}
