import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../../lib/errors';
import {
  BACKEND_ENV,
  backendCandidates,
  engineReport,
  initEngine,
  setBackendCandidate,
  type BackendName,
} from '../../lib/engine/backend';

describe('engine/backend', () => {
  let savedEnv: string | undefined;
  beforeEach(() => {
    savedEnv = process.env[BACKEND_ENV];
    delete process.env[BACKEND_ENV];
  });
  afterEach(() => {
    if (savedEnv === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = savedEnv;
  });
  after(async () => {
    await initEngine();
  });

  /** Runs `fn` with the native slot replaced by a stub that is unavailable, so the tests do not depend on the build. */
  async function withoutNative(fn: () => Promise<void>): Promise<void> {
    const original = backendCandidates.find((c) => c.name === 'native');
    assert.ok(original);
    setBackendCandidate({ name: 'native', tryInit: async () => ({ ok: false, reason: 'stub: not built' }) });
    try {
      await fn();
    } finally {
      setBackendCandidate(original);
    }
  }

  it('auto-selects wasm when no native backend is available, and says why the faster ones were skipped', async () => {
    await withoutNative(async () => {
      const r = await initEngine();
      assert.equal(r.backend, 'wasm');
      assert.equal(r.tfBackend, 'wasm');
      assert.equal(tf.getBackend(), 'wasm');
      assert.equal(r.forced, false);
      assert.deepEqual(
        r.skipped.map((s) => s.backend),
        ['tensorflow-gpu', 'tensorflow', 'native'],
      );
      assert.match(r.skipped[0].reason, /not installed/);
      // The npm override maps tfjs-node to plain tfjs: it must not be taken for the native binding.
      assert.match(r.skipped[1].reason, /@tensorflow\/tfjs@.*override/);
      assert.equal(r.skipped[2].reason, 'stub: not built');
      for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad']) {
        assert.ok(r.kernels.includes(k), k);
      }
      assert.equal(typeof r.simd, 'boolean');
      assert.equal(engineReport(), r);
      await assert.rejects(
        initEngine({ backend: 'native' }),
        (e: Error) => e instanceof BackendError && /'native' is not available: stub: not built/.test(e.message),
      );
    });
  });

  it('is idempotent for the same request and switches for another', async () => {
    const a = await initEngine({ backend: 'wasm' });
    const b = await initEngine({ backend: 'wasm' });
    assert.equal(a, b);
    assert.equal(a.forced, true);
    const c = await initEngine({ backend: 'cpu' });
    assert.equal(c.backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.deepEqual(c.kernels, ['Conv2DBackpropFilter', 'ResizeNearestNeighborGrad']);
    const d = await initEngine({ backend: 'wasm' });
    assert.equal(d.tfBackend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('takes the backend from the environment variable, and the option wins over it', async () => {
    process.env[BACKEND_ENV] = 'cpu';
    assert.equal((await initEngine()).backend, 'cpu');
    assert.equal((await initEngine({ backend: 'wasm' })).backend, 'wasm');
    process.env[BACKEND_ENV] = 'gpu-please';
    await assert.rejects(initEngine(), (e: Error) => e instanceof BackendError && e.message.includes(BACKEND_ENV));
  });

  it('throws BackendError with the reason for a forced backend that is unavailable', async () => {
    const cases: [BackendName, RegExp][] = [
      ['tensorflow-gpu', /tfjs-node-gpu is not installed/],
      ['tensorflow', /override/],
    ];
    for (const [name, why] of cases) {
      await assert.rejects(
        initEngine({ backend: name }),
        (e: Error) => e instanceof BackendError && why.test(e.message) && e.message.includes(name),
      );
    }
  });

  it('lets a backend candidate be replaced (the native addon plugs in this way)', async () => {
    const original = backendCandidates.find((c) => c.name === 'native');
    assert.ok(original);
    setBackendCandidate({
      name: 'native',
      tryInit: async () => ((await tf.setBackend('cpu')) ? { ok: true, notes: ['stand-in'] } : { ok: false, reason: 'x' }),
    });
    try {
      const r = await initEngine();
      assert.equal(r.backend, 'native');
      assert.deepEqual(r.notes, ['stand-in']);
    } finally {
      setBackendCandidate(original);
    }
    // Restoring the slot drops the stand-in's report, so the next call selects again.
    await initEngine();
    assert.notDeepEqual(engineReport()?.notes, ['stand-in']);
  });
});
