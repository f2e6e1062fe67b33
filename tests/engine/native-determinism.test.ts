/**
 * The native backend gives the same floats on every run: its multi-threaded reductions (filter gradients, row
 * reductions, batch-norm statistics) sum fixed parts in a fixed order, whatever thread picks up which part. These
 * tests repeat the same computation in one process and compare bit for bit; they fail, intermittently but on most
 * runs, when a reduction keeps per-thread accumulators instead.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { SliceDataset } from '../../lib/data/slice-dataset';
import { prepareCase } from '../../lib/preprocess/prepare-case';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { initEngine } from '../../lib/engine';
import { loadAddon, registerNativeBackend, type NativeAddon } from '../../lib/engine/native';
import { REDUCE_OPS } from '../../lib/engine/native/addon';
import { buildModel } from '../../lib/model/multitask';
import { resolveTrainConfig } from '../../lib/train/config';
import { trainModel } from '../../lib/train/trainer';
import { tinyCohort, tinyModelConfig } from '../train/tiny-cohort';
import { seeded } from './native/helpers';

/** How often each kernel is repeated: enough that two threads almost surely take the parts in another order. */
const REPEATS = 12;

/** The geometry array of the addon's convolution kernels, 'same' padding, stride 1. */
function sameGeometry(n: number, h: number, w: number, c: number, k: number, co: number): Int32Array {
  const pad = Math.floor((k - 1) / 2);
  return Int32Array.from([n, h, w, c, k, k, co, h, w, 1, 1, 1, 1, pad, pad]);
}

/** Asserts that two arrays hold the same bits (NaN included), naming the first element that differs. */
function assertSameBits(actual: Float32Array | undefined, expected: Float32Array, label: string): void {
  assert.ok(actual, `${label}: missing`);
  assert.equal(actual.length, expected.length, `${label}: length differs`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const at = a.findIndex((bits, i) => bits !== e[i]);
  assert.equal(at, -1, `${label}: element ${at} is ${actual[at]}, was ${expected[at]}`);
}

/** Runs fn REPEATS times and asserts that every run writes the same bits as the first. */
function assertRepeatable(label: string, fn: () => Float32Array[]): void {
  const first = fn();
  for (let r = 1; r < REPEATS; r++) fn().forEach((values, i) => assertSameBits(values, first[i], `${label}, output ${i}, run ${r + 1} against run 1`));
}

describe('engine/native: the same inputs give the same bits on every run', function () {
  this.timeout(120000);
  let addon: NativeAddon;
  let previous: string;

  before(async function () {
    const registered = await registerNativeBackend();
    const load = loadAddon();
    if (!registered.ok || !load.ok) {
      process.stderr.write(`      skipped: ${registered.ok ? 'the addon did not load' : registered.reason}\n`);
      this.skip();
    }
    if (load.ok) addon = load.addon;
    previous = tf.getBackend();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  // Shapes large enough that every reduction is split into several parts (several rows per thread and part).
  it('filter gradients of convolutions (direct, im2col and pointwise) and of depthwise convolutions', () => {
    const convs: Array<[string, Int32Array]> = [
      ['3x3, 16 -> 16 channels', sameGeometry(4, 32, 32, 16, 3, 16)],
      ['3x3, 4 -> 8 channels', sameGeometry(4, 32, 32, 4, 3, 8)],
      ['1x1, 24 -> 12 channels', sameGeometry(4, 32, 32, 24, 1, 12)],
    ];
    for (const [label, g] of convs) {
      const [n, h, w, c, kh, kw, co] = g;
      const x = seeded(n * h * w * c, 11), dy = seeded(n * h * w * co, 12);
      assertRepeatable(`conv2dBackpropFilter ${label}`, () => {
        const dw = new Float32Array(kh * kw * c * co);
        addon.conv2dBackpropFilter(x, dy, dw, g);
        return [dw];
      });
    }
    const g = sameGeometry(4, 32, 32, 16, 3, 1);
    const x = seeded(4 * 32 * 32 * 16, 13), dy = seeded(4 * 32 * 32 * 16, 14);
    assertRepeatable('depthwiseBackpropFilter 3x3, 16 channels', () => {
      const dw = new Float32Array(3 * 3 * 16);
      addon.depthwiseBackpropFilter(x, dy, dw, g);
      return [dw];
    });
  });

  it('sums over rows onto a channel vector, batch-norm statistics and channel moments', () => {
    const rows = 1 << 16, channels = 8;
    // A large value early and its negative late in every channel: the partial sums that hold it round away the
    // small values added after it, so the total depends on how the rows were grouped and in which order.
    const cancelling = (seed: number) => {
      const v = seeded(rows * channels, seed);
      for (let c = 0; c < channels; c++) {
        v[c] = 2 ** 40;
        v[(rows / 2) * channels + c] = -(2 ** 40);
      }
      return v;
    };
    const x = cancelling(21), dy = cancelling(22);
    const mean = seeded(channels, 23);
    assertRepeatable('reduce Sum over rows', () => {
      const out = new Float32Array(channels);
      assert.ok(addon.reduce(REDUCE_OPS.Sum, x, Int32Array.from([rows, channels]), Int32Array.from([1, 0]), out));
      return [out];
    });
    assertRepeatable('batchNormGradStats', () => {
      const s1 = new Float32Array(channels), s2 = new Float32Array(channels);
      addon.batchNormGradStats(x, dy, channels, mean, s1, s2);
      return [s1, s2];
    });
    assertRepeatable('channelMoments', () => {
      const m = new Float32Array(channels), v = new Float32Array(channels);
      addon.channelMoments(x, channels, m, v);
      return [m, v];
    });
  });

  it('multi-task training steps (32 px, batch 4) run twice give bit-identical weights and losses', async () => {
    await initEngine({ backend: 'native' });
    const pre = resolvePreprocessConfig({ size: 32 });
    const dataset = new SliceDataset(tinyCohort(4).map((c) => prepareCase(c, pre)), pre);
    const config = resolveTrainConfig({ steps: 4, stepsPerEpoch: 2, batchSize: 4, warmupSteps: 1, weighting: { kind: 'uncertainty' } }, 'mtl');
    const run = async () => {
      const model = buildModel(tinyModelConfig(1, 0.3));
      const result = await trainModel({ model, dataset, config });
      const weights = new Map(model.weights().map((w) => [w.name, Float32Array.from(w.variable.dataSync())]));
      model.dispose();
      return { weights, losses: result.steplog.map((r) => r.total) };
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(b.losses, a.losses);
    for (const [name, values] of a.weights) assertSameBits(b.weights.get(name), values, `weight ${name}, second run against first`);
  });
});
