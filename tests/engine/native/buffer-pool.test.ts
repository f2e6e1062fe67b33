import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { registerNativeBackend } from '../../../lib/engine/native';
import { BufferPool } from '../../../lib/engine/native/buffer-pool';
import { NativeBackend } from '../../../lib/engine/native/native-backend';

/** The backend's own array behind a tensor (what a kernel writes into). */
const valuesOf = (t: tf.Tensor): unknown => (tf.backend() as MathBackendCPU).data.get(t.dataId).values;

describe('native backend: recycled output arrays', () => {
  let previous: string | undefined;
  before(async function () {
    const r = await registerNativeBackend();
    if (!r.ok) {
      process.stderr.write(`      skipped: ${r.reason}\n`);
      this.skip();
    }
    previous = tf.getBackend();
    await tf.setBackend('native');
    assert.ok(tf.backend() instanceof NativeBackend);
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  // Large enough to be recycled (the pool leaves arrays below 64 KiB to the allocator).
  const shape = [128, 128];
  const n = 128 * 128;
  const a = () => tf.tensor(Float32Array.from({ length: n }, (_, i) => i % 7), shape);
  const head = (values: ArrayLike<number>) => Array.from(values).slice(0, 6);

  it('a disposed kernel output is the next output of the same size', () => {
    const x = a();
    const first = tf.add(x, 1);
    const memory = valuesOf(first);
    first.dispose();
    const second = tf.mul(x, 2);
    assert.equal(valuesOf(second), memory);
    assert.deepEqual(head(second.dataSync()), [0, 2, 4, 6, 8, 10]);
    tf.dispose([x, second]);
  });

  it('an array that was read out is never recycled', () => {
    const x = a();
    const first = tf.add(x, 1);
    const read = first.dataSync();
    first.dispose();
    const second = tf.mul(x, 2);
    assert.notEqual(valuesOf(second), read);
    assert.deepEqual(head(read), [1, 2, 3, 4, 5, 6]);
    tf.dispose([x, second]);
  });

  it('memory another tensor still refers to (reshape, clone) is not recycled until that one goes too', () => {
    const x = a();
    const first = tf.add(x, 1);
    const memory = valuesOf(first);
    const alias = tf.reshape(first, [n]);
    const copy = tf.clone(first);
    first.dispose();
    alias.dispose();
    const second = tf.mul(x, 2);
    assert.notEqual(valuesOf(second), memory);
    assert.deepEqual(head(copy.dataSync()), [1, 2, 3, 4, 5, 6]);
    tf.dispose([x, second, copy]);
  });

  it('user arrays given to tf.tensor are never taken over', () => {
    const data = Float32Array.from({ length: n }, (_, i) => i % 7);
    const x = tf.tensor(data, shape);
    x.dispose();
    const y = tf.fill(shape, 9);
    const z = tf.add(y, 1);
    assert.deepEqual(head(data), [0, 1, 2, 3, 4, 5]);
    tf.dispose([y, z]);
  });

  it('leaves small arrays to the allocator', () => {
    const x = tf.fill([4, 4], 1);
    const first = tf.add(x, 1);
    const memory = valuesOf(first);
    first.dispose();
    const second = tf.add(x, 2);
    assert.notEqual(valuesOf(second), memory);
    tf.dispose([x, second]);
  });

  it('keeps at most its capacity in free arrays, dropping the oldest', () => {
    const pool = new BufferPool(3 * 4 * 100, 0);
    const arrays = [pool.take(100), pool.take(100), pool.take(50), pool.take(100)];
    arrays.forEach((v) => pool.give(v));
    assert.equal(pool.bytes, 4 * 250);
    assert.notEqual(pool.take(100), arrays[0]);
    pool.give(new Float32Array(100));
    assert.equal(pool.bytes, 4 * 150);
  });
});
