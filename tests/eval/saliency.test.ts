import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../lib/engine/backend';
import { classTokenAttention, classifierAttention, gradCam, type GradCamTarget, modelGradCam } from '../../lib/eval/saliency';
import { buildModel } from '../../lib/model/multitask';
import { tinyConfig } from '../model/tiny';

/** A 8x8 image with 2 channels: channel 0 bright in the top-left quarter, channel 1 in the bottom-right one. */
function twoBlobs(strength0: number, strength1: number): tf.Tensor4D {
  const data = new Float32Array(8 * 8 * 2);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      // A smooth bump inside each quarter, so min-max scaling has something to scale.
      data[(y * 8 + x) * 2] = y < 4 && x < 4 ? strength0 * (1 + x + y) : 0;
      data[(y * 8 + x) * 2 + 1] = y >= 4 && x >= 4 ? strength1 * (1 + (7 - x) + (7 - y)) : 0;
    }
  }
  return tf.tensor4d(data, [1, 8, 8, 2]);
}

/** The toy model: A = the input, logits = GAP(A) W. For it Grad-CAM is the class-activation map sum_k W[k, c] A_k. */
function linearGapTarget(w: number[][]): GradCamTarget {
  return {
    features: (x) => tf.clone(x),
    logits: (a) => tf.matMul(tf.mean(a, [1, 2]) as tf.Tensor2D, tf.tensor2d(w)),
  };
}

function minMax(values: number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
}

function channel(x: tf.Tensor4D, c: number): number[] {
  return Array.from(tf.tidy(() => tf.slice(x, [0, 0, 0, c], [1, -1, -1, 1]).dataSync()));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
}

describe('saliency', () => {
  before(() => initEngine());

  it('Grad-CAM of a linear model on pooled features is its class-activation map: the known answer', () => {
    const before = tf.memory().numTensors;
    const x = twoBlobs(2, 1);
    const target = linearGapTarget([
      [1, 0],
      [0, 1],
    ]);
    const [predicted] = gradCam(target, x);
    // Channel 0 is brighter, so class 0 is predicted, and its map is channel 0, scaled to [0, 1].
    assert.equal(predicted.classIndex, 0);
    assert.equal(predicted.width, 8);
    assert.equal(predicted.height, 8);
    close(predicted.data, minMax(channel(x, 0)));
    const [other] = gradCam(target, x, { classIndex: 1 });
    close(other.data, minMax(channel(x, 1)));
    assert.ok(other.probability < 0.5 && predicted.probability > 0.5);
    // Evidence against a class is cut by the ReLU: a class whose score falls with every feature has an empty map.
    const [against] = gradCam(linearGapTarget([
      [-1, 1],
      [-1, 1],
    ]), x, { classIndex: 0 });
    assert.deepEqual(Array.from(against.data), new Array(64).fill(0));
    x.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('Grad-CAM upsamples a coarse map bilinearly: the peak stays where the evidence is', () => {
    const x = twoBlobs(1, 3);
    const coarse: GradCamTarget = {
      features: (input) => tf.avgPool(input, 2, 2, 'valid') as tf.Tensor4D,
      logits: (a) => tf.matMul(tf.mean(a, [1, 2]) as tf.Tensor2D, tf.eye(2)),
    };
    const [map] = gradCam(coarse, x);
    assert.equal(map.classIndex, 1);
    assert.equal(map.data.length, 64);
    const peak = map.data.indexOf(Math.max(...map.data));
    const [py, px] = [Math.floor(peak / 8), peak % 8];
    assert.ok(py >= 4 && px >= 4, `peak at ${py},${px}, outside the bottom-right quarter`);
    x.dispose();
  });

  it("the class token's attention, averaged over heads, laid out on the patch grid", () => {
    // One image, 2 heads, 1 class token + 4 patches (2x2); only the class token's row matters.
    const rows = (clsRow: number[]) => [clsRow, ...new Array(4).fill([0.2, 0.2, 0.2, 0.2, 0.2])];
    const weights = tf.tensor4d([[rows([0.2, 0, 0, 0, 0.8]), rows([0.2, 0, 0, 0.8, 0])]]);
    const [map] = classTokenAttention({ name: 'classifier/transformer0', weights, queryGrid: null, keyGrid: null }, [2, 2], 1, [2, 2]);
    // Mean over heads: patches (0, 0, 0.4, 0.4), i.e. the bottom row.
    close(map, [0, 0, 1, 1]);
    weights.dispose();
  });

  it("a model's classifier: Grad-CAM and attention maps of the input's size, in [0, 1], no tensor left", () => {
    const model = buildModel(tinyConfig(32, { kind: 'cls' }));
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cams = modelGradCam(model, x);
    const attention = classifierAttention(model, x);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    for (const m of [...cams, ...attention]) {
      assert.equal(m.width, 32);
      assert.equal(m.height, 32);
      assert.ok(m.data.every((v) => v >= 0 && v <= 1 + 1e-6));
    }
    assert.equal(cams.length, 2);
    assert.equal(attention.length, 2);
    // The class explained is the one predicted.
    const predicted = tf.tidy(() => tf.argMax(model.predict(x).cls!, 1).arraySync() as number[]);
    assert.deepEqual(cams.map((c) => c.classIndex), predicted);
    assert.throws(() => modelGradCam(buildModel(tinyConfig(32, { kind: 'seg' })), x), /has no classifier/);
    x.dispose();
  });
});
