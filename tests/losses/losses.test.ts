import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { ConfigError } from '../../lib/errors';
import { bceWithLogits } from '../../lib/losses/bce';
import { crossEntropyLoss } from '../../lib/losses/cross-entropy';
import { softDiceLoss } from '../../lib/losses/dice';
import { focalLoss } from '../../lib/losses/focal';
import { computeTaskLosses, resolveLossConfig, tumourSliceMask } from '../../lib/losses/task-losses';

const value = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('losses', () => {
  before(async () => {
    await initEngine();
  });

  it('soft Dice is per sample and smoothed', () => {
    // Sample 0: logits 0 (p = 0.5) on a 2-pixel target of 4; sample 1: confident and right.
    const logits = tf.tensor4d([0, 0, 0, 0, 20, 20, -20, -20], [2, 2, 2, 1]);
    const target = tf.tensor4d([1, 1, 0, 0, 1, 1, 0, 0], [2, 2, 2, 1]);
    const d0 = 1 - (2 * 1 + 1) / (2 + 2 + 1);
    const d1 = 1 - (2 * 2 * sigmoid(20) + 1) / (2 * sigmoid(20) + 2 * sigmoid(-20) + 2 + 1);
    close(value(() => softDiceLoss(logits, target)), (d0 + d1) / 2);
    // A slice without tumour and a confident empty prediction costs (almost) nothing thanks to the smoothing.
    const empty = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const none = tf.fill([1, 2, 2, 1], -20) as tf.Tensor4D;
    assert.ok(value(() => softDiceLoss(none, empty)) < 1e-6);
    tf.dispose([logits, target, empty, none]);
  });

  it('BCE with logits matches the definition, with a positive-class weight', () => {
    const x = tf.tensor1d([-3, 0.5, 2, 40]);
    const t = tf.tensor1d([0, 1, 1, 0]);
    const expected = (w: number) =>
      [-3, 0.5, 2, 40].reduce((s, xi, i) => {
        const ti = [0, 1, 1, 0][i];
        const p = sigmoid(xi);
        return s - (w * ti * Math.log(p) + (1 - ti) * (xi > 30 ? -xi : Math.log(1 - p)));
      }, 0) / 4;
    close(value(() => bceWithLogits(x, t)), expected(1), 1e-4);
    close(value(() => bceWithLogits(x, t, 3)), expected(3), 1e-4);
    tf.dispose([x, t]);
  });

  it('cross-entropy: class weights, label smoothing and the tumour-slice mask', () => {
    const logits = tf.tensor2d([[2, 0], [0, 1], [1, 1]]);
    const labels = tf.tensor1d([0, 1, 1], 'int32');
    const nll = [2, 1, 1].map((z, i) => -(z - Math.log(Math.exp([2, 0, 1][i]) + Math.exp([0, 1, 1][i]))));
    close(value(() => crossEntropyLoss(logits, labels)), (nll[0] + nll[1] + nll[2]) / 3);
    close(value(() => crossEntropyLoss(logits, labels, { classWeights: [1, 3] })), (nll[0] + 3 * nll[1] + 3 * nll[2]) / 7);
    const mask = tf.tensor1d([1, 0, 1]);
    close(value(() => crossEntropyLoss(logits, labels, { mask })), (nll[0] + nll[2]) / 2);
    // Smoothing 0.2 over 2 classes: target 0.9 / 0.1.
    const logp = (r: number[], k: number) => r[k] - Math.log(Math.exp(r[0]) + Math.exp(r[1]));
    const rows = [[2, 0], [0, 1], [1, 1]];
    const smoothed = rows.reduce((s, r, i) => s - (0.9 * logp(r, [0, 1, 1][i]) + 0.1 * logp(r, 1 - [0, 1, 1][i])), 0) / 3;
    close(value(() => crossEntropyLoss(logits, labels, { labelSmoothing: 0.2 })), smoothed);
    assert.throws(() => crossEntropyLoss(logits, labels, { classWeights: [1, 2, 3] }), ConfigError);
    tf.dispose([logits, labels, mask]);
  });

  it('a batch without tumour slices gives classification loss 0 and a zero gradient, not NaN', () => {
    const logits = tf.tensor2d([[2, -1], [0.3, 0.1]]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const mask = tf.zeros([2]) as tf.Tensor1D;
    for (const loss of [crossEntropyLoss, focalLoss]) {
      const [l, g] = tf.tidy(() => {
        const { value: v, grad } = tf.valueAndGrad((z: tf.Tensor) => loss(z as tf.Tensor2D, labels, { mask }))(logits);
        return [v.dataSync()[0], Array.from(grad.dataSync())];
      });
      assert.equal(l, 0);
      assert.ok(g.every((v) => v === 0), `gradient ${g}`);
    }
    tf.dispose([logits, labels, mask]);
  });

  it('focal loss: gamma 0 is cross-entropy, gamma 2 down-weights easy samples', () => {
    const logits = tf.tensor2d([[3, 0], [0, 0.2]]);
    const labels = tf.tensor1d([0, 1], 'int32');
    close(value(() => focalLoss(logits, labels, { gamma: 0 })), value(() => crossEntropyLoss(logits, labels)));
    const p = [Math.exp(3) / (Math.exp(3) + 1), Math.exp(0.2) / (1 + Math.exp(0.2))];
    const expected = p.reduce((s, pi) => s - (1 - pi) ** 2 * Math.log(pi), 0) / 2;
    close(value(() => focalLoss(logits, labels)), expected);
    tf.dispose([logits, labels]);
  });

  it('task losses: tumour-slice masking by default, deep supervision on max-pooled masks, clear errors', () => {
    const mask = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0], [2, 2, 2, 1]);
    assert.deepEqual(Array.from(tf.tidy(() => tumourSliceMask(mask).dataSync())), [1, 0]);
    const seg = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const aux = tf.zeros([2, 1, 1, 1]) as tf.Tensor4D;
    const cls = tf.tensor2d([[0, 5], [0, 5]]);
    const label = tf.tensor1d([0, 1], 'int32');
    const image = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const config = resolveLossConfig();
    const noAux = computeTaskLosses({ seg, segAux: [], cls }, { image, mask, label }, config);
    const withAux = computeTaskLosses({ seg, segAux: [aux], cls }, { image, mask, label }, config);
    // Only slice 0 (label 0, logit margin -5) counts.
    close(noAux.cls!.dataSync()[0], Math.log(1 + Math.exp(5)), 1e-4);
    // The aux target is the max-pooled mask [1, 0]; p = 0.5: Dice per sample (2 * 0.5 + 1) / (0.5 + 1 + 1) and
    // 1 / (0.5 + 1), BCE log 2; weight 0.5.
    const auxLoss = (1 - 2 / 2.5 + (1 - 1 / 1.5)) / 2 + Math.log(2);
    close(withAux.seg!.dataSync()[0] - noAux.seg!.dataSync()[0], 0.5 * auxLoss, 1e-4);
    const all = computeTaskLosses({ seg: null, segAux: [], cls }, { image, label }, resolveLossConfig({ cls: { slices: 'all' } }));
    assert.ok(all.cls!.dataSync()[0] < noAux.cls!.dataSync()[0]);
    assert.throws(() => computeTaskLosses({ seg: null, segAux: [], cls }, { image, label }, config), /needs the batch's mask/);
    assert.throws(() => computeTaskLosses({ seg, segAux: [], cls: null }, { image }, config), /has no mask/);
    assert.throws(() => resolveLossConfig({ seg: { dice: 0, bce: 0 } }), ConfigError);
    tf.dispose([mask, seg, aux, cls, label, image, ...Object.values(noAux), ...Object.values(withAux), ...Object.values(all)]);
  });
});
