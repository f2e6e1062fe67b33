import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseBenchArgs } from '../../lib/bench/run';
import { benchRows } from '../../lib/bench/registry';
import { timeReferenceUnet } from '../../lib/bench/reference-unet';
import { initEngine } from '../../lib/engine/backend';
import { UsageError } from '../../lib/errors';

const bin = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');

describe('bench', () => {
  it('parses --only, --backend and --compare, and rejects a bad backend', () => {
    assert.deepEqual(parseBenchArgs(['--only', 'unet_b4_128, resample_ms', '--backend', 'cpu']), {
      only: ['unet_b4_128', 'resample_ms'],
      backend: 'cpu',
    });
    assert.deepEqual(parseBenchArgs([]), {});
    assert.deepEqual(parseBenchArgs(['--compare']), { compare: true });
    assert.throws(() => parseBenchArgs(['--backend', 'gpu']), UsageError);
    assert.throws(() => parseBenchArgs(['--steps', '3']), UsageError);
  });

  it('lists the reference U-Net as its first row', () => {
    assert.equal(benchRows[0][0], 'unet_b4_128');
  });

  it('times a small copy of the reference U-Net without leaking tensors', async () => {
    await initEngine();
    const before = tf.memory().numTensors;
    const t = timeReferenceUnet({ warmup: 1, steps: 1, cfg: { batch: 1, size: 16, channels: [4, 8, 16], classes: 2, seed: 3, norm: 'engine' } });
    assert.ok(t.train_ms > 0 && t.forward_ms > 0);
    assert.equal(t.train_steps_ms.length, 1);
    // 3x3 convs (with gamma, beta) per level and decoder, two 2x2 up-convs, the 1x1 head and its bias.
    const convs = [
      [1, 4], [4, 4], [4, 8], [8, 8], [8, 16], [16, 16], [16, 8], [8, 8], [8, 4], [4, 4],
    ].reduce((a, [i, o]) => a + 9 * i * o + 2 * o, 0);
    assert.equal(t.params, convs + 4 * 16 * 8 + 4 * 8 * 4 + 4 * 2 + 2);
    assert.equal(tf.memory().numTensors, before);
  });

  it('egfr-gtv backend --json prints the engine report; a forced missing backend exits 1 with the reason', () => {
    const ok = spawnSync(process.execPath, [bin, 'backend', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, EGFR_GTV_BACKEND: 'cpu' },
    });
    assert.equal(ok.status, 0, ok.stderr);
    const report = JSON.parse(ok.stdout.trim().split('\n').pop() as string);
    assert.equal(report.backend, 'cpu');
    assert.equal(report.forced, true);
    const bad = spawnSync(process.execPath, [bin, 'backend', '--backend', 'tensorflow-gpu'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /tensorflow-gpu.*not installed/);
  });
});
