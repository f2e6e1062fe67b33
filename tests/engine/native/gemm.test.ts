import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';

import { ADDON_PATH, loadAddon } from '../../../lib/engine/native';
import { relError, seeded } from './helpers';

/** C = op(A) x op(B), naive, in double. */
function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

// Odd sizes on purpose: partial micro-tiles in both directions, K not a multiple of the cache block.
const sizes: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [129, 65, 33], [3, 200, 300], [300, 17, 2], [50, 1, 70], [2, 48, 600]];

describe('engine/native: GEMM against a naive reference', () => {
  const load = loadAddon();
  before(function () {
    assert.ok(load.ok, load.ok ? '' : load.reason);
  });

  for (const [m, n, k] of sizes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}x${n}x${k} transposeA=${ta} transposeB=${tb}`, () => {
        if (!load.ok) return;
        const a = seeded(m * k, m + k), b = seeded(k * n, n + 2 * k), c = new Float32Array(m * n).fill(NaN);
        load.addon.matMul(a, b, null, c, Int32Array.from([1, 1, m, n, k, ta ? 1 : 0, tb ? 1 : 0]), 0, 0);
        assert.ok(relError(c, naive(a, b, m, n, k, ta, tb)) < 1e-5);
      });
    }
  }

  it('broadcasts a single matrix over a batch and adds bias + relu', () => {
    if (!load.ok) return;
    const [batch, m, n, k] = [3, 9, 18, 7];
    const a = seeded(batch * m * k, 1), b = seeded(k * n, 2), bias = seeded(n, 3), c = new Float32Array(batch * m * n);
    load.addon.matMul(a, b, bias, c, Int32Array.from([batch, 1, m, n, k, 0, 0]), 1, 0);
    for (let i = 0; i < batch; i++) {
      const ref = naive(a.subarray(i * m * k), b, m, n, k, false, false).map((v, j) => Math.max(0, v + bias[j % n]));
      assert.ok(relError(c.subarray(i * m * n, (i + 1) * m * n), ref) < 1e-5);
    }
  });

  it('rejects arrays too short for the sizes instead of writing out of bounds', () => {
    if (!load.ok) return;
    assert.throws(() => load.addon.matMul(new Float32Array(3), new Float32Array(4), null, new Float32Array(4),
      Int32Array.from([1, 1, 2, 2, 2, 0, 0]), 0, 0), RangeError);
  });

  // Each instruction set's kernels, forced lower with EGFR_NATIVE_ISA in a child process (the choice is per process).
  for (const isa of ['avx2', 'generic']) {
    it(`the ${isa} kernels agree with the naive reference`, function () {
      if (!load.ok) return;
      const script = `
        const addon = require(${JSON.stringify(ADDON_PATH)});
        const sizes = ${JSON.stringify(sizes)};
        let worst = 0;
        for (const [m, n, k] of sizes) {
          const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i + 1));
          const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i + 2));
          const c = new Float32Array(m * n);
          addon.matMul(a, b, null, c, Int32Array.from([1, 1, m, n, k, 0, 0]), 0, 0);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
            worst = Math.max(worst, Math.abs(c[i * n + j] - s) / (1 + Math.abs(s)));
          }
        }
        console.log(JSON.stringify({ isa: addon.info().isa, worst }));`;
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, EGFR_NATIVE_ISA: isa }, encoding: 'utf8' }));
      assert.equal(out.isa, isa);
      assert.ok(out.worst < 1e-5, `worst relative error ${out.worst}`);
    });
  }

  // The convolution drivers pick direct AVX-512 kernels or im2col + GEMM by ISA: all paths must agree.
  it('convolutions agree across the avx512, avx2 and generic paths', function () {
    if (!load.ok) return;
    const script = `
      const addon = require(${JSON.stringify(ADDON_PATH)});
      const out = {};
      for (const [n, h, c, k, co, s, pad] of JSON.parse(process.argv[1])) {
        const oh = Math.floor((h + 2 * pad - k) / s) + 1;
        const g = Int32Array.from([n, h, h, c, k, k, co, oh, oh, s, s, 1, 1, pad, pad]);
        const x = new Float32Array(n * h * h * c), w = new Float32Array(k * k * c * co);
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
        for (let i = 0; i < w.length; i++) w[i] = Math.cos(i);
        const y = new Float32Array(n * oh * oh * co), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
        addon.conv2d(x, w, null, y, g, 0, 0);
        addon.conv2dBackpropInput(y, w, dx, g);
        addon.conv2dBackpropFilter(x, y, dw, g);
        // The large case (a padded copy too big to keep between calls) is compared on a sample of every output.
        const sample = (a) => a.length > 100000 ? Array.from({ length: 2000 }, (_, i) => a[Math.floor(i * (a.length - 1) / 1999)]) : Array.from(a);
        out[g.join(',')] = [sample(y), sample(dx), sample(dw)];
      }
      console.log(JSON.stringify(out));`;
    const small = [[2, 9, 16, 3, 16, 1, 1], [1, 8, 12, 3, 40, 2, 1], [2, 6, 9, 2, 20, 2, 0]];
    // A padded input too large to keep between calls (another buffer path), against avx2 only: scalar code is slow.
    const large = [...small, [1, 2050, 4, 3, 1, 1, 1]];
    const run = (isa: string, cases: number[][]): Record<string, number[][]> =>
      JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { env: { ...process.env, EGFR_NATIVE_ISA: isa }, encoding: 'utf8', maxBuffer: 1 << 26 }));
    for (const isa of ['avx2', 'generic']) {
      const cases = isa === 'avx2' ? large : small;
      const reference = run('avx512', cases);
      const other = run(isa, cases);
      for (const key of Object.keys(reference))
        for (let i = 0; i < 3; i++) assert.ok(relError(other[key][i], reference[key][i]) < 1e-5, `${isa} ${key} output ${i}`);
    }
  });
});
