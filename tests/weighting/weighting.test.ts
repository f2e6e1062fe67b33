import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { ConfigError, ModelFileError } from '../../lib/errors';
import { TaskLosses } from '../../lib/losses/task-losses';
import { WeightingConfig, createWeighting, weightingKinds } from '../../lib/weighting/create';
import { TaskNumbers, TaskWeighting } from '../../lib/weighting/strategy';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);
const tasks = ['seg', 'cls'] as const;

/** The combined total for seg loss 0.8 and cls loss 0.3, and its gradient with respect to the learnable weights. */
function evaluate(weighting: TaskWeighting): { total: number; grads: number[] } {
  return tf.tidy(() => {
    const losses: TaskLosses = { seg: tf.scalar(0.8), cls: tf.scalar(0.3) };
    const vars = weighting.lossVariables();
    if (vars.length === 0) return { total: weighting.combine(losses).dataSync()[0], grads: [] };
    const { value, grads } = tf.variableGrads(() => weighting.combine(losses), vars);
    return { total: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync()[0]) };
  });
}

function setScalars(vars: tf.Variable[], values: number[]): void {
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.scalar(values[i]))));
}

describe('task weighting', () => {
  before(async () => {
    await initEngine();
  });

  it('fixed: equal weights by default, or the configured ones', () => {
    const equal = createWeighting({ kind: 'fixed' }, [...tasks]);
    close(evaluate(equal).total, 1.1);
    assert.deepEqual(equal.current(), { seg: 1, cls: 1 });
    const custom = createWeighting({ kind: 'fixed', weights: { seg: 2, cls: 0.5 } }, [...tasks]);
    close(evaluate(custom).total, 2 * 0.8 + 0.5 * 0.3);
    assert.throws(() => createWeighting({ kind: 'fixed', weights: { seg: -1 } }, [...tasks]), ConfigError);
  });

  it('uncertainty (Kendall et al.): sum exp(-s) c L + s / 2 with c = 1/2 for seg and 1 for cls, and its gradient', () => {
    const w = createWeighting({ kind: 'uncertainty' }, [...tasks]);
    setScalars(w.lossVariables(), [0.4, -0.2]);
    const expected = Math.exp(-0.4) * 0.5 * 0.8 + 0.2 + Math.exp(0.2) * 0.3 - 0.1;
    const { total, grads } = evaluate(w);
    close(total, expected);
    close(grads[0], -Math.exp(-0.4) * 0.5 * 0.8 + 0.5);
    close(grads[1], -Math.exp(0.2) * 0.3 + 0.5);
    const current = w.current();
    close(current.seg!, Math.exp(-0.4) * 0.5);
    close(current.cls!, Math.exp(0.2));
    w.dispose();
  });

  it('uncertainty with a positive regulariser (Liebel and Koerner): sum L / (2 sigma^2) + log(1 + sigma^2)', () => {
    const w = createWeighting({ kind: 'uncertainty-positive' }, [...tasks]);
    const sigma2 = [1.5, 0.7];
    setScalars(w.lossVariables(), sigma2.map(Math.log));
    close(evaluate(w).total, 0.8 / (2 * 1.5) + Math.log(2.5) + 0.3 / (2 * 0.7) + Math.log(1.7));
    close(w.current().cls!, 1 / (2 * 0.7));
    w.dispose();
  });

  it('DWA: weights 1 for two windows, then K softmax(ratio / T)', () => {
    const w = createWeighting({ kind: 'dwa', window: 2 }, [...tasks]);
    const feed = (seg: number, cls: number) => w.observe({ seg, cls });
    feed(2, 1);
    feed(2, 1);
    assert.deepEqual(w.current(), { seg: 1, cls: 1 });
    feed(1, 1);
    feed(1, 1);
    // Ratios: seg 1/2, cls 1/1; temperature 2.
    const e = [Math.exp(0.5 / 2), Math.exp(1 / 2)];
    close(w.current().seg!, (2 * e[0]) / (e[0] + e[1]));
    close(w.current().cls!, (2 * e[1]) / (e[0] + e[1]));
    close(evaluate(w).total, w.current().seg! * 0.8 + w.current().cls! * 0.3);
    const epochs = createWeighting({ kind: 'dwa' }, [...tasks]);
    epochs.observe({ seg: 1, cls: 1 });
    epochs.endEpoch();
    epochs.observe({ seg: 2, cls: 1 });
    epochs.endEpoch();
    assert.ok(epochs.current().seg! > epochs.current().cls!, 'the task whose loss rose gets more weight');
    assert.throws(() => createWeighting({ kind: 'dwa', temperature: 0 }, [...tasks]), ConfigError);
  });

  it('GradNorm: moves weight from the task with the larger gradient norm and keeps the sum at the task count', () => {
    const w = createWeighting({ kind: 'gradnorm', alpha: 1.5 }, [...tasks]);
    assert.ok(w.gradNorm);
    const optimizer = tf.train.sgd(0.1);
    // Equal loss ratios: the target is the mean weighted norm, so seg (norm 2) loses weight and cls (norm 1) gains.
    const update = (norms: TaskNumbers, losses: TaskNumbers) => {
      const grads = w.gradNorm!.weightGradients(norms, losses);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      w.gradNorm!.renormalise();
    };
    update({ seg: 2, cls: 1 }, { seg: 1, cls: 1 });
    const after = w.current();
    assert.ok(after.seg! < 1 && after.cls! > 1, JSON.stringify(after));
    close(after.seg! + after.cls!, 2);
    // sgd step 0.1 on |w n - target|: seg 1 - 0.2, cls 1 + 0.1, renormalised to sum 2.
    close(after.seg!, (2 * 0.8) / 1.9);
    // A task whose loss falls more slowly (larger ratio) gets a larger target.
    update({ seg: 1, cls: 1 }, { seg: 1, cls: 0.25 });
    assert.ok(w.current().seg! > after.seg!);
    optimizer.dispose();
    w.dispose();
  });

  it('owns no tensor beyond its variables, from construction to disposal', () => {
    for (const kind of weightingKinds) {
      const start = tf.memory().numTensors;
      const w = createWeighting({ kind }, [...tasks]);
      assert.equal(tf.memory().numTensors, start + w.variables().length, `${kind} keeps a tensor besides its variables`);
      w.dispose();
      assert.equal(tf.memory().numTensors, start, `${kind} leaks after dispose`);
    }
  });

  it('DWA: its exported state continues the open window and the closed ones in a fresh instance', () => {
    const a = createWeighting({ kind: 'dwa' }, [...tasks]);
    const fresh = () => createWeighting({ kind: 'dwa' }, [...tasks]);
    assert.deepEqual(a.exportState(), fresh().exportState());
    a.observe({ seg: 2, cls: 1 });
    a.endEpoch();
    a.observe({ seg: 1, cls: 1 });
    const b = fresh();
    b.importState(JSON.parse(JSON.stringify(a.exportState())), 'state.json');
    for (const w of [a, b]) {
      w.observe({ seg: 3, cls: 1 });
      w.endEpoch();
    }
    // The second window's mean seg loss is 2 (1 before the export, 3 after): ratios seg 2/2, cls 1/1.
    assert.deepEqual(b.current(), a.current());
    close(a.current().seg!, 1);
    a.observe({ seg: 1, cls: 2 });
    b.observe({ seg: 1, cls: 2 });
    a.endEpoch();
    b.endEpoch();
    assert.deepEqual(b.current(), a.current());
    assert.ok(a.current().cls! > a.current().seg!);
  });

  it('GradNorm: the initial losses travel in the exported state', () => {
    const a = createWeighting({ kind: 'gradnorm' }, [...tasks]);
    const b = createWeighting({ kind: 'gradnorm' }, [...tasks]);
    const c = createWeighting({ kind: 'gradnorm' }, [...tasks]);
    assert.deepEqual(a.exportState(), {});
    tf.dispose(Object.values(a.gradNorm!.weightGradients({ seg: 1, cls: 1 }, { seg: 2, cls: 0.5 })));
    assert.deepEqual(a.exportState(), { initialLosses: [2, 0.5] });
    b.importState(a.exportState(), 'state.json');
    // Same norms and losses: the same gradient with the restored L(0). c takes these losses as its L(0) instead, so
    // its loss ratios are equal and both targets equal the weighted norms; a's seg target is below its weighted norm.
    const grads = [a, b, c].map((w) => tf.tidy(() => Object.values(w.gradNorm!.weightGradients({ seg: 1, cls: 1 }, { seg: 2, cls: 1 })).map((g) => g.dataSync()[0])));
    assert.deepEqual(grads[1], grads[0]);
    assert.notDeepEqual(grads[2], grads[0]);
    for (const w of [a, b, c]) w.dispose();
  });

  it('rejects a stored state that does not fit the strategy, naming the file', () => {
    const dwa = createWeighting({ kind: 'dwa' }, [...tasks]);
    const good = dwa.exportState();
    assert.throws(() => dwa.importState({ ...good, sums: [1] }, 'ck/model.json'), (e: Error) => e instanceof ModelFileError && /ck\/model.json.*'sums'/.test(e.message));
    assert.throws(() => dwa.importState({ ...good, history: [1, 2, 3] }, 'ck/model.json'), ModelFileError);
    assert.throws(() => dwa.importState({ ...good, count: [1.5] }, 'ck/model.json'), ModelFileError);
    const gradNorm = createWeighting({ kind: 'gradnorm' }, [...tasks]);
    assert.throws(() => gradNorm.importState({ initialLosses: [1, Number.NaN] }, 'ck/model.json'), ModelFileError);
    gradNorm.dispose();
  });

  it('rejects an unknown strategy', () => {
    assert.throws(() => createWeighting({ kind: 'magic' } as unknown as WeightingConfig, [...tasks]), /unknown kind 'magic'/);
  });
});
