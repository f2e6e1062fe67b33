import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import {
  checkLogisticModel,
  fitLogistic,
  fitTemperature,
  logisticLogit,
  logisticProbability,
  sigmoid,
  type LogisticModel,
} from '../../lib/patient/logistic-regression';
import { Rng } from '../../lib/util/rng';

/** The design the model is fitted on: standardised features, a missing one at 0 (the training mean). */
function standardisedRow(model: LogisticModel, x: number[]): number[] {
  return x.map((v, j) => (Number.isFinite(v) ? (v - model.mean[j]) / model.sd[j] : 0));
}

/** Gradient of the penalised negative log-likelihood, computed here independently of the fitter. */
function penalisedGradient(model: LogisticModel, X: number[][], y: number[], intercept = model.intercept, weights = model.weights): number[] {
  const g = new Array(weights.length + 1).fill(0);
  X.forEach((x, i) => {
    const z = standardisedRow(model, x);
    const q = sigmoid(intercept + z.reduce((s, v, j) => s + v * weights[j], 0));
    g[0] += q - y[i];
    z.forEach((v, j) => (g[j + 1] += (q - y[i]) * v));
  });
  weights.forEach((w, j) => (g[j + 1] += model.l2 * w));
  return g;
}

/** Diagonal of the inverse of a small symmetric positive definite matrix (Gauss-Jordan). */
function inverseDiagonal(A: number[][]): number[] {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, k) => (k === i ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = M[c][c];
    for (let k = 0; k < 2 * n; k++) M[c][k] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let k = 0; k < 2 * n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[n + i]);
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));

/** Rows drawn from a known logistic model on the raw feature scale. */
function simulate(seed: number, n: number, intercept: number, coef: number[]) {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [rng.normal(2, 1.5), rng.normal(-1, 0.5), rng.bernoulli(0.4) ? 1 : 0];
    X.push(x);
    y.push(rng.bernoulli(sigmoid(intercept + x.reduce((s, v, j) => s + v * coef[j], 0))) ? 1 : 0);
  }
  return { X, y };
}

describe('patient/logistic-regression', () => {
  const names = ['a', 'b', 'c'];
  const trueIntercept = -0.5;
  const trueCoef = [0.8, -1.2, 1.0];
  const sim = simulate(20231, 4000, trueIntercept, trueCoef);

  it('recovers known coefficients within a few standard errors (l2 = 0, raw scale)', () => {
    const m = fitLogistic(names, sim.X, sim.y, { l2: 0 });
    const wRaw = m.weights.map((w, j) => w / m.sd[j]);
    const bRaw = m.intercept - m.weights.reduce((s, w, j) => s + (w * m.mean[j]) / m.sd[j], 0);
    // Standard errors from the Fisher information at the truth, on the raw design [1, x].
    const info = Array.from({ length: 4 }, () => new Array(4).fill(0));
    for (const x of sim.X) {
      const a = [1, ...x];
      const q = sigmoid(trueIntercept + x.reduce((s, v, j) => s + v * trueCoef[j], 0));
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) info[r][c] += q * (1 - q) * a[r] * a[c];
    }
    const se = inverseDiagonal(info).map(Math.sqrt);
    const estimate = [bRaw, ...wRaw];
    const truth = [trueIntercept, ...trueCoef];
    estimate.forEach((e, k) => {
      assert.ok(Math.abs(e - truth[k]) < 4 * se[k], `coefficient ${k}: ${e} vs ${truth[k]} (se ${se[k]})`);
      // The test has power: 4000 rows pin each coefficient to a fraction of its size.
      assert.ok(se[k] < 0.3 * Math.abs(truth[k]), `se ${se[k]}`);
    });
  });

  for (const l2 of [0, 5]) {
    it(`returns the optimum of the penalised likelihood (gradient ~0, l2 = ${l2})`, () => {
      const m = fitLogistic(names, sim.X, sim.y, { l2 });
      assert.equal(m.l2, l2);
      const g = penalisedGradient(m, sim.X, sim.y);
      assert.ok(maxAbs(g) < 1e-6, `gradient ${g.join(', ')}`);
      // A small step away from the returned weights is visibly not an optimum, so the check above can fail.
      const moved = penalisedGradient(m, sim.X, sim.y, m.intercept + 0.05, m.weights.map((w) => w - 0.05));
      assert.ok(maxAbs(moved) > 10, `moved gradient ${moved.join(', ')}`);
    });
  }

  it('shrinks the weights as l2 grows', () => {
    const norms = [0, 5, 50, 500].map((l2) => norm(fitLogistic(names, sim.X, sim.y, { l2 }).weights));
    for (let k = 1; k < norms.length; k++) assert.ok(norms[k] < norms[k - 1], `norms ${norms.join(', ')}`);
    assert.ok(norms[3] < 0.5 * norms[0], `norms ${norms.join(', ')}`);
  });

  it('fits the observed positive rate of each group of one binary feature (l2 = 0)', () => {
    // Group 0: 7 of 20 positive; group 1: 12 of 15 positive. The logistic MLE reproduces both rates.
    const X = [...new Array(20).fill(0), ...new Array(15).fill(1)].map((v: number) => [v]);
    const y = [...Array.from({ length: 20 }, (_, i) => (i < 7 ? 1 : 0)), ...Array.from({ length: 15 }, (_, i) => (i < 12 ? 1 : 0))];
    const m = fitLogistic(['group'], X, y, { l2: 0 });
    assert.ok(Math.abs(logisticProbability(m, [0]) - 7 / 20) < 1e-6, `${logisticProbability(m, [0])}`);
    assert.ok(Math.abs(logisticProbability(m, [1]) - 12 / 15) < 1e-6, `${logisticProbability(m, [1])}`);
    assert.equal(logisticProbability(m, [1]), sigmoid(logisticLogit(m, [1])));
  });

  it('standardises with the NaN-ignoring mean and SD, and imputes a missing feature with the training mean', () => {
    const rng = new Rng(7);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = rng.normal(3, 2);
      X.push([i % 5 === 0 ? NaN : a, rng.normal(0, 1)]);
      y.push(rng.bernoulli(sigmoid(0.7 * (a - 3))) ? 1 : 0);
    }
    const m = fitLogistic(['a', 'b'], X, y, { l2: 1 });
    const finite = X.map((r) => r[0]).filter((v) => !Number.isNaN(v));
    assert.equal(finite.length, 160);
    const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
    // Population SD (numpy's default ddof = 0) of the finite values.
    const sd = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
    assert.ok(Math.abs(m.mean[0] - mean) < 1e-12 && Math.abs(m.sd[0] - sd) < 1e-12, `mean ${m.mean[0]} sd ${m.sd[0]}`);
    assert.ok(Math.abs(m.weights[0]) > 0.1, `weight ${m.weights[0]}`);
    for (const b of [-1, 0, 2.5]) {
      assert.equal(logisticLogit(m, [NaN, b]), logisticLogit(m, [m.mean[0], b]));
      // Not a vacuous equality: another value of the feature moves the logit.
      assert.notEqual(logisticLogit(m, [m.mean[0] + 1, b]), logisticLogit(m, [m.mean[0], b]));
    }
  });

  it('gives a constant or all-missing feature SD 1 and weight 0', () => {
    const rng = new Rng(11);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 100; i++) {
      const a = rng.normal(0, 1);
      X.push([a, 4.5, NaN]);
      y.push(rng.bernoulli(sigmoid(a)) ? 1 : 0);
    }
    for (const l2 of [1, 0]) {
      const m = fitLogistic(['a', 'constant', 'missing'], X, y, { l2 });
      assert.deepEqual(m.mean.slice(1), [4.5, 0]);
      assert.deepEqual(m.sd.slice(1), [1, 1]);
      assert.deepEqual(m.weights.slice(1), [0, 0], `l2 = ${l2}: weights ${m.weights.join(', ')}`);
      assert.ok(Number.isFinite(m.intercept) && Math.abs(m.weights[0]) > 0.1, `l2 = ${l2}: ${JSON.stringify(m)}`);
    }
  });

  it('stays finite on separable data without a penalty', () => {
    const m = fitLogistic(['a'], [[1], [2], [3], [4], [5], [6]], [0, 0, 0, 1, 1, 1], { l2: 0 });
    assert.equal(checkLogisticModel(m, 'separable'), m);
    assert.ok(logisticProbability(m, [3]) < 0.01 && logisticProbability(m, [4]) > 0.99, JSON.stringify(m));
  });

  it('rejects bad training data', () => {
    assert.throws(() => fitLogistic(['a'], [[1], [2], [3]], [1, 1, 1]), ConfigError);
    assert.throws(() => fitLogistic(['a'], [[1], [2], [3]], [0, 0, 0]), ConfigError);
    assert.throws(() => fitLogistic(['a'], [[1], [2]], [0, 1], { l2: -1 }), ConfigError);
    assert.throws(() => fitLogistic(['a', 'b'], [[1, 2], [2]], [0, 1]), RangeError);
    assert.throws(() => fitLogistic(['a'], [[1], [2], [3]], [0, 1]), RangeError);
    assert.throws(() => fitLogistic(['a'], [[1], [2]], [0, 2]), RangeError);
    assert.throws(() => fitLogistic(['a'], [[1], [2]], [0, 0.5]), RangeError);
    const m = fitLogistic(['a', 'b'], [[1, 0], [2, 1], [3, 0], [4, 1]], [0, 1, 1, 0]);
    assert.throws(() => logisticLogit(m, [1]), RangeError);
    assert.throws(() => logisticLogit(m, [1, 2, 3]), RangeError);
    assert.throws(() => logisticProbability(m, []), RangeError);
  });

  describe('checkLogisticModel', () => {
    const fitted = fitLogistic(names, sim.X.slice(0, 300), sim.y.slice(0, 300));
    const broken = (change: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(JSON.stringify(fitted)) as Record<string, unknown>;
      change(m);
      return m;
    };

    it('accepts a JSON round trip of a fitted model', () => {
      const back = checkLogisticModel(JSON.parse(JSON.stringify(fitted)), 'model.json');
      assert.deepEqual(back, fitted);
      assert.equal(logisticLogit(back, [1, 2, 0]), logisticLogit(fitted, [1, 2, 0]));
    });

    const cases: Array<[string, unknown]> = [
      ['null', null],
      ['a number', 3],
      ['weights shorter than names', broken((m) => (m.weights = (m.weights as number[]).slice(1)))],
      ['sd longer than names', broken((m) => (m.sd = [...(m.sd as number[]), 1]))],
      ['a NaN weight (null after JSON)', broken((m) => ((m.weights as unknown[])[0] = null))],
      ['an infinite mean', broken((m) => ((m.mean as number[])[1] = Infinity))],
      ['a NaN intercept', broken((m) => (m.intercept = NaN))],
      ['sd 0', broken((m) => ((m.sd as number[])[2] = 0))],
      ['a negative sd', broken((m) => ((m.sd as number[])[0] = -1))],
      ['a numeric name', broken((m) => ((m.names as unknown[])[0] = 1))],
      ['no names', broken((m) => delete m.names)],
      ['no mean', broken((m) => delete m.mean)],
      ['no intercept', broken((m) => delete m.intercept)],
      ['no l2', broken((m) => delete m.l2)],
      ['a string intercept', broken((m) => (m.intercept = '0.5'))],
    ];
    for (const [what, value] of cases) {
      it(`rejects ${what}, naming the file`, () => {
        assert.throws(
          () => checkLogisticModel(value, 'runs/x/patient-model.json'),
          (e: unknown) => e instanceof ConfigError && e.message.includes('runs/x/patient-model.json'),
        );
      });
    }
  });

  it('sigmoid is finite, bounded and symmetric for any logit', () => {
    assert.equal(sigmoid(0), 0.5);
    for (const t of [800, -800, 1e6, -1e6]) {
      const s = sigmoid(t);
      assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `sigmoid(${t}) = ${s}`);
    }
    assert.equal(sigmoid(800), 1);
    assert.equal(sigmoid(-800), 0);
    for (const t of [0.1, 1, 3.7, 20, 40]) {
      assert.ok(Math.abs(sigmoid(t) + sigmoid(-t) - 1) < 1e-15, `t = ${t}`);
      assert.ok(Math.abs(sigmoid(t) - 1 / (1 + Math.exp(-t))) < 1e-15, `t = ${t}`);
    }
    assert.ok(sigmoid(-700) > 0, 'no underflow to 0 where exp(-700) is still representable');
  });

  describe('fitTemperature', () => {
    /** Logits 3x too confident: labels drawn with P = sigmoid(z / 3). */
    function overconfident(n: number, seed: number): { z: number[]; y: number[] } {
      const rng = new Rng(seed);
      const z: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = rng.normal(0, 6);
        z.push(t);
        y.push(rng.bernoulli(sigmoid(t / 3)) ? 1 : 0);
      }
      return { z, y };
    }
    const loss = (z: number[], y: number[], T: number) => z.reduce((s, t, i) => s - Math.log(y[i] ? sigmoid(T * t) : 1 - sigmoid(T * t)), 0);

    it('recovers the scale of over-confident logits and is the log-loss minimum', () => {
      const { z, y } = overconfident(4000, 11);
      const T = fitTemperature(z, y);
      assert.ok(Math.abs(T - 1 / 3) < 0.04, `T = ${T}`);
      for (const f of [0.97, 1.03]) assert.ok(loss(z, y, T) < loss(z, y, T * f));
    });

    it('fits the scale around a fixed offset (evidence added to a prior)', () => {
      const rng = new Rng(17);
      const prior = 1.2;
      const z: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < 4000; i++) {
        const t = rng.normal(0, 4);
        z.push(t);
        y.push(rng.bernoulli(sigmoid(prior + t / 2)) ? 1 : 0);
      }
      const T = fitTemperature(z, y, prior);
      assert.ok(Math.abs(T - 0.5) < 0.06, `T = ${T}`);
      const offsetLoss = (f: number) => z.reduce((s, t, i) => s - Math.log(y[i] ? sigmoid(prior + f * T * t) : 1 - sigmoid(prior + f * T * t)), 0);
      for (const f of [0.97, 1.03]) assert.ok(offsetLoss(1) < offsetLoss(f));
      assert.throws(() => fitTemperature([1, 2], [0, 1], NaN), RangeError);
    });

    it('keeps calibrated logits near 1 and stays inside its bounds on separable data', () => {
      const rng = new Rng(5);
      const z = Array.from({ length: 3000 }, () => rng.normal(0, 2));
      const y = z.map((t) => (rng.bernoulli(sigmoid(t)) ? 1 : 0));
      assert.ok(Math.abs(fitTemperature(z, y) - 1) < 0.1);
      const T = fitTemperature([-2, -1, 1, 2], [0, 0, 1, 1]);
      assert.ok(T > 45 && T <= 50, `T = ${T}`);
    });

    it('needs both classes, 0/1 labels, finite logits and one label per logit', () => {
      assert.throws(() => fitTemperature([1, 2], [1, 1]), (e: Error) => e instanceof ConfigError && /both classes/.test(e.message));
      assert.throws(() => fitTemperature([1, 2], [0, 2]), RangeError);
      assert.throws(() => fitTemperature([1, NaN], [0, 1]), RangeError);
      assert.throws(() => fitTemperature([1, 2, 3], [0, 1]), RangeError);
    });
  });
});
