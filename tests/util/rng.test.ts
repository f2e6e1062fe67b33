import { strict as assert } from 'node:assert';
import { Rng, hashString } from '../../lib/util/rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    assert.deepEqual(sa, Array.from({ length: 8 }, () => b.nextUint32()));
    assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.nextUint32()));
  });

  it('draws uniform values with the right mean and range', () => {
    const r = new Rng(1);
    let sum = 0;
    let lo = 1;
    let hi = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      sum += x;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    assert.ok(lo >= 0 && hi < 1);
    // The standard error of the mean of U(0,1) over 1e5 draws is 0.0009; 0.005 is > 5 standard errors.
    assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const r = new Rng(7);
    const n = 100000;
    const xs = Array.from({ length: n }, () => r.normal(3, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    assert.ok(Math.abs(mean - 3) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(sd - 2) < 0.03, `sd ${sd}`);
  });

  it('covers both ends of int ranges and shuffles to a permutation', () => {
    const r = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(2, 5));
    assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
    const perm = r.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...perm].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('forks independent streams without advancing the parent', () => {
    const parent = new Rng(5);
    const before = new Rng(5);
    const f1 = parent.fork('lesions');
    const f2 = parent.fork('noise');
    assert.equal(parent.nextUint32(), before.nextUint32());
    assert.notEqual(f1.nextUint32(), f2.nextUint32());
    assert.equal(new Rng(5).fork('lesions').nextUint32(), new Rng(5).fork('lesions').nextUint32());
  });

  it('hashes strings with FNV-1a', () => {
    // FNV-1a 32-bit reference values: "" -> 0x811c9dc5, "a" -> 0xe40c292c.
    assert.equal(hashString(''), 0x811c9dc5);
    assert.equal(hashString('a'), 0xe40c292c);
  });
});
