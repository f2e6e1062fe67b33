/**
 * A small typed module system in place of tf.layers: a module owns named, seeded variables and child modules, and
 * computes `apply(x, options)` with plain tfjs ops. Names are hierarchical ("encoder/stage2/csa/q_dw/kernel"), so a
 * model's weights map one to one onto a model file, and a weight's initial value depends only on the model seed and
 * its name (lib/util/rng seeded with both) (adding a block elsewhere does not change the initial values of the others).
 */
import * as tf from '@tensorflow/tfjs-core';
// Models are trained: make sure tfjs's gradient functions are registered whichever backend package is loaded.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { ConfigError, ModelFileError } from '../errors';
import { Rng } from '../util/rng';

/** One attention map recorded during a forward pass: weights [B, heads, queries, keys], rows sum to 1. */
export interface AttentionRecord {
  name: string;
  weights: tf.Tensor4D;
  /** Grid of the queries and of the keys ([rows, columns]); null for token sequences that are not a grid. */
  queryGrid: [number, number] | null;
  keyGrid: [number, number] | null;
}

export interface ApplyOptions {
  /** Training mode: batch statistics in batch norm, dropout on. */
  training: boolean;
  /** When given, every attention layer pushes its attention map here; the caller disposes the tensors. */
  attention?: AttentionRecord[];
  /**
   * Whether batch norm in training mode updates its moving statistics (default true). Extra forward passes that only
   * measure gradients (GradNorm) turn it off so one training step updates the statistics once.
   */
  updateStatistics?: boolean;
  /**
   * Seed of this pass's dropout masks: each dropout site draws its mask from (this seed, module name, site), so the
   * masks of a training step depend on nothing but what the trainer passes (the run seed and the step) and a resumed
   * run draws the same masks. Without it every module draws from its own stream (model seed and name), whose position
   * depends on how many passes came before.
   */
  dropoutSeed?: number;
}

/** Weight initialisers. `he`: normal, std sqrt(2 / fanIn) (before ReLU-like activations); `glorot`: uniform
 * +-sqrt(6 / (fanIn + fanOut)); `normal`: normal with std 0.02 (class token, positional embedding, as in ViT). */
export type Init = 'he' | 'glorot' | 'normal' | 'zeros' | 'ones';

export interface NamedWeight {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

/** One row of a model summary: a block's name, its output shape without the batch axis, its parameter count. */
export interface SummaryRow {
  name: string;
  output: number[];
  params: number;
}

/** Fan-in and fan-out of a weight: conv kernels [kh, kw, in, out], depthwise [kh, kw, c, 1], dense [in, out]. */
function fans(shape: number[], depthwise: boolean): [number, number] {
  if (shape.length === 4) {
    const receptive = shape[0] * shape[1];
    return depthwise ? [receptive, receptive] : [receptive * shape[2], receptive * shape[3]];
  }
  if (shape.length === 2) return [shape[0], shape[1]];
  const n = shape.reduce((a, b) => a * b, 1);
  return [n, n];
}

function initialValues(shape: number[], init: Init, rng: Rng, depthwise: boolean): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (init === 'zeros') return out;
  if (init === 'ones') return out.fill(1);
  const [fanIn, fanOut] = fans(shape, depthwise);
  if (init === 'glorot') {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < n; i++) out[i] = rng.uniform(-limit, limit);
    return out;
  }
  const std = init === 'he' ? Math.sqrt(2 / fanIn) : 0.02;
  for (let i = 0; i < n; i++) out[i] = rng.normal(0, std);
  return out;
}

export abstract class Module {
  private readonly own: NamedWeight[] = [];
  private readonly children: Module[] = [];
  private dropoutRng: Rng | null = null;

  /** @param name the full hierarchical name; @param seed the model seed. */
  constructor(
    readonly name: string,
    protected readonly seed: number,
  ) {}

  /** The full name of a child or weight of this module. */
  protected path(local: string): string {
    return this.name ? `${this.name}/${local}` : local;
  }

  protected addWeight(local: string, shape: number[], init: Init, trainable = true, depthwise = false): tf.Variable {
    const name = this.path(local);
    const values = initialValues(shape, init, new Rng(`${this.seed}:${name}`), depthwise);
    // tfjs variable names must be unique in the process; ours live in `NamedWeight.name`. The tidy releases the
    // initial tensor (the variable keeps its data).
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable));
    this.own.push({ name, variable, trainable });
    return variable;
  }

  protected addChild<M extends Module>(child: M): M {
    this.children.push(child);
    return child;
  }

  /**
   * Dropout with a deterministic mask: from `options.dropoutSeed`, this module's name and `site` (which tells apart
   * the dropouts of one module) when the seed is given, else from the module's own stream (model seed and name).
   */
  protected dropout(x: tf.Tensor, rate: number, options: ApplyOptions, site: string): tf.Tensor {
    if (!options.training || rate <= 0) return x;
    let seed: number;
    if (options.dropoutSeed !== undefined) {
      seed = new Rng(`${options.dropoutSeed}:${this.name}:${site}`).nextUint32();
    } else {
      this.dropoutRng ??= new Rng(`${this.seed}:${this.name}:dropout`);
      seed = this.dropoutRng.nextUint32();
    }
    return tf.dropout(x, rate, undefined, seed);
  }

  /** Every weight of this module and its children, depth first, in construction order. */
  weights(): NamedWeight[] {
    return [...this.own, ...this.children.flatMap((c) => c.weights())];
  }

  variables(): tf.Variable[] {
    return this.weights().map((w) => w.variable);
  }

  trainableVariables(): tf.Variable[] {
    return this.weights()
      .filter((w) => w.trainable)
      .map((w) => w.variable);
  }

  /** Number of parameters; non-trainable ones (batch-norm moving statistics) only when asked. */
  paramCount(includeNonTrainable = false): number {
    return this.weights()
      .filter((w) => includeNonTrainable || w.trainable)
      .reduce((n, w) => n + w.variable.size, 0);
  }

  /** The variables by hierarchical name (not copies: the caller must not dispose them). */
  namedWeights(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const w of this.weights()) out[w.name] = w.variable;
    return out;
  }

  /**
   * Assigns every weight from a map by hierarchical name. The names and shapes must match exactly: a missing, extra or
   * misshaped weight throws ModelFileError naming `file`.
   */
  loadWeights(values: Record<string, tf.Tensor>, file: string): void {
    const own = this.weights();
    const known = new Set(own.map((w) => w.name));
    const extra = Object.keys(values).filter((k) => !known.has(k));
    if (extra.length > 0) throw new ModelFileError(`weights not in the model: ${extra.slice(0, 5).join(', ')}`, file);
    for (const w of own) {
      const v = values[w.name];
      if (!v) throw new ModelFileError(`missing weight ${w.name}`, file);
      if (!tf.util.arraysEqual(v.shape, w.variable.shape)) {
        throw new ModelFileError(`weight ${w.name} has shape [${v.shape}], the model expects [${w.variable.shape}]`, file);
      }
    }
    for (const w of own) tf.tidy(() => w.variable.assign(tf.cast(values[w.name], 'float32')));
  }

  dispose(): void {
    for (const w of this.own) w.variable.dispose();
    for (const c of this.children) c.dispose();
  }
}

/** Throws ConfigError unless `shape` is [N, H, W, C] with the given channel count. */
export function expectNHWC(block: string, shape: number[], channels: number): void {
  if (shape.length !== 4) throw new ConfigError(`${block}: expects a rank-4 [N, H, W, C] input, got [${shape}]`);
  if (shape[3] !== channels) {
    throw new ConfigError(`${block}: expects ${channels} input channels, got ${shape[3]} (input [${shape}])`);
  }
}

/** Throws ConfigError unless `n` is a positive integer. */
export function expectPositiveInt(block: string, field: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${block}: ${field} must be a positive integer, got ${n}`);
}
