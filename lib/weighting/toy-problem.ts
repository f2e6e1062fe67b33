/**
 * The toy two-objective problem of CAGrad (Liu, Liu, Jin, Stone and Liu, "Conflict-Averse Gradient Descent for
 * Multi-task Learning", NeurIPS 2021, section 5.1 and its code's toy.py), which Nash-MTL (Navon et al., "Multi-Task
 * Learning as a Bargaining Game", ICML 2022, Figure 1) and FAMO reuse with the first loss scaled. With x = (x1, x2),
 *   c1 = max(tanh(x2 / 2), 0),  c2 = max(tanh(-x2 / 2), 0),
 *   f1(x) = c1 (log max(|0.5 (-x1 - 7) - tanh(-x2)|, 5e-6) + 6) + c2 (((x1 - 7)^2 + 0.1 (x2 + 8)^2) / 10 - 20)
 *   f2(x) = c1 (log max(|0.5 (-x1 + 3) + tanh(-x2) + 2|, 5e-6) + 6) + c2 (((x1 + 7)^2 + 0.1 (x2 + 8)^2) / 10 - 20)
 * and f1 multiplied by `scale` (1 in CAGrad, 0.1 in Nash-MTL: imbalanced losses). Above x2 = 0 the objectives are
 * logarithmic valleys (where plain gradient descent stalls), below they are two quadratic bowls centred at x1 = 7 and
 * x1 = -7. The Pareto set (the same for every scale) is the curve x1 = 14a - 7, a in [0, 1], with x2 the minimiser of
 * a f1 + (1 - a) f2 along x2 (about -8.42 at the ends, -8.3552 at x1 = 0, the minimiser of the mean f1 + f2: the
 * papers' star); there the two gradients point in opposite directions.
 *
 * `runToyProblem` runs one strategy's rule (the registry's `rule`, the one `combineGradients` applies, kept across
 * steps so the stateful ones evolve) from a start for K steps of Adam (lr 1e-3 and 100 000 steps in CAGrad, 35 000 in
 * Nash-MTL) and returns the trajectory. The rules get the losses shifted to be positive, f_t + 21 s_t (s = [scale, 1];
 * FAMO's toy code uses the same lower bound), and DB-MTL, which differentiates log-losses, the gradients of their
 * logs. Loss methods are the combination of gradients their total's gradient is: RLW draws new weights every step;
 * FAMO's rule is its first step (equal logits: the log-losses weighted equally). Uncertainty weighting, its positive
 * variant, DWA and GradNorm need a model (learned variables, epochs) and are refused, as `combineGradients` does.
 * A rule that returns a non-finite direction stops the run there (`failedAt`) instead of carrying NaN on.
 */
import { ConfigError } from '../errors';
import type { GradientRule } from './gradient-rule';
import { LogLossGradientWeighting, LossWeightsRule } from './gradient-method';
import { WeightingConfig, strategyEntry } from './registry';
import { combinableKinds } from './combine';
import { rlwWeights } from './rlw';

/** Below this, |u| is clamped inside the logarithms (the papers' LOWER). */
const LOWER = 5e-6;

/** The starts of the papers' figures: CAGrad's three, and Nash-MTL's five. */
export const toyStarts = {
  cagrad: [
    [-8.5, 7.5],
    [-8.5, -5],
    [9, 9],
  ],
  nashMtl: [
    [-8.5, 7.5],
    [0, 0],
    [9, 9],
    [-7.5, -0.5],
    [9, -1],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, number]>>;

const sech2 = (v: number) => {
  const c = Math.cosh(v);
  return 1 / (c * c);
};

interface Parts {
  c1: number;
  c2: number;
  /** dc1/dx2, dc2/dx2. */
  dc1: number;
  dc2: number;
  logs: [number, number];
  /** d(log part)/dx1, d/dx2 per objective. */
  dLogs: [[number, number], [number, number]];
  squares: [number, number];
  dSquares: [[number, number], [number, number]];
}

function parts(x1: number, x2: number): Parts {
  const t = Math.tanh(x2 / 2);
  // The clamps pass their gradient at the boundary, as torch.clamp does: at x2 = 0 both halves pull.
  const c1 = Math.max(t, 0);
  const c2 = Math.max(-t, 0);
  const dc1 = x2 >= 0 ? 0.5 * sech2(x2 / 2) : 0;
  const dc2 = x2 <= 0 ? -0.5 * sech2(x2 / 2) : 0;
  const th = Math.tanh(x2);
  const s2 = sech2(x2);
  const u = [0.5 * (-x1 - 7) + th, 0.5 * (-x1 + 3) - th + 2];
  const du = [
    [-0.5, s2],
    [-0.5, -s2],
  ];
  const logs = u.map((v) => Math.log(Math.max(Math.abs(v), LOWER)) + 6) as [number, number];
  const dLogs = u.map((v, i) => (Math.abs(v) >= LOWER ? [du[i][0] / v, du[i][1] / v] : [0, 0])) as [[number, number], [number, number]];
  const q = 0.1 * (x2 + 8) ** 2;
  const squares: [number, number] = [((x1 - 7) ** 2 + q) / 10 - 20, ((x1 + 7) ** 2 + q) / 10 - 20];
  const dq2 = 0.02 * (x2 + 8);
  const dSquares: [[number, number], [number, number]] = [
    [(x1 - 7) / 5, dq2],
    [(x1 + 7) / 5, dq2],
  ];
  return { c1, c2, dc1, dc2, logs, dLogs, squares, dSquares };
}

function checkScale(scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new ConfigError(`toy problem: scale must be a positive number, got ${scale}`);
  return scale;
}

/** [f1, f2] at x (f1 times `scale`). */
export function toyLosses(x: readonly number[], scale = 1): [number, number] {
  checkScale(scale);
  const p = parts(x[0], x[1]);
  const f = [0, 1].map((i) => p.c1 * p.logs[i] + p.c2 * p.squares[i]);
  return [scale * f[0], f[1]];
}

/** [grad f1, grad f2] at x, each [d/dx1, d/dx2] (the papers' autograd gradients, in closed form). */
export function toyGradients(x: readonly number[], scale = 1): [number[], number[]] {
  checkScale(scale);
  const p = parts(x[0], x[1]);
  const g = [0, 1].map((i) => [
    p.c1 * p.dLogs[i][0] + p.c2 * p.dSquares[i][0],
    p.dc1 * p.logs[i] + p.c1 * p.dLogs[i][1] + p.dc2 * p.squares[i] + p.c2 * p.dSquares[i][1],
  ]);
  return [g[0].map((v) => scale * v), g[1]];
}

/** Minimiser of a unimodal f on [lo, hi] by golden-section search. */
function goldenMinimum(f: (v: number) => number, lo: number, hi: number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-10) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

export interface ToyParetoSet {
  /** The preference a of f1 in a f1 + (1 - a) f2 (unscaled), 0 to 1. */
  preference: number[];
  /** The Pareto-optimal points [x1, x2], from x1 = -7 (a = 0) to x1 = 7. */
  x: number[][];
  /** Their [f1, f2] (f1 times `scale`): the Pareto front. */
  losses: number[][];
}

/** The Pareto set and front at `points` preferences evenly spaced in [0, 1] (101 by default). */
export function toyParetoSet(options: { points?: number; scale?: number } = {}): ToyParetoSet {
  const n = options.points ?? 101;
  const scale = checkScale(options.scale ?? 1);
  if (!(Number.isInteger(n) && n >= 2)) throw new ConfigError(`toy problem: the Pareto set needs at least 2 points, got ${n}`);
  const preference = Array.from({ length: n }, (_, i) => i / (n - 1));
  const x = preference.map((a) => {
    // Below x2 = 0 the weighted sum is (C(a) + 0.01 (x2 + 8)^2) tanh(-x2 / 2) with C(a) = 19.6 a (1 - a) - 20 at the
    // best x1 = 14 a - 7, whatever x2 is.
    const c = 19.6 * a * (1 - a) - 20;
    const x2 = goldenMinimum((v) => (c + 0.01 * (v + 8) ** 2) * Math.tanh(-v / 2), -12, -6);
    return [14 * a - 7, x2];
  });
  return { preference, x, losses: x.map((p) => toyLosses(p, scale)) };
}

/** The distance from `point` to the Pareto set's polyline (in x). */
export function distanceToParetoSet(point: readonly number[], set: ToyParetoSet): number {
  let best = Infinity;
  for (let i = 0; i + 1 < set.x.length; i++) {
    const [ax, ay] = set.x[i];
    const [bx, by] = set.x[i + 1];
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.min(1, Math.max(0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy));
  }
  return best;
}

export interface ToyLandscape {
  /** Grid coordinates along x1 and x2. */
  x1: number[];
  x2: number[];
  /** Values at (x1[i], x2[j]) as rows z[j][i]: f1 (scaled), f2 and their mean. */
  f1: number[][];
  f2: number[][];
  mean: number[][];
}

/** The objectives on a `points` x `points` grid over [-range, range]^2 (defaults 10 and 101). */
export function toyLandscape(options: { range?: number; points?: number; scale?: number } = {}): ToyLandscape {
  const range = options.range ?? 10;
  const n = options.points ?? 101;
  const scale = checkScale(options.scale ?? 1);
  if (!(range > 0) || !(Number.isInteger(n) && n >= 2)) throw new ConfigError(`toy problem: the landscape needs range > 0 and at least 2 points`);
  const axis = Array.from({ length: n }, (_, i) => -range + (2 * range * i) / (n - 1));
  const values = axis.map((x2) => axis.map((x1) => toyLosses([x1, x2], scale)));
  return {
    x1: axis,
    x2: axis.slice(),
    f1: values.map((row) => row.map((v) => v[0])),
    f2: values.map((row) => row.map((v) => v[1])),
    mean: values.map((row) => row.map((v) => (v[0] + v[1]) / 2)),
  };
}

export interface ToyRunOptions {
  /** The start [x1, x2]. */
  start: readonly number[];
  /** Adam steps. */
  steps: number;
  /** Adam's learning rate, default 1e-3 (the papers'). */
  lr?: number;
  /** The strategy's hyper-parameters (its config without `kind`). */
  config?: Record<string, unknown>;
  /** f1's multiplier, default 1 (CAGrad); Nash-MTL's figure uses 0.1. */
  scale?: number;
  /** Keep every `every`-th point of the trajectory (the last is always kept); default so that about 500 are kept. */
  every?: number;
}

export interface ToyTrajectory {
  method: string;
  start: number[];
  /** The steps whose points are kept, 0 (the start) to `steps`. */
  steps: number[];
  /** [x1, x2] after each kept step. */
  x: number[][];
  /** [f1, f2] there (f1 scaled). */
  losses: number[][];
  /** The rule's task weights of the last step (null where it is not a combination of the gradients). */
  lastWeights: number[] | null;
  /** The step at which the rule returned a non-finite direction, where the run stopped (null: it ran every step). */
  failedAt: number | null;
}

/** The kinds `runToyProblem` takes: those with a rule on plain gradients. */
export const toyKinds = combinableKinds;

/** The rule of `method` on two tasks, and whether it differentiates log-losses. */
function toyRule(method: string, config: Record<string, unknown>): { rule: GradientRule; logLoss: boolean } {
  const entry = strategyEntry(method);
  if (!entry) throw new ConfigError(`toy problem: unknown method '${method}' (expected ${toyKinds.join(', ')})`);
  if (!entry.rule) throw new ConfigError(`toy problem: method '${method}' needs a model; the toy problem takes ${toyKinds.join(', ')}`);
  const full = { ...config, kind: method } as WeightingConfig;
  let logLoss = false;
  if (entry.family === 'gradient') {
    const weighting = entry.create(['seg', 'cls'], full);
    logLoss = weighting instanceof LogLossGradientWeighting;
    weighting.dispose();
  }
  if (method === 'rlw') {
    // The registry's rule shows RLW's first draw; on the toy problem every step draws again, as in training.
    const seed = typeof config.seed === 'number' ? config.seed : 0;
    let step = 0;
    return { rule: new LossWeightsRule(2, () => rlwWeights(2, seed, step++)), logLoss };
  }
  return { rule: entry.rule(2, full), logLoss };
}

/** Runs `method`'s rule on the toy problem from `options.start` for `options.steps` Adam steps. */
export function runToyProblem(method: string, options: ToyRunOptions): ToyTrajectory {
  const scale = checkScale(options.scale ?? 1);
  const lr = options.lr ?? 1e-3;
  const steps = options.steps;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new ConfigError(`toy problem: steps must be a non-negative integer, got ${steps}`);
  if (!(lr > 0)) throw new ConfigError(`toy problem: lr must be > 0, got ${lr}`);
  if (options.start.length !== 2 || !options.start.every(Number.isFinite)) throw new ConfigError('toy problem: start must be two finite numbers');
  const every = options.every ?? Math.max(1, Math.ceil(steps / 500));
  if (!(Number.isInteger(every) && every >= 1)) throw new ConfigError(`toy problem: every must be a positive integer, got ${every}`);
  const { rule, logLoss } = toyRule(method, options.config ?? {});
  const shift = [21 * scale, 21];
  const x = [options.start[0], options.start[1]];
  const m = [0, 0];
  const v = [0, 0];
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const out: ToyTrajectory = { method, start: x.slice(), steps: [0], x: [x.slice()], losses: [toyLosses(x, scale)], lastWeights: null, failedAt: null };
  for (let k = 1; k <= steps; k++) {
    const f = toyLosses(x, scale);
    const losses = f.map((l, t) => l + shift[t]);
    const grads = toyGradients(x, scale).map((g, t) => Float32Array.from(logLoss ? g.map((e) => e / losses[t]) : g));
    const result = rule.combine(grads, losses);
    if (!result.direction.every(Number.isFinite)) {
      out.failedAt = k;
      if (out.steps[out.steps.length - 1] !== k - 1) {
        out.steps.push(k - 1);
        out.x.push(x.slice());
        out.losses.push(f);
      }
      break;
    }
    out.lastWeights = result.weights;
    for (let i = 0; i < 2; i++) {
      const d = result.direction[i];
      m[i] = b1 * m[i] + (1 - b1) * d;
      v[i] = b2 * v[i] + (1 - b2) * d * d;
      x[i] -= (lr * (m[i] / (1 - b1 ** k))) / (Math.sqrt(v[i] / (1 - b2 ** k)) + eps);
    }
    if (k % every === 0 || k === steps) {
      out.steps.push(k);
      out.x.push(x.slice());
      out.losses.push(toyLosses(x, scale));
    }
  }
  return out;
}
