import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import {
  distanceToParetoSet,
  runToyProblem,
  toyGradients,
  toyKinds,
  toyLandscape,
  toyLosses,
  toyParetoSet,
  toyStarts,
} from '../../lib/weighting/toy-problem';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);
const cosine = (a: number[], b: number[]) => (a[0] * b[0] + a[1] * b[1]) / (Math.hypot(a[0], a[1]) * Math.hypot(b[0], b[1]));

describe('weighting: the toy two-objective problem (CAGrad / Nash-MTL)', () => {
  it('has the papers\' objectives: two bowls below x2 = 0, log valleys above, f1 scaled by `scale`', () => {
    // Below x2 = 0 only the quadratic halves count: at (7, -8) f1's bowl is at its bottom, times tanh(4).
    close(toyLosses([7, -8])[0], -20 * Math.tanh(4), 1e-12);
    close(toyLosses([-7, -8])[1], -20 * Math.tanh(4), 1e-12);
    // Above it only the logarithms, weighted by tanh(x2 / 2).
    const [x1, x2] = [-8.5, 7.5];
    const f1 = Math.tanh(x2 / 2) * (Math.log(Math.abs(0.5 * (-x1 - 7) - Math.tanh(-x2))) + 6);
    const f2 = Math.tanh(x2 / 2) * (Math.log(Math.abs(0.5 * (-x1 + 3) + Math.tanh(-x2) + 2)) + 6);
    close(toyLosses([x1, x2])[0], f1, 1e-12);
    close(toyLosses([x1, x2])[1], f2, 1e-12);
    // `scale` multiplies f1 only.
    close(toyLosses([1, -3], 0.1)[0], 0.1 * toyLosses([1, -3])[0], 1e-12);
    close(toyLosses([1, -3], 0.1)[1], toyLosses([1, -3])[1], 1e-12);
  });

  it('gradients match central differences everywhere, x2 = 0 included (both halves pull there, as torch.clamp passes)', () => {
    const h = 1e-6;
    for (const p of [[-8.5, 7.5], [1, -3], [0.3, 0.2], [5, -9], [-7.5, -0.5], [9, 9]]) {
      for (const scale of [1, 0.1]) {
        const g = toyGradients(p, scale);
        for (let t = 0; t < 2; t++) {
          for (let i = 0; i < 2; i++) {
            const a = p.slice();
            const b = p.slice();
            a[i] += h;
            b[i] -= h;
            close(g[t][i], (toyLosses(a, scale)[t] - toyLosses(b, scale)[t]) / (2 * h), 1e-6);
          }
        }
      }
    }
    // At x2 = 0 the one-sided derivatives are 0.5 (log part) and -0.5 (quadratic part) times sech^2(0).
    const [g1] = toyGradients([0, 0]);
    close(g1[1], 0.5 * (Math.log(3.5) + 6) - 0.5 * ((49 + 6.4) / 10 - 20) + 0, 1e-9);
  });

  it('the Pareto set: x1 from -7 to 7, x2 = -8.3552 in the middle (the papers\' star), opposed gradients on it', () => {
    const set = toyParetoSet({ points: 11 });
    assert.equal(set.x.length, 11);
    close(set.x[0][0], -7, 1e-12);
    close(set.x[10][0], 7, 1e-12);
    close(set.x[5][0], 0, 1e-12);
    close(set.x[5][1], -8.3552, 1e-4);
    for (const p of set.x) {
      assert.ok(p[1] < -8.3 && p[1] > -8.5, `x2 ${p[1]}`);
      const [g1, g2] = toyGradients(p);
      // At the ends one gradient vanishes; inside they point in opposite directions.
      if (Math.abs(p[0]) < 6.9) close(cosine(g1, g2), -1, 1e-6);
    }
    // The set is the same for every scale; the front (losses) scales f1.
    const scaled = toyParetoSet({ points: 11, scale: 0.1 });
    assert.deepEqual(scaled.x, set.x);
    close(scaled.losses[3][0], 0.1 * set.losses[3][0], 1e-12);
    // Nothing on the grid is better in both objectives than a point of the set.
    const land = toyLandscape({ points: 41 });
    for (const l of set.losses) {
      for (let j = 0; j < land.x2.length; j++) {
        for (let i = 0; i < land.x1.length; i++) assert.ok(!(land.f1[j][i] < l[0] - 1e-9 && land.f2[j][i] < l[1] - 1e-9));
      }
    }
    close(distanceToParetoSet([0, -8.3552], set), 0, 1e-3);
    close(distanceToParetoSet([0, 0], set), 8.3551, 1e-2);
  });

  it('the landscape holds f1, f2 and their mean on the grid as rows z[j][i] at (x1[i], x2[j])', () => {
    const land = toyLandscape({ range: 10, points: 5, scale: 0.1 });
    assert.deepEqual(land.x1, [-10, -5, 0, 5, 10]);
    const [f1, f2] = toyLosses([5, -10], 0.1);
    close(land.f1[0][3], f1, 1e-12);
    close(land.f2[0][3], f2, 1e-12);
    close(land.mean[0][3], (f1 + f2) / 2, 1e-12);
  });

  it('runs every rule on plain gradients; the min-norm point reaches the Pareto set from the lower start', () => {
    assert.ok(toyKinds.includes('mgda') && toyKinds.includes('fixed') && !toyKinds.includes('uncertainty'));
    for (const kind of toyKinds) {
      const t = runToyProblem(kind, { start: toyStarts.cagrad[1], steps: 300, lr: 1e-2, every: 100 });
      assert.deepEqual(t.steps, t.failedAt === null ? [0, 100, 200, 300] : t.steps);
      assert.deepEqual(t.x[0], [-8.5, -5]);
      assert.equal(t.x.length, t.losses.length);
      for (const p of t.x) assert.ok(p.every(Number.isFinite), `${kind}: ${p}`);
    }
    const mgda = runToyProblem('mgda', { start: [-8.5, -5], steps: 3000, lr: 1e-2 });
    assert.ok(distanceToParetoSet(mgda.x[mgda.x.length - 1], toyParetoSet()) < 0.05);
    // Adam on the plain sum from the lower start ends at the minimiser of the mean, the papers' star.
    const sum = runToyProblem('fixed', { start: [-8.5, -5], steps: 3000, lr: 1e-2 });
    const end = sum.x[sum.x.length - 1];
    close(end[0], 0, 0.01);
    close(end[1], -8.3552, 0.01);
    // About 500 points are kept by default, the last always.
    const long = runToyProblem('pcgrad', { start: [9, 9], steps: 1001 });
    assert.equal(long.steps[long.steps.length - 1], 1001);
    assert.ok(long.steps.length <= 503);
  });

  it('Adam steps as torch.optim.Adam: the first step moves every coordinate by lr against the direction\'s sign', () => {
    const t = runToyProblem('fixed', { start: [1, -3], steps: 1, lr: 0.01, every: 1 });
    const [g1, g2] = toyGradients([1, -3]);
    const d = [g1[0] + g2[0], g1[1] + g2[1]];
    close(t.x[1][0], 1 - 0.01 * Math.sign(d[0]), 1e-9);
    close(t.x[1][1], -3 - 0.01 * Math.sign(d[1]), 1e-9);
  });

  it('refuses methods that need a model, unknown ones and bad options with ConfigError', () => {
    assert.throws(() => runToyProblem('uncertainty', { start: [0, 0], steps: 1 }), (e: Error) => e instanceof ConfigError && /needs a model/.test(e.message));
    assert.throws(() => runToyProblem('nope', { start: [0, 0], steps: 1 }), ConfigError);
    assert.throws(() => runToyProblem('mgda', { start: [0], steps: 1 }), ConfigError);
    assert.throws(() => runToyProblem('mgda', { start: [0, 0], steps: -1 }), ConfigError);
    assert.throws(() => runToyProblem('mgda', { start: [0, 0], steps: 1, lr: 0 }), ConfigError);
    assert.throws(() => toyLosses([0, 0], 0), ConfigError);
    assert.throws(() => toyParetoSet({ points: 1 }), ConfigError);
  });
});
