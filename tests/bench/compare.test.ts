import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { timeMultiTaskModel } from '../../lib/bench/model';
import { buildReferenceUnet } from '../../lib/bench/reference-unet';
import { TORCH_PYTHON, TORCH_TWINS, rowRatios, runTorchTwin } from '../../lib/bench/compare';
import { initEngine } from '../../lib/engine/backend';
import { BackendError } from '../../lib/errors';

/** Why the PyTorch twins cannot run here, or null when TORCH_PYTHON imports torch. */
function torchMissing(): string | null {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${TORCH_PYTHON}: ${probe.error.message}`;
  return probe.status === 0 ? null : `${TORCH_PYTHON} has no torch (${probe.stderr.trim().split('\n').pop()})`;
}

// One training step and one forward pass after no warm-up, one thread: the twins' keys and sizes, not their speed.
const quick = ['--warmup', '0', '--steps', '1', '--threads', '1'];
const timingKeys = (row: string) => [`${row}_train_ms`, `${row}_train_cpu_ms`, `${row}_forward_ms`];

describe('bench --compare', () => {
  it('divides each tfjs time of a row by the PyTorch one', () => {
    const tfjs = { mtl_b4_128_train_ms: 300, mtl_b4_128_forward_ms: 90, mtl_b4_128_train_cpu_ms: 500, backend: 'native' };
    const pytorch = { mtl_b4_128_train_ms: 200, mtl_b4_128_forward_ms: 60, mtl_b4_128_train_cpu_ms: 300, backend: 'pytorch' };
    assert.deepEqual(rowRatios(tfjs, pytorch, 'mtl_b4_128'), { train: 1.5, forward: 1.5, train_cpu: 1.67 });
  });

  it('a missing interpreter is a BackendError naming the twin and how to install torch', () => {
    assert.throws(
      () => runTorchTwin('mtl', { python: '/nonexistent/python3' }),
      (err: Error) => err instanceof BackendError && /mtl\.py/.test(err.message) && /python3-torch/.test(err.message),
    );
  });

  describe('PyTorch twins (quick mode)', function () {
    const missing = torchMissing();
    before(function () {
      if (missing) {
        process.stderr.write(`      skipped: ${missing}\n`);
        this.skip();
      }
    });

    it('the multi-task twin prints the tfjs row keys and has the same parameter count', async () => {
      await initEngine();
      const before = tf.memory().numTensors;
      const ours = timeMultiTaskModel({ warmup: 0, steps: 1 });
      assert.equal(tf.memory().numTensors, before);
      const twin = runTorchTwin('mtl', { args: quick });
      assert.equal(twin.backend, 'pytorch');
      for (const key of Object.keys(ours)) assert.ok(key in twin, `the twin lacks ${key}`);
      assert.deepEqual(timingKeys(TORCH_TWINS.mtl.row).filter((k) => !(Number(twin[k]) > 0)), []);
      assert.equal(twin.mtl_params, ours.mtl_params);
      assert.equal(ours.mtl_params, 969139);
    });

    it('the U-Net twin prints the tfjs row keys and has the same parameter count', () => {
      const twin = runTorchTwin('unet', { args: quick });
      assert.deepEqual(timingKeys(TORCH_TWINS.unet.row).filter((k) => !(Number(twin[k]) > 0)), []);
      const net = buildReferenceUnet();
      try {
        assert.equal(twin.params, net.params.reduce((a, p) => a + p.size, 0));
      } finally {
        net.dispose();
      }
    });
  });
});
