/**
 * Adam with optional decoupled weight decay (AdamW, Loshchilov and Hutter 2019), written out instead of tfjs's
 * `AdamOptimizer` so that a checkpoint captures its whole state and a resumed run continues bit for bit:
 * - every variable has its own step count t, moments m and v, stored under the variable's stable name (the model's
 *   hierarchical weight name), not under tfjs's process-unique variable name;
 * - the bias corrections 1 - beta^t are computed from t in double precision at each update, never accumulated, so
 *   they depend only on t (tfjs's Adam accumulates them in a float32 variable and recomputes them differently after
 *   `setWeights`, which changes the last bits of a resumed run).
 * Update of a variable x with gradient g, learning rate lr, decay wd:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  x = x - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr wd x
 * The decay term applies only to variables `decays(name)` accepts (by default the conv and dense kernels, not norms,
 * biases, embeddings or task weights) and is 0 for plain Adam (wd = 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

type NamedTensor = { name: string; tensor: tf.Tensor };

export interface AdamWConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay; 0 gives plain Adam. */
  weightDecay: number;
}

export const adamWDefaults: Omit<AdamWConfig, 'learningRate'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** Which variables weight decay applies to, by stable name: kernels of convolutions and dense layers. */
export function decaysByDefault(name: string): boolean {
  return name.endsWith('/kernel');
}

interface Slot {
  name: string;
  variable: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  t: number;
  decays: boolean;
}

/** The optimizer's state in plain form: per stable name its step count and moments (the caller disposes them). */
export interface AdamWState {
  steps: Record<string, number>;
  moments: Record<string, tf.Tensor>;
}

export class AdamW extends tf.Optimizer {
  static get className(): string {
    return 'EgfrGtvAdamW';
  }

  readonly config: AdamWConfig;
  /** The learning rate of the next update; the trainer sets it from the schedule before every step. */
  learningRate: number;
  private readonly byTfName = new Map<string, Slot>();
  private readonly byName = new Map<string, Slot>();

  /** @param variables every variable this optimizer may update, under stable names unique in the list. */
  constructor(
    config: Partial<AdamWConfig> & { learningRate: number },
    variables: { name: string; variable: tf.Variable }[],
    decays: (name: string) => boolean = decaysByDefault,
  ) {
    super();
    this.config = { ...adamWDefaults, ...config };
    const { learningRate, beta1, beta2, epsilon, weightDecay } = this.config;
    if (!(learningRate > 0)) throw new ConfigError(`optimizer: learning rate must be > 0, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new ConfigError(`optimizer: betas must be in [0, 1), got ${beta1}, ${beta2}`);
    }
    if (!(epsilon > 0)) throw new ConfigError(`optimizer: epsilon must be > 0, got ${epsilon}`);
    if (!(weightDecay >= 0)) throw new ConfigError(`optimizer: weight decay must be >= 0, got ${weightDecay}`);
    this.learningRate = learningRate;
    for (const { name, variable } of variables) {
      if (this.byName.has(name)) throw new ConfigError(`optimizer: two variables are named '${name}'`);
      const slot: Slot = {
        name,
        variable,
        // Inside tidy so that the zero tensors the variables are made from are released.
        m: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
        t: 0,
        decays: decays(name),
      };
      this.byName.set(name, slot);
      this.byTfName.set(variable.name, slot);
    }
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const lr = this.learningRate;
    for (const { name, tensor } of list) {
      if (tensor == null) continue;
      const slot = this.byTfName.get(name);
      if (!slot) throw new ConfigError(`optimizer: got a gradient for a variable it was not given (${name})`);
      slot.t += 1;
      const c1 = 1 - beta1 ** slot.t;
      const c2 = 1 - beta2 ** slot.t;
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(tensor, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(tensor), 1 - beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        let next = tf.sub(slot.variable, tf.mul(step, lr));
        if (weightDecay > 0 && slot.decays) next = tf.sub(next, tf.mul(slot.variable, lr * weightDecay));
        slot.variable.assign(next);
      });
    }
    this.incrementIterations();
  }

  /** Copies of the moments and the step counts (the caller disposes the tensors). */
  exportState(): AdamWState {
    const steps: Record<string, number> = {};
    const moments: Record<string, tf.Tensor> = {};
    for (const slot of this.byName.values()) {
      steps[slot.name] = slot.t;
      moments[`${slot.name}/m`] = tf.clone(slot.m);
      moments[`${slot.name}/v`] = tf.clone(slot.v);
    }
    return { steps, moments };
  }

  /** Restores a state written by `exportState`; every variable must be present with the same shape. */
  importState(state: AdamWState, file: string, errorType: new (message: string, file?: string) => Error = ConfigError): void {
    for (const slot of this.byName.values()) {
      const m = state.moments[`${slot.name}/m`];
      const v = state.moments[`${slot.name}/v`];
      const t = state.steps[slot.name];
      if (!m || !v || !Number.isInteger(t)) throw new errorType(`optimizer state has no entry for '${slot.name}'`, file);
      if (!tf.util.arraysEqual(m.shape, slot.m.shape) || !tf.util.arraysEqual(v.shape, slot.v.shape)) {
        throw new errorType(`optimizer state of '${slot.name}' has shape [${m.shape}], expected [${slot.m.shape}]`, file);
      }
    }
    for (const slot of this.byName.values()) {
      slot.m.assign(state.moments[`${slot.name}/m`]);
      slot.v.assign(state.moments[`${slot.name}/v`]);
      slot.t = state.steps[slot.name];
    }
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.byName.values()].flatMap((s) => [
      { name: `${s.name}/m`, tensor: s.m },
      { name: `${s.name}/v`, tensor: s.v },
    ]);
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    for (const { name, tensor } of weightValues) {
      const slot = this.byName.get(name.replace(/\/[mv]$/, ''));
      if (!slot) throw new ConfigError(`optimizer: no variable for saved weight '${name}'`);
      (name.endsWith('/m') ? slot.m : slot.v).assign(tensor);
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }

  override dispose(): void {
    for (const slot of this.byName.values()) tf.dispose([slot.m, slot.v]);
    this.byName.clear();
    this.byTfName.clear();
  }
}
