import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { registerNativeBackend } from '../../lib/engine/native';
import { BufferPool } from '../../lib/engine/native/buffer-pool';
import { NativeBackend } from '../../lib/engine/native/native-backend';

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

  const a = () => tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);

  it('a disposed kernel output is the next output of the same size', () => {
    const x = a();
    const first = tf.add(x, 1);
    const memory = valuesOf(first);
    first.dispose();
    const second = tf.mul(x, 2);
    assert.equal(valuesOf(second), memory);
    assert.deepEqual(Array.from(second.dataSync()), [2, 4, 6, 8, 10, 12]);
    tf.dispose([x, second]);
  });

  it('an array that was read out is never recycled', () => {
    const x = a();
    const first = tf.add(x, 1);
    const read = first.dataSync();
    first.dispose();
    const second = tf.mul(x, 2);
    assert.notEqual(valuesOf(second), read);
    assert.deepEqual(Array.from(read), [2, 3, 4, 5, 6, 7]);
    tf.dispose([x, second]);
  });

  it('memory another tensor still refers to (reshape, clone) is not recycled until that one goes too', () => {
    const x = a();
    const first = tf.add(x, 1);
    const memory = valuesOf(first);
    const alias = tf.reshape(first, [3, 2]);
    const copy = tf.clone(first);
    first.dispose();
    alias.dispose();
    const second = tf.mul(x, 2);
    assert.notEqual(valuesOf(second), memory);
    assert.deepEqual(Array.from(copy.dataSync()), [2, 3, 4, 5, 6, 7]);
    tf.dispose([x, second, copy]);
  });

  it('user arrays given to tf.tensor are never taken over', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const x = tf.tensor(data, [2, 3]);
    x.dispose();
    const y = tf.fill([2, 3], 9);
    const z = tf.add(y, 1);
    assert.deepEqual(Array.from(data), [1, 2, 3, 4, 5, 6]);
    tf.dispose([y, z]);
  });

  it('keeps at most its capacity in free arrays, dropping the oldest', () => {
    const pool = new BufferPool(3 * 4 * 100);
    const arrays = [pool.take(100), pool.take(100), pool.take(50), pool.take(100)];
    arrays.forEach((v) => pool.give(v));
    assert.equal(pool.bytes, 4 * 250);
    assert.notEqual(pool.take(100), arrays[0]);
    pool.give(new Float32Array(100));
    assert.equal(pool.bytes, 4 * 150);
  });
});
