import * as tf from '@tensorflow/tfjs';
import { registerNativeBackend } from '../../../lib/engine/native';
import { referenceUnet, trainStep } from './unet';
async function main() {
  const backend = process.argv[2] ?? 'native';
  if (backend === 'native') console.log(await registerNativeBackend());
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend); await tf.ready();
  const size = Number(process.argv[3] ?? 128), batch = 4;
  const model = referenceUnet(size);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([batch, size, size, 1]) as tf.Tensor4D;
  const lab = tf.oneHot(tf.randomUniform([batch, size, size], 0, 2, 'int32') as tf.Tensor3D, 2).toFloat() as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < Number(process.argv[4] ?? 5); i++) {
    const t0 = performance.now(); const l = trainStep(model, opt, x, lab); times.push(performance.now() - t0);
    console.log(i, l.toFixed(4), times[i].toFixed(0), tf.memory().numTensors);
  }
  if (process.argv[5] === 'profile') {
    const prof = await tf.profile(() => { trainStep(model, opt, x, lab); });
    const agg = new Map<string, number>();
    for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const detail = process.argv[6];
    if (detail) for (const k of prof.kernels) if (k.name === detail) console.log(detail, (k.kernelTimeMs as number).toFixed(2), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
    console.log([...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k}:${v.toFixed(1)}`).join('\n'));
  }
}
main();
