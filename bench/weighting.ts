/**
 * The step time of each weighting family on the default multi-task model ([4, 128, 128, 1] batch, Adam), relative to
 * uncertainty weighting: a loss method (GLS), an exact per-task-gradient method (MGDA on the encoder's parameters:
 * one forward/backward per task) and a representation-gradient method (MGDA at the encoder's output features: one
 * pass). Medians of 5 steps after 2 warm-up steps, timed by bench/timing.ts. Prints one JSON object.
 * Run: npx tsx bench/weighting.ts [--backend B]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '../lib/engine/backend';
import { buildModel } from '../lib/model/multitask';
import { createTrainStep } from '../lib/train/step';
import { median } from '../lib/util/percentile';
import { createWeighting, type WeightingConfig } from '../lib/weighting/create';
import { timeCalls } from '../lib/bench/timing';

const rows: Array<[string, WeightingConfig]> = [
  ['uncertainty', { kind: 'uncertainty' }],
  ['loss_gls', { kind: 'gls' }],
  ['exact_mgda', { kind: 'mgda' }],
  ['rep_mgda', { kind: 'mgda', space: 'features' }],
];

export async function benchWeighting(opts: { backend?: BackendName; warmup?: number; steps?: number; log?: (m: string) => void } = {}) {
  const { warmup = 2, steps = 5, log = (m: string) => process.stderr.write(`bench weighting: ${m}\n`) } = opts;
  const engine = await initEngine(opts.backend ? { backend: opts.backend } : {});
  const data = tf.tidy(() => {
    const image = tf.randomNormal([4, 128, 128, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const mask = tf.cast(tf.greater(tf.avgPool(image, 9, 1, 'same'), 0.15), 'float32') as tf.Tensor4D;
    return { image, mask, label: tf.tensor1d([0, 1, 0, 1], 'int32') };
  });
  const out: Record<string, number | string> = { backend: engine.backend };
  try {
    for (const [name, config] of rows) {
      const model = buildModel({ input: { height: 128, width: 128, channels: 1 } });
      const weighting = createWeighting(config, model.tasks);
      const optimizer = tf.train.adam(1e-3);
      const step = createTrainStep(model, weighting, optimizer);
      try {
        out[`${name}_ms`] = Math.round(median(timeCalls(name, () => step(data), { warmup, runs: steps, log }).wall));
      } finally {
        optimizer.dispose();
        weighting.dispose();
        model.dispose();
      }
    }
  } finally {
    tf.dispose([data.image, data.mask, data.label]);
  }
  const base = out.uncertainty_ms as number;
  for (const [name] of rows.slice(1)) out[`${name}_ratio`] = Math.round(((out[`${name}_ms`] as number) / base) * 100) / 100;
  return out;
}

if (require.main === module) {
  const i = process.argv.indexOf('--backend');
  benchWeighting(i > 0 ? { backend: process.argv[i + 1] as BackendName } : {}).then(
    (out) => process.stdout.write(JSON.stringify(out) + '\n'),
    (err: Error) => {
      process.stderr.write(`bench weighting: error: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
