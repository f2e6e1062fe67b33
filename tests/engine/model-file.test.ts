import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelFileError } from '../../lib/errors';
import { initEngine } from '../../lib/engine/backend';
import { loadModelFile, MODEL_MANIFEST, MODEL_WEIGHTS, saveModelFile } from '../../lib/engine/model-file';

describe('engine/model-file', () => {
  let root: string;
  before(async () => {
    await initEngine();
    root = await fs.mkdtemp(join(tmpdir(), 'egfr-model-'));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function saveSample(dir: string): Promise<void> {
    const weights = {
      'enc/conv1/kernel': tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]),
      'enc/step': tf.tensor1d([7, -8, 9], 'int32'),
      mask: tf.tensor1d([true, false, true], 'bool'),
      scalar: tf.scalar(0.5),
    };
    await saveModelFile(dir, { config: { channels: [16, 32], name: 'unet' }, weights, meta: { epoch: 3 } });
    tf.dispose(Object.values(weights));
  }

  it('round-trips config, meta and tensors of every stored dtype, and leaves no .tmp file', async () => {
    const dir = join(root, 'ok');
    const before = tf.memory().numTensors;
    await saveSample(dir);
    const m = await loadModelFile<{ channels: number[] }, { epoch: number }>(dir);
    assert.deepEqual(m.config, { channels: [16, 32], name: 'unet' });
    assert.deepEqual(m.meta, { epoch: 3 });
    assert.equal(m.formatVersion, 1);
    assert.deepEqual(Object.keys(m.weights), ['enc/conv1/kernel', 'enc/step', 'mask', 'scalar']);
    assert.deepEqual(m.weights['enc/conv1/kernel'].shape, [1, 1, 2, 3]);
    assert.deepEqual(Array.from(await m.weights['enc/conv1/kernel'].data()), [1, 2, 3, 4, 5, 6]);
    assert.equal(m.weights['enc/step'].dtype, 'int32');
    assert.deepEqual(Array.from(await m.weights['enc/step'].data()), [7, -8, 9]);
    assert.equal(m.weights.mask.dtype, 'bool');
    assert.deepEqual(Array.from(await m.weights.mask.data()), [1, 0, 1]);
    assert.deepEqual(m.weights.scalar.shape, []);
    tf.dispose(Object.values(m.weights));
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual((await fs.readdir(dir)).sort(), [MODEL_MANIFEST, MODEL_WEIGHTS]);
  });

  async function expectError(dir: string, file: string, why: RegExp): Promise<void> {
    await assert.rejects(loadModelFile(dir), (e: Error) => {
      assert.ok(e instanceof ModelFileError, `${e.name}: ${e.message}`);
      assert.ok(e.message.startsWith(file), `names ${file}: ${e.message}`);
      assert.match(e.message, why);
      return true;
    });
  }

  it('names the missing folder, manifest or bin', async () => {
    await expectError(join(root, 'nope'), join(root, 'nope'), /does not exist/);
    const dir = join(root, 'missing');
    await saveSample(dir);
    await fs.rm(join(dir, MODEL_WEIGHTS));
    await expectError(dir, join(dir, MODEL_WEIGHTS), /missing/);
    await fs.rm(join(dir, MODEL_MANIFEST));
    await expectError(dir, join(dir, MODEL_MANIFEST), /missing/);
  });

  it('detects a truncated bin and a bin whose checksum does not match', async () => {
    const dir = join(root, 'bad-bin');
    await saveSample(dir);
    const bin = await fs.readFile(join(dir, MODEL_WEIGHTS));
    await fs.writeFile(join(dir, MODEL_WEIGHTS), bin.subarray(0, bin.length - 4));
    await expectError(dir, join(dir, MODEL_WEIGHTS), /truncated/);
    const flipped = Buffer.from(bin);
    flipped[0] ^= 0xff;
    await fs.writeFile(join(dir, MODEL_WEIGHTS), flipped);
    await expectError(dir, join(dir, MODEL_WEIGHTS), /checksum/);
  });

  it('rejects bad JSON, an unknown format version and a spec that does not fit the bin', async () => {
    const dir = join(root, 'bad-manifest');
    await saveSample(dir);
    const path = join(dir, MODEL_MANIFEST);
    const good = JSON.parse(await fs.readFile(path, 'utf8'));
    await fs.writeFile(path, '{"format": "egfr-gtv-model", ');
    await expectError(dir, path, /not valid JSON/);
    await fs.writeFile(path, JSON.stringify({ ...good, formatVersion: 99 }));
    await expectError(dir, path, /version 99 is not supported/);
    await fs.writeFile(path, JSON.stringify({ ...good, format: 'keras' }));
    await expectError(dir, path, /format is 'keras'/);
    const specs = good.weights.specs.map((s: { shape: number[] }, i: number) => (i === 0 ? { ...s, shape: [9, 9] } : s));
    await fs.writeFile(path, JSON.stringify({ ...good, weights: { ...good.weights, specs } }));
    await expectError(dir, path, /does not fit/);
  });

  it('overwrites an existing model folder', async () => {
    const dir = join(root, 'over');
    await saveSample(dir);
    const w = { a: tf.ones([2, 2]) };
    await saveModelFile(dir, { config: 1, weights: w });
    w.a.dispose();
    const m = await loadModelFile(dir);
    assert.deepEqual(Object.keys(m.weights), ['a']);
    assert.equal(m.meta, undefined);
    tf.dispose(Object.values(m.weights));
  });
});
