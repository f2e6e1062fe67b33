/**
 * Small dense linear algebra on task gradients, in plain numbers (the task count T is tiny, the gradient length n is
 * not): dot products in double precision, the T x T Gram matrix, linear combinations, and the T-sized problems the
 * gradient methods solve (min-norm point on the simplex, linear systems, symmetric eigen-decomposition, convex
 * minimisation on the simplex).
 */
import { ConfigError } from '../errors';

export type Vector = ArrayLike<number>;
export type Matrix = number[][];

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** G_ij = g_i . g_j. */
export function gram(grads: Vector[]): Matrix {
  const t = grads.length;
  const g: Matrix = Array.from({ length: t }, () => new Array<number>(t).fill(0));
  for (let i = 0; i < t; i++) {
    for (let j = i; j < t; j++) {
      const v = dot(grads[i], grads[j]);
      g[i][j] = v;
      g[j][i] = v;
    }
  }
  return g;
}

/** sum_t w_t g_t, as float32. */
export function linearCombination(grads: Vector[], weights: number[]): Float32Array {
  const n = grads[0].length;
  const out = new Float64Array(n);
  grads.forEach((g, t) => {
    const w = weights[t];
    if (w !== 0) for (let i = 0; i < n; i++) out[i] += w * g[i];
  });
  return Float32Array.from(out);
}

/** w^T A v. */
export function quadratic(a: Matrix, w: number[], v: number[] = w): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) for (let j = 0; j < v.length; j++) s += w[i] * a[i][j] * v[j];
  return s;
}

export function matVec(a: Matrix, v: number[]): number[] {
  return a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

/** Scales row/column i of a Gram matrix by s_i (the Gram matrix of the scaled gradients s_i g_i). */
export function scaleGram(g: Matrix, s: number[]): Matrix {
  return g.map((row, i) => row.map((v, j) => v * s[i] * s[j]));
}

/**
 * The min-norm point of the convex hull of the gradients, as weights on the simplex: argmin_a || sum_t a_t g_t ||^2.
 * Two tasks: the closed form a_1 = clip((g_2 - g_1) . g_2 / ||g_1 - g_2||^2, 0, 1). More: Frank-Wolfe with the exact
 * two-point line search (Sener and Koltun, NeurIPS 2018, Algorithm 2), on the Gram matrix.
 */
export function minNormWeights(g: Matrix, options: { maxIterations?: number; tolerance?: number } = {}): number[] {
  const t = g.length;
  if (t === 1) return [1];
  // gamma minimising || gamma x + (1 - gamma) y ||^2 from x.x, x.y, y.y.
  const line = (xx: number, xy: number, yy: number): number => {
    if (xy >= xx) return 1;
    if (xy >= yy) return 0;
    const den = xx + yy - 2 * xy;
    return den > 0 ? (yy - xy) / den : 0.5;
  };
  if (t === 2) {
    const a = line(g[0][0], g[0][1], g[1][1]);
    return [a, 1 - a];
  }
  // Start from the best pair, as Sener and Koltun do.
  let best = { cost: Infinity, a: [] as number[] };
  for (let i = 0; i < t; i++) {
    for (let j = i + 1; j < t; j++) {
      const c = line(g[i][i], g[i][j], g[j][j]);
      const cost = c * c * g[i][i] + (1 - c) * (1 - c) * g[j][j] + 2 * c * (1 - c) * g[i][j];
      if (cost < best.cost) {
        const a = new Array<number>(t).fill(0);
        a[i] = c;
        a[j] = 1 - c;
        best = { cost, a };
      }
    }
  }
  const a = best.a;
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-12;
  for (let it = 0; it < maxIterations; it++) {
    const ga = matVec(g, a);
    let k = 0;
    for (let i = 1; i < t; i++) if (ga[i] < ga[k]) k = i;
    // x = current point, y = vertex k.
    const xx = dot(a, ga);
    const xy = ga[k];
    const yy = g[k][k];
    const gamma = line(xx, xy, yy);
    const next = a.map((v, i) => gamma * v + (1 - gamma) * (i === k ? 1 : 0));
    const change = next.reduce((s, v, i) => s + Math.abs(v - a[i]), 0);
    for (let i = 0; i < t; i++) a[i] = next[i];
    if (change < tolerance) break;
  }
  return a;
}

/** Solves A x = b by Gaussian elimination with partial pivoting; null when A is (numerically) singular. */
export function solveLinear(a: Matrix, b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  const scale = Math.max(...a.flat().map(Math.abs), 0);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (!(Math.abs(m[p][c]) > 1e-12 * scale)) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** Eigenvalues (descending) and unit eigenvectors (columns of `vectors`) of a symmetric matrix, by cyclic Jacobi. */
export function symmetricEigen(input: Matrix): { values: number[]; vectors: Matrix } {
  const n = input.length;
  const a = input.map((r) => r.slice());
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30 * (1 + a.reduce((s, r, i) => s + r[i] * r[i], 0))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: v.map((row) => order.map((i) => row[i])) };
}

/** Euclidean projection onto the probability simplex (Duchi et al. 2008). */
export function projectSimplex(v: number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < u.length; i++) {
    cumulative += u[i];
    const t = (cumulative - 1) / (i + 1);
    if (u[i] - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

/**
 * Minimises a convex function on the probability simplex: golden-section search for two points, projected gradient
 * descent with backtracking otherwise. Starts from the uniform weights.
 */
export function minimiseOnSimplex(f: (w: number[]) => number, grad: (w: number[]) => number[], t: number): number[] {
  if (t === 1) return [1];
  if (t === 2) {
    const phi = (Math.sqrt(5) - 1) / 2;
    let lo = 0;
    let hi = 1;
    let x1 = hi - phi * (hi - lo);
    let x2 = lo + phi * (hi - lo);
    let f1 = f([x1, 1 - x1]);
    let f2 = f([x2, 1 - x2]);
    for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
      if (f1 <= f2) {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - phi * (hi - lo);
        f1 = f([x1, 1 - x1]);
      } else {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + phi * (hi - lo);
        f2 = f([x2, 1 - x2]);
      }
    }
    const x = (lo + hi) / 2;
    return [x, 1 - x];
  }
  let w = new Array<number>(t).fill(1 / t);
  let fw = f(w);
  let step = 1;
  for (let it = 0; it < 5000; it++) {
    const g = grad(w);
    let next = projectSimplex(w.map((v, i) => v - step * g[i]));
    let fn = f(next);
    while (fn > fw - 1e-4 * next.reduce((s, v, i) => s + g[i] * (w[i] - v), 0) && step > 1e-20) {
      step /= 2;
      next = projectSimplex(w.map((v, i) => v - step * g[i]));
      fn = f(next);
    }
    const change = next.reduce((s, v, i) => s + Math.abs(v - w[i]), 0);
    w = next;
    fw = fn;
    step *= 2;
    if (change < 1e-14) break;
  }
  return w;
}

/** ConfigError unless every gradient is a finite list of one common, non-zero length and there are >= 2 of them. */
export function checkGradients(grads: Vector[], source = 'gradients'): void {
  if (!Array.isArray(grads) || grads.length < 2) {
    throw new ConfigError(`${source}: need the gradients of two or more tasks, got ${Array.isArray(grads) ? grads.length : 'none'}`);
  }
  const n = grads[0]?.length;
  grads.forEach((g, t) => {
    if (!g || typeof g.length !== 'number' || g.length === 0) throw new ConfigError(`${source}: task ${t + 1}'s gradient is empty`);
    if (g.length !== n) throw new ConfigError(`${source}: task ${t + 1}'s gradient has ${g.length} values, task 1's ${n} (ragged)`);
    for (let i = 0; i < g.length; i++) {
      if (typeof g[i] !== 'number' || !Number.isFinite(g[i])) {
        throw new ConfigError(`${source}: task ${t + 1}'s gradient has a non-finite value at index ${i} (${String(g[i])})`);
      }
    }
  });
}
