/**
 * Bench rows of the model issue: one training step of the default multi-task model (base 16 channels, CSA on the two
 * coarsest of 4 stages, hybrid classifier, uncertainty weighting, Adam) on a [4, 128, 128, 1] batch, and its size.
 * Compare `mtl_b4_128_train_ms` with `unet_b4_128_train_ms` (bench/reference-unet.ts) on the same backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../model/multitask';
import { ModelConfigInput } from '../model/multitask';
import { createTrainStep } from '../train/step';
import { createWeighting } from '../weighting/create';
import { median } from '../util/percentile';
import { timeCalls } from './timing';

export interface MtlTimings {
  mtl_b4_128_train_ms: number;
  /** Process CPU time of a step: robust to other processes sharing the machine (the wasm backend is single-threaded). */
  mtl_b4_128_train_cpu_ms: number;
  mtl_b4_128_forward_ms: number;
  mtl_params: number;
}

/** Median training-step and inference times after `warmup` steps, and the trainable parameter count. */
export function timeMultiTaskModel(
  opts: { warmup?: number; steps?: number; batch?: number; size?: number; config?: ModelConfigInput; log?: (msg: string) => void } = {},
): MtlTimings {
  const { warmup = 2, steps = 5, batch = 4, size = 128, log = () => undefined } = opts;
  const model = buildModel({ ...opts.config, input: { height: size, width: size, channels: 1 } });
  const weighting = createWeighting(model.tasks.length > 1 ? { kind: 'uncertainty' } : { kind: 'fixed' }, model.tasks);
  const optimizer = tf.train.adam(1e-3);
  const step = createTrainStep(model, weighting, optimizer);
  const data = tf.tidy(() => {
    const image = tf.randomNormal([batch, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const mask = tf.cast(tf.greater(tf.avgPool(image, 9, 1, 'same'), 0.15), 'float32') as tf.Tensor4D;
    const label = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32');
    return { image, mask, label };
  });
  try {
    const train = timeCalls('mtl train step', () => step(data), { warmup, runs: steps, log });
    const forward = timeCalls(
      'mtl forward',
      () =>
        tf.tidy(() => {
          const out = model.predict(data.image);
          out.seg?.dataSync();
          out.cls?.dataSync();
        }),
      { warmup, runs: steps },
    );
    return {
      mtl_b4_128_train_ms: median(train.wall),
      mtl_b4_128_train_cpu_ms: median(train.cpu),
      mtl_b4_128_forward_ms: median(forward.wall),
      mtl_params: model.paramCount(),
    };
  } finally {
    tf.dispose([data.image, data.mask, data.label]);
    optimizer.dispose();
    weighting.dispose();
    model.dispose();
  }
}

/** The bench row for bench/registry.ts: mtl_b4_128_train_ms, mtl_b4_128_train_cpu_ms, mtl_b4_128_forward_ms, mtl_params. */
export async function mtlBenchRow(ctx: { log(msg: string): void }): Promise<Record<string, number>> {
  return { ...timeMultiTaskModel({ log: ctx.log }) };
}
