import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { ConfigError, ModelFileError } from '../../lib/errors';
import type { TaskLosses } from '../../lib/losses/task-losses';
import { CaGradRule } from '../../lib/weighting/cagrad';
import { combinableKinds, combineGradients } from '../../lib/weighting/combine';
import { createWeighting } from '../../lib/weighting/create';
import { dot, gram, minNormWeights, quadratic, symmetricEigen } from '../../lib/weighting/gradient-math';
import { alignmentMatrix } from '../../lib/weighting/aligned-mtl';
import { strategyEntry, weightingHelp, weightingKinds, weightingRegistry } from '../../lib/weighting/registry';
import type { WeightingConfig } from '../../lib/weighting/registry';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const closeAll = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) close(a[i], b[i], tol);
};
const f32 = (v: number[]) => Array.from(Float32Array.from(v));

/** Seeded pseudo-random gradients (reproducible, not degenerate). */
function randomGrads(tasks: number, n: number, seed: number): number[][] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return Array.from({ length: tasks }, () => Array.from({ length: n }, next));
}

const combine = (m: string, g: number[][], config: Record<string, unknown> = {}, losses?: number[]) =>
  combineGradients(m, g, { config, ...(losses ? { losses } : {}) });

describe('gradient methods', () => {
  before(async () => {
    await initEngine();
  });

  describe('registry', () => {
    it('the kinds derive from the registry, old ones first, and every entry is named by its kind', () => {
      assert.deepEqual(weightingKinds, Object.keys(weightingRegistry));
      assert.deepEqual(weightingKinds.slice(0, 5), ['fixed', 'uncertainty', 'uncertainty-positive', 'dwa', 'gradnorm']);
      for (const k of weightingKinds) assert.equal(strategyEntry(k)!.kind, k);
      for (const k of ['rlw', 'gls', 'famo', 'mgda', 'pcgrad', 'graddrop', 'gradvac', 'imtl-g', 'cagrad', 'nash-mtl', 'aligned-mtl', 'db-mtl']) {
        assert.ok(weightingKinds.includes(k as never), k);
        assert.ok(combinableKinds.includes(k as never), k);
      }
      assert.equal(strategyEntry('toString'), undefined);
      const help = weightingHelp();
      for (const k of weightingKinds) assert.match(help, new RegExp(`^  ${k} `, 'm'));
      assert.match(help, /famo .*stateful/);
      assert.match(help, /graddrop .*random/);
    });

    it('rejects a space the method does not support, and bad hyper-parameters', () => {
      assert.throws(() => createWeighting({ kind: 'pcgrad', space: 'features' }, ['seg', 'cls']), ConfigError);
      assert.throws(() => createWeighting({ kind: 'cagrad', c: -1 }, ['seg', 'cls']), ConfigError);
      assert.throws(() => createWeighting({ kind: 'mgda', normalisation: 'l3' } as unknown as WeightingConfig, ['seg', 'cls']), ConfigError);
      assert.throws(() => createWeighting({ kind: 'gradvac', beta: 0 }, ['seg', 'cls']), ConfigError);
    });
  });

  describe('closed forms', () => {
    it('MGDA: the two-task min-norm point, and the KKT conditions for three tasks', () => {
      const r = combine('mgda', [[1, 0], [0, 1]]);
      closeAll(r.weights!, [0.5, 0.5]);
      closeAll(r.direction, [0.5, 0.5]);
      const [g1, g2] = randomGrads(2, 7, 3);
      const diff = g1.map((v, i) => v - g2[i]);
      const a = Math.min(1, Math.max(0, dot(diff.map((v) => -v), g2) / dot(diff, diff)));
      closeAll(combine('mgda', [g1, g2]).weights!, [a, 1 - a]);
      // One gradient inside the other's half-space: the shorter one when it is the min-norm point.
      closeAll(combine('mgda', [[1, 0], [3, 0.1]]).weights!, [1, 0]);
      // Three tasks: d . g_t >= ||d||^2 for every t, with equality where a_t > 0.
      const g = randomGrads(3, 5, 11);
      const m = combine('mgda', g);
      const d = m.direction;
      const dd = dot(d, d);
      g.forEach((gt, t) => {
        assert.ok(dot(d, gt) >= dd - 1e-6, `task ${t}`);
        if (m.weights![t] > 1e-6) close(dot(d, gt), dd, 1e-5);
      });
      close(m.weights!.reduce((s, v) => s + v, 0), 1);
    });

    it('MGDA: the l2 normalisation solves on unit gradients and reports the raw gradients\' weights', () => {
      const g = [[3, 0], [0, 1]];
      const r = combine('mgda', g, { normalisation: 'l2' });
      closeAll(r.weights!, [0.5 / 3, 0.5]);
      closeAll(r.direction, [0.5, 0.5]);
      const loss = combine('mgda', g, { normalisation: 'loss' }, [2, 1]);
      // Scaled gradients [1.5, 0] and [0, 1]: a = (1 / 3.25, 2.25 / 3.25).
      closeAll(loss.weights!, [1 / 3.25 / 2, 2.25 / 3.25]);
    });

    it('PCGrad: conflicting gradients are projected onto each other\'s normal planes; agreeing ones summed', () => {
      // g1' = g1 - (g1.g2 / |g2|^2) g2 = (0.5, 0.5); g2' = g2 - (g2.g1 / |g1|^2) g1 = (0, 1).
      const r = combine('pcgrad', [[1, 0], [-1, 1]]);
      closeAll(r.direction, [0.5, 1.5]);
      closeAll(r.weights!, [2, 1.5]);
      closeAll(combine('pcgrad', [[1, 0.5], [0.2, 1]]).direction, f32([1.2, 1.5]));
    });

    it('CAGrad: the dual\'s direction lies on the ball\'s boundary and its worst-task rate equals the dual value', () => {
      for (const seed of [1, 2, 5]) {
        const g = randomGrads(3, 6, seed);
        const rule = new CaGradRule(3);
        const G = gram(g);
        const w = rule.dualWeights(G);
        const d = combine('cagrad', g).direction;
        const g0 = g[0].map((_, i) => (g[0][i] + g[1][i] + g[2][i]) / 3);
        const g0Norm = Math.sqrt(dot(g0, g0));
        const off = d.map((v, i) => v - g0[i]);
        close(Math.sqrt(dot(off, off)), 0.5 * g0Norm, 1e-5);
        const third = [1 / 3, 1 / 3, 1 / 3];
        const dual = w.reduce((s, v, i) => s + v * quadratic(G, [0, 1, 2].map((k) => (k === i ? 1 : 0)), third), 0) + 0.5 * g0Norm * Math.sqrt(quadratic(G, w));
        close(Math.min(...g.map((gt) => dot(gt, d))), dual, 1e-4);
      }
      // c = 0 is the plain mean; rescale 1 divides by 1 + c^2.
      closeAll(combine('cagrad', [[1, 0], [0, 3]], { c: 0 }).direction, [0.5, 1.5]);
      const plain = combine('cagrad', [[1, 0], [-0.5, 2]]).direction;
      closeAll(combine('cagrad', [[1, 0], [-0.5, 2]], { rescale: 1 }).direction, plain.map((v) => v / 1.25), 1e-5);
    });

    it('IMTL-G: weights sum to 1 and the update projects equally on every unit gradient', () => {
      for (const tasks of [2, 3, 4]) {
        const g = randomGrads(tasks, 8, 20 + tasks);
        const r = combine('imtl-g', g);
        close(r.weights!.reduce((s, v) => s + v, 0), 1);
        const proj = g.map((gt) => dot(r.direction, gt) / Math.sqrt(dot(gt, gt)));
        for (const p of proj) close(p, proj[0], 1e-5);
      }
      // Two orthogonal gradients: the update bisects them.
      const r = combine('imtl-g', [[2, 0], [0, 1]]);
      close(r.direction[0], r.direction[1]);
    });

    it('Nash-MTL: the bargaining condition G^T G a = 1 / a, and normalised sums for orthogonal gradients', () => {
      for (const tasks of [2, 3]) {
        const g = randomGrads(tasks, 6, 40 + tasks);
        const r = combine('nash-mtl', g);
        const G = gram(g);
        r.weights!.forEach((a, t) => {
          assert.ok(a > 0);
          close(G[t].reduce((s, v, j) => s + v * r.weights![j], 0), 1 / a, 1e-6);
        });
        close(dot(r.direction, r.direction), tasks, 1e-5);
      }
      // Orthogonal gradients: a_t = 1 / ||g_t||, the update is the sum of the unit gradients.
      closeAll(combine('nash-mtl', [[4, 0], [0, 0.5]]).direction, [1, 1]);
    });

    it('Aligned-MTL: the aligned gradients have condition number one (G^T G -> sigma_min^2 I)', () => {
      const g = randomGrads(3, 9, 7);
      const G = gram(g);
      const b = alignmentMatrix(G)!;
      // Aligned gradients: rows of B^T G-stack; their Gram matrix is B G B.
      const aligned = b.map((row) => g[0].map((_, i) => row.reduce((s, v, k) => s + v * g[k][i], 0)));
      const A = gram(aligned);
      const sigmaMin2 = symmetricEigen(G).values[2];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(A[i][j], i === j ? sigmaMin2 : 0, 1e-6);
      const r = combine('aligned-mtl', g);
      closeAll(r.direction, aligned[0].map((_, i) => aligned[0][i] + aligned[1][i] + aligned[2][i]), 1e-5);
      // Orthogonal gradients of norms 2 and 1: both are scaled to norm 1.
      closeAll(combine('aligned-mtl', [[2, 0], [0, 1]]).direction, [1, 1]);
    });

    it('GradDrop: the same seed gives the same update; agreeing signs keep everything; leak 1 is the sum', () => {
      const g = randomGrads(2, 50, 9);
      assert.deepEqual(combine('graddrop', g, { seed: 3 }), combine('graddrop', g, { seed: 3 }));
      assert.notDeepEqual(combine('graddrop', g, { seed: 3 }).direction, combine('graddrop', g, { seed: 4 }).direction);
      assert.equal(combine('graddrop', g).weights, null);
      closeAll(combine('graddrop', [[1, -2, 0.5], [3, -1, 0.25]]).direction, [4, -3, 0.75]);
      closeAll(combine('graddrop', g, { leak: 1 }).direction, f32(g[0].map((v, i) => v + g[1][i])));
      // Opposite signs: each element keeps exactly one task's gradient.
      const r = combine('graddrop', [[1, -1, 2], [-3, 1, -0.5]], { seed: 1 });
      r.direction.forEach((v, i) => assert.ok([1, -1, 2][i] === v || [-3, 1, -0.5][i] === v, `element ${i}: ${v}`));
    });

    it('GradVac: its first step (targets 0) is PCGrad; later steps raise cosines to the moving targets', () => {
      const g = [[1, 0], [-1, 1]];
      closeAll(combine('gradvac', g).direction, combine('pcgrad', g).direction);
      const w = createWeighting({ kind: 'gradvac', beta: 0.5 }, ['seg', 'cls']);
      const grads = g.map((v) => Float32Array.from(v));
      w.gradients!.combineGradients(grads, [1, 1]);
      // Targets after one step: 0.5 * cos = -0.5 / sqrt(2). The next step's cosine (-1/sqrt(2)) is below: g_1 is lifted
      // to exactly the target cosine with g_2.
      const state = w.exportState();
      closeAll(state.targets, [0, -0.5 / Math.SQRT2, -0.5 / Math.SQRT2, 0]);
      const second = w.gradients!.combineGradients(grads, [1, 1]);
      const c = second.weights!;
      assert.ok(c[0] !== 2 || c[1] !== 1.5, 'the second step differs from PCGrad');
    });

    it('DB-MTL: the first step scales the averaged gradients to the largest norm', () => {
      const r = combine('db-mtl', [[3, 0], [0, 1]]);
      // Averages (1 - 0.9) g: norms 0.3 and 0.1; alpha = (1, 3); d = 0.1 * (3, 3).
      closeAll(r.direction, [0.3, 0.3], 1e-5);
      closeAll(r.weights!, [0.1, 0.3], 1e-5);
    });

    it('loss methods as gradient combinations: RLW softmax weights, GLS d GLS / d L, FAMO\'s equal first step', () => {
      const g = [[1, 0], [0, 1]];
      const rlw = combine('rlw', g, { seed: 5 });
      close(rlw.weights!.reduce((s, v) => s + v, 0), 1);
      assert.deepEqual(combine('rlw', g, { seed: 5 }), rlw);
      const gls = combine('gls', g, {}, [4, 1]);
      // GLS = sqrt(4 * 1) = 2; weights GLS / (2 L) = (0.25, 1).
      closeAll(gls.weights!, [0.25, 1]);
      closeAll(combine('famo', g).weights!, [0.5, 0.5]);
      closeAll(combine('fixed', g).direction, [1, 1]);
    });
  });

  describe('invariances', () => {
    const deterministic = ['mgda', 'pcgrad', 'gradvac', 'imtl-g', 'cagrad', 'nash-mtl', 'aligned-mtl', 'db-mtl', 'gls', 'famo', 'fixed'];
    for (const m of deterministic) {
      it(`${m}: reversing the task order reverses the weights and keeps the update`, () => {
        const g = randomGrads(3, 6, 77);
        const a = combine(m, g);
        const b = combine(m, [...g].reverse());
        closeAll(b.direction, a.direction, 1e-4);
        if (a.weights) closeAll([...b.weights!].reverse(), a.weights, 1e-4);
      });
    }

    it('Nash-MTL and MGDA-l2 are invariant to a positive scaling of one task\'s loss (gradient)', () => {
      const g = randomGrads(2, 6, 13);
      const scaled = [g[0].map((v) => 7 * v), g[1]];
      closeAll(combine('nash-mtl', scaled).direction, combine('nash-mtl', g).direction, 1e-5);
      closeAll(combine('mgda', scaled, { normalisation: 'l2' }).direction, combine('mgda', g, { normalisation: 'l2' }).direction, 1e-5);
    });

    it('the min-norm solver agrees with brute force on a grid for three tasks', () => {
      const g = randomGrads(3, 4, 99);
      const G = gram(g);
      const a = minNormWeights(G);
      let best = Infinity;
      for (let i = 0; i <= 200; i++) for (let j = 0; i + j <= 200; j++) best = Math.min(best, quadratic(G, [i / 200, j / 200, 1 - (i + j) / 200]));
      assert.ok(quadratic(G, a) <= best + 1e-12);
    });
  });

  describe('state and resume', () => {
    const grads = () => randomGrads(2, 12, 5).map((v) => Float32Array.from(v));
    for (const kind of ['gradvac', 'db-mtl', 'graddrop'] as const) {
      it(`${kind}: an exported state continues exactly in a fresh instance`, () => {
        const a = createWeighting({ kind }, ['seg', 'cls']);
        const b = createWeighting({ kind }, ['seg', 'cls']);
        const g = grads();
        a.gradients!.combineGradients(g, [1, 2]);
        b.importState(JSON.parse(JSON.stringify(a.exportState())), 'state.json');
        const next = g.map((v) => v.map((x) => x * 0.5 + 0.01));
        assert.deepEqual(b.gradients!.combineGradients(next, [1, 2]), a.gradients!.combineGradients(next, [1, 2]));
        assert.deepEqual(b.current(), a.current());
      });
    }

    it('RLW: the weights of a step follow from the seed and the step count, which travels in the state', () => {
      const a = createWeighting({ kind: 'rlw', seed: 2 }, ['seg', 'cls']);
      const first = a.current();
      close(first.seg! + first.cls!, 1);
      a.observe({ seg: 1, cls: 1 });
      assert.notDeepEqual(a.current(), first);
      const b = createWeighting({ kind: 'rlw', seed: 2 }, ['seg', 'cls']);
      b.importState(a.exportState(), 'state.json');
      assert.deepEqual(b.current(), a.current());
      assert.throws(() => b.importState({ steps: [1.5] }, 'ck.json'), ModelFileError);
    });

    it('FAMO: the task that improved less gains weight, and the logits and Adam moments travel in the state', () => {
      const a = createWeighting({ kind: 'famo' }, ['seg', 'cls']);
      const losses = (): TaskLosses => ({ seg: tf.scalar(1), cls: tf.scalar(1) });
      tf.tidy(() => a.combine(losses()));
      a.observeAfterUpdate!({ seg: 0.5, cls: 0.9 });
      assert.ok(a.current().cls! > a.current().seg!, JSON.stringify(a.current()));
      const b = createWeighting({ kind: 'famo' }, ['seg', 'cls']);
      b.importState(JSON.parse(JSON.stringify(a.exportState())), 'state.json');
      for (const w of [a, b]) {
        tf.tidy(() => w.combine(losses()));
        w.observeAfterUpdate!({ seg: 0.8, cls: 0.7 });
      }
      assert.deepEqual(b.exportState(), a.exportState());
    });

    it('GLS: the total is the geometric mean of the losses', () => {
      const w = createWeighting({ kind: 'gls' }, ['seg', 'cls']);
      const total = tf.tidy(() => w.combine({ seg: tf.scalar(4), cls: tf.scalar(0.25) }).dataSync()[0]);
      close(total, 1, 1e-6);
      closeAll([w.current().seg!, w.current().cls!], [1 / 8, 2]);
    });
  });

  describe('combineGradients input checks', () => {
    it('names the problem: ragged, empty, non-finite, a single task, unknown method, bad losses', () => {
      assert.throws(() => combineGradients('mgda', [[1, 2], [1]], { source: 'g.json' }), /g.json.*ragged/);
      assert.throws(() => combineGradients('mgda', [[], []]), /empty/);
      assert.throws(() => combineGradients('mgda', [[1, Number.NaN], [1, 2]]), /non-finite value at index 1/);
      assert.throws(() => combineGradients('mgda', [[1, 2]]), /two or more tasks/);
      assert.throws(() => combineGradients('magic', [[1], [2]]), (e: Error) => e instanceof ConfigError && /unknown method 'magic'/.test(e.message));
      assert.throws(() => combineGradients('uncertainty', [[1], [2]]), /needs a model/);
      assert.throws(() => combineGradients('gls', [[1], [2]], { losses: [1, -1] }), /losses/);
    });
  });
});
