import { strict as assert } from 'node:assert';
import { finiteMean } from '../../lib/util/finite-mean';

describe('util/finite-mean', () => {
  it('is the mean of the finite values', () => {
    assert.equal(finiteMean([1, 2, 3, 6]), 3);
    assert.equal(finiteMean([-4]), -4);
    assert.equal(finiteMean([-1, 1]), 0);
  });

  it('leaves out NaN and both infinities', () => {
    assert.equal(finiteMean([1, NaN, 3, Infinity, -Infinity]), 2);
    assert.equal(finiteMean([NaN, 5]), 5);
  });

  it('is NaN when there is no finite value', () => {
    assert.ok(Number.isNaN(finiteMean([])));
    assert.ok(Number.isNaN(finiteMean([NaN, Infinity, -Infinity])));
    assert.ok(Number.isNaN(finiteMean(new Float64Array(0))));
  });

  it('reads typed arrays', () => {
    assert.equal(finiteMean(new Float32Array([0.5, NaN, 1.5, Infinity])), 1);
    assert.equal(finiteMean(new Uint8Array([1, 2, 255])), 86);
    assert.equal(finiteMean(new Int16Array([-3, 3, 9])), 3);
  });
});
