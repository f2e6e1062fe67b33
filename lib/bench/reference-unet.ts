import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../engine/ops/batch-norm';
import { Rng } from '../util/rng';
import { median } from '../util/percentile';
import { timeCalls } from './timing';

/**
 * The reference U-Net that the engine's performance work is measured on (issue 2), in plain tf ops so that it times
 * the backend and its kernels, not a layer library: input [4, 128, 128, 1]; three levels of 16/32/64 channels at
 * 128/64/32 px, two conv3x3 + batch norm + ReLU per level (encoder and decoder); maxPool 2x2 down; transposed conv
 * 2x2/s2 up; skip concatenation; 1x1 head to 2 classes; softmax cross-entropy; Adam. Weights are He-normal from a
 * seeded generator, so every run (and the PyTorch twin) starts from the same kind of network.
 */
export interface ReferenceUnetConfig {
  batch: number;
  size: number;
  channels: number[];
  classes: number;
  seed: number;
  /**
   * 'engine': the engine's `batchNormTraining` (analytic backward pass), as the project's models use it;
   * 'tf': `tf.moments` + `tf.batchNorm`, backpropagated op by op, for comparison.
   */
  norm: 'engine' | 'tf';
}

export const REFERENCE_UNET: ReferenceUnetConfig = {
  batch: 4,
  size: 128,
  channels: [16, 32, 64],
  classes: 2,
  seed: 1,
  norm: 'engine',
};

interface ConvBn {
  w: tf.Variable;
  gamma: tf.Variable;
  beta: tf.Variable;
}

export interface ReferenceUnet {
  params: tf.Variable[];
  forward(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

export function buildReferenceUnet(cfg: ReferenceUnetConfig = REFERENCE_UNET): ReferenceUnet {
  const rng = new Rng(cfg.seed);
  const params: tf.Variable[] = [];
  const variable = (shape: number[], fill: (fanIn: number) => number, fanIn: number): tf.Variable => {
    const init = tf.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => fill(fanIn)), shape);
    const v = tf.variable(init, true, `unet${params.length}-${cfg.seed}-${rng.int(0, 1e9)}`);
    init.dispose();
    params.push(v);
    return v;
  };
  const he = (fanIn: number) => rng.normal(0, Math.sqrt(2 / fanIn));
  const convBn = (cin: number, cout: number): ConvBn => ({
    w: variable([3, 3, cin, cout], he, 9 * cin),
    gamma: variable([cout], () => 1, 1),
    beta: variable([cout], () => 0, 1),
  });
  const levels = cfg.channels.length;
  const enc: ConvBn[][] = [];
  const dec: ConvBn[][] = [];
  const ups: tf.Variable[] = [];
  let cin = 1;
  for (let l = 0; l < levels; l++) {
    enc.push([convBn(cin, cfg.channels[l]), convBn(cfg.channels[l], cfg.channels[l])]);
    cin = cfg.channels[l];
  }
  for (let l = levels - 2; l >= 0; l--) {
    const c = cfg.channels[l];
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels].
    ups.push(variable([2, 2, c, cfg.channels[l + 1]], he, 4 * cfg.channels[l + 1]));
    dec.push([convBn(2 * c, c), convBn(c, c)]);
  }
  const head = variable([1, 1, cfg.channels[0], cfg.classes], he, cfg.channels[0]);
  const headBias = variable([cfg.classes], () => 0, 1);

  const block = (x: tf.Tensor4D, p: ConvBn): tf.Tensor4D => {
    const y = tf.conv2d(x, p.w as tf.Tensor4D, 1, 'same');
    if (cfg.norm === 'engine') return tf.relu(batchNormTraining(y, p.gamma as tf.Tensor1D, p.beta as tf.Tensor1D).y) as tf.Tensor4D;
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    return tf.relu(tf.batchNorm(y, mean, variance, p.beta, p.gamma, 1e-5)) as tf.Tensor4D;
  };
  const forward = (x: tf.Tensor4D): tf.Tensor4D => {
    const skips: tf.Tensor4D[] = [];
    let h = x;
    for (let l = 0; l < levels; l++) {
      if (l > 0) h = tf.maxPool(h, 2, 2, 'valid');
      h = block(block(h, enc[l][0]), enc[l][1]);
      skips.push(h);
    }
    for (let i = 0; i < levels - 1; i++) {
      const skip = skips[levels - 2 - i];
      const up = tf.conv2dTranspose(h, ups[i] as tf.Tensor4D, skip.shape, 2, 'same');
      h = block(block(tf.concat([up, skip], 3), dec[i][0]), dec[i][1]);
    }
    return tf.add(tf.conv2d(h, head as tf.Tensor4D, 1, 'same'), headBias);
  };
  return { params, forward, dispose: () => tf.dispose(params) };
}

export interface UnetTimings {
  train_ms: number;
  /**
   * Median process CPU time of a training step: on a shared machine wall time includes waiting for the CPU, and the
   * wasm backend runs on one thread, so this is what the step would take on an idle machine.
   */
  train_cpu_ms: number;
  forward_ms: number;
  /** Every timed training step, in order, for the spread. */
  train_steps_ms: number[];
  params: number;
}

/** Median training-step and forward times of the reference U-Net on the current backend. */
export function timeReferenceUnet(
  opts: { warmup?: number; steps?: number; log?: (msg: string) => void; cfg?: ReferenceUnetConfig } = {},
): UnetTimings {
  const { warmup = 2, steps = 5, log = () => undefined, cfg = REFERENCE_UNET } = opts;
  const net = buildReferenceUnet(cfg);
  const rng = new Rng(`${cfg.seed}-data`);
  const n = cfg.batch * cfg.size * cfg.size;
  const x = tf.tensor4d(new Float32Array(n).map(() => rng.normal()), [cfg.batch, cfg.size, cfg.size, 1]);
  const labels = tf.tidy(() =>
    tf.oneHot(tf.cast(tf.greater(tf.reshape(x, [cfg.batch, cfg.size, cfg.size]), 0.5), 'int32'), cfg.classes),
  );
  const opt = tf.train.adam(1e-3);
  const trainStep = (): void => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x)) as tf.Scalar, true, net.params);
    loss?.dataSync();
    loss?.dispose();
  };
  const train = timeCalls('unet train step', trainStep, { warmup, runs: steps, log });
  const forward = timeCalls('unet forward', () => tf.tidy(() => net.forward(x).dataSync()), { warmup, runs: steps });
  const params = net.params.reduce((a, p) => a + p.size, 0);
  opt.dispose();
  net.dispose();
  tf.dispose([x, labels]);
  return { train_ms: median(train.wall), train_cpu_ms: median(train.cpu), forward_ms: median(forward.wall), train_steps_ms: train.wall, params };
}
