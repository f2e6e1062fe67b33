/**
 * Binary logistic regression with an L2 penalty, for the few-feature, few-hundred-patient models of the patient level
 * (lib/patient/patient-model.ts): small enough to fit exactly by Newton's method (iteratively reweighted least squares)
 * in plain numbers, and to store as JSON.
 *
 * Features are standardised with the training mean and SD (NaN-ignoring); the penalty λ/2 · |w|² acts on the
 * standardised weights, not on the intercept. A missing feature (NaN, e.g. a lesion mean of a patient without lesion)
 * becomes 0 after standardisation: the training mean, which adds nothing to the score. A feature constant over the
 * training patients gets SD 1 (it then carries no information and its weight stays 0 under the penalty).
 */
import { ConfigError } from '../errors';
import { finiteMean } from '../util/finite-mean';

export interface LogisticModel {
  names: string[];
  mean: number[];
  sd: number[];
  intercept: number;
  /** Weights of the standardised features. */
  weights: number[];
  l2: number;
}

export interface LogisticFitOptions {
  l2: number;
  maxIterations: number;
  /** Stop when the largest Newton step is below this. */
  tolerance: number;
}

export const logisticFitDefaults: LogisticFitOptions = { l2: 1, maxIterations: 100, tolerance: 1e-10 };

/** The log-odds the model gives one feature vector. */
export function logisticLogit(model: LogisticModel, x: number[]): number {
  if (x.length !== model.names.length) throw new RangeError(`expected ${model.names.length} features (${model.names.join(', ')}), got ${x.length}`);
  let s = model.intercept;
  for (let j = 0; j < x.length; j++) s += model.weights[j] * standardised(model, x[j], j);
  return s;
}

export function logisticProbability(model: LogisticModel, x: number[]): number {
  return sigmoid(logisticLogit(model, x));
}

export function fitLogistic(names: string[], X: number[][], y: number[], options: Partial<LogisticFitOptions> = {}): LogisticModel {
  const o = { ...logisticFitDefaults, ...options };
  if (!(o.l2 >= 0)) throw new ConfigError(`logistic regression l2 must be >= 0, got ${o.l2}`);
  if (X.length !== y.length) throw new RangeError(`${X.length} feature rows but ${y.length} labels`);
  if (X.some((row) => row.length !== names.length)) throw new RangeError(`every feature row must hold ${names.length} values (${names.join(', ')})`);
  if (y.some((v) => v !== 0 && v !== 1)) throw new RangeError('labels must be 0 or 1');
  const positives = y.filter((v) => v === 1).length;
  if (positives === 0 || positives === y.length) throw new ConfigError(`logistic regression needs both classes; got ${positives} positive of ${y.length}`);
  const p = names.length;
  // A feature missing for every patient gets mean 0 (and SD 1): it is 0 everywhere after standardisation.
  const mean = names.map((_, j) => finiteMean(X.map((r) => r[j])) || 0);
  const sd = names.map((_, j) => {
    const v = X.map((r) => r[j]).filter(Number.isFinite);
    const s = Math.sqrt(v.reduce((a, x) => a + (x - mean[j]) ** 2, 0) / Math.max(1, v.length));
    return s > 0 ? s : 1;
  });
  const model: LogisticModel = { names: [...names], mean, sd, intercept: 0, weights: new Array(p).fill(0), l2: o.l2 };
  // Design matrix with a leading 1 for the intercept.
  const Z = X.map((row) => [1, ...row.map((x, j) => standardised(model, x, j))]);
  const beta = new Array(p + 1).fill(0);
  for (let iter = 0; iter < o.maxIterations; iter++) {
    const grad = new Array(p + 1).fill(0);
    const hess = Array.from({ length: p + 1 }, () => new Array(p + 1).fill(0));
    for (let i = 0; i < Z.length; i++) {
      const z = Z[i];
      const q = sigmoid(dot(beta, z));
      const w = q * (1 - q);
      for (let a = 0; a <= p; a++) {
        grad[a] += (q - y[i]) * z[a];
        for (let b = 0; b <= a; b++) hess[a][b] += w * z[a] * z[b];
      }
    }
    for (let a = 0; a <= p; a++) {
      for (let b = a + 1; b <= p; b++) hess[a][b] = hess[b][a];
      if (a > 0) {
        grad[a] += o.l2 * beta[a];
        hess[a][a] += o.l2;
      }
    }
    // Without a penalty, separable data has no finite optimum and a constant feature a zero row: a tiny ridge keeps the step defined.
    for (let a = 0; a <= p; a++) hess[a][a] += 1e-9;
    const step = solve(hess, grad);
    let largest = 0;
    for (let a = 0; a <= p; a++) {
      beta[a] -= step[a];
      largest = Math.max(largest, Math.abs(step[a]));
    }
    if (largest < o.tolerance) break;
  }
  model.intercept = beta[0];
  model.weights = beta.slice(1);
  return model;
}

/** Checks a model read from a file; `where` names the file in the error. */
export function checkLogisticModel(value: unknown, where: string): LogisticModel {
  const m = value as LogisticModel;
  const arrays = [m?.names, m?.mean, m?.sd, m?.weights];
  const ok =
    arrays.every((a) => Array.isArray(a) && a.length === arrays[0].length) &&
    m.names.every((n) => typeof n === 'string') &&
    [...m.mean, ...m.sd, ...m.weights, m.intercept, m.l2].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    m.sd.every((s) => s > 0);
  if (!ok) throw new ConfigError(`${where}: not a logistic model (names, mean, sd, weights of one length, finite numbers, sd > 0)`);
  return m;
}

function standardised(model: LogisticModel, x: number, j: number): number {
  return Number.isFinite(x) ? (x - model.mean[j]) / model.sd[j] : 0;
}

/** 1 / (1 + e^-t), without overflow for large |t|. */
export function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Gaussian elimination with partial pivoting; the systems here are at most a dozen unknowns. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/**
 * The temperature T > 0 that makes sigmoid(offset + T · logit) best calibrated on labelled cases (maximum likelihood,
 * T in [0.02, 50] by golden-section search on the convex log-loss): T < 1 tempers over-confident log-odds. It
 * rescales every logit by one positive factor, so the ranking (AUC) does not change. `offset` (default 0) is a fixed
 * log-odds every case starts from, e.g. the prior when `logits` are evidence relative to it.
 */
export function fitTemperature(logits: readonly number[], labels: readonly number[], offset = 0): number {
  if (logits.length !== labels.length) throw new RangeError(`${logits.length} logits but ${labels.length} labels`);
  if (logits.some((z) => !Number.isFinite(z)) || !Number.isFinite(offset)) throw new RangeError('logits and offset must be finite');
  const positives = labels.filter((y) => y === 1).length;
  if (labels.some((y) => y !== 0 && y !== 1)) throw new RangeError('labels must be 0 or 1');
  if (positives === 0 || positives === labels.length) throw new ConfigError(`calibration needs both classes; got ${positives} positive of ${labels.length}`);
  const loss = (logT: number) => {
    const T = Math.exp(logT);
    let s = 0;
    for (let i = 0; i < logits.length; i++) {
      const t = (offset + T * logits[i]) * (labels[i] === 1 ? 1 : -1);
      // -log(sigmoid(t)), stable for large |t|.
      s += t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
    }
    return s;
  };
  let lo = Math.log(0.02);
  let hi = Math.log(50);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let iter = 0; iter < 100 && hi - lo > 1e-9; iter++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (loss(a) < loss(b)) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}
