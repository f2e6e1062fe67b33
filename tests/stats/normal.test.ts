import { strict as assert } from 'node:assert';
import { normalCdf, normalQuantile, normalSf } from '../../lib/stats/normal';
import { closeRel } from './close';

describe('stats/normal', () => {
  it('matches mpmath in the centre and both tails', () => {
    // python3 -c "import mpmath; mpmath.mp.dps = 40; print(repr(float(mpmath.ncdf(x))))" for each x (mpmath 1.2.1): the
    // double nearest the 40-digit value.
    const cases: [number, number][] = [
      [-1.96, 0.024997895148220435],
      [0.5, 0.6914624612740131],
      [-0.3, 0.3820885778110474],
      [-3.5, 0.00023262907903552504],
      [1.9999, 0.9772444684152328],
      [-8.5, 9.479534822203318e-18],
      [-20, 2.7536241186062337e-89],
      [-37, 5.725571222524577e-300],
    ];
    for (const [x, want] of cases) closeRel(normalCdf(x), want, 1e-14);
    // The upper tail keeps its relative precision: 1 - mpmath.ncdf(6) and 1 - mpmath.ncdf(-1.96).
    closeRel(normalSf(6), 9.86587645037698e-10, 1e-14);
    closeRel(normalSf(-1.96), 0.9750021048517795, 1e-15);
    closeRel(normalSf(1.9999), 0.022755531584767185, 1e-14);
  });

  it('agrees with scipy.special.ndtr to the last digits', () => {
    // /usr/bin/python3 -c "from scipy.special import ndtr; print(repr(ndtr(x)))" (scipy 1.10.1)
    closeRel(normalCdf(1), 0.8413447460685429, 1e-15);
    closeRel(normalCdf(2), 0.9772498680518208, 1e-15);
    closeRel(normalCdf(-2), 0.022750131948179195, 1e-14);
  });

  it('has exact limits, symmetry and NaN', () => {
    assert.equal(normalCdf(0), 0.5);
    assert.equal(normalCdf(-Infinity), 0);
    assert.equal(normalCdf(Infinity), 1);
    assert.equal(normalCdf(-41), 0);
    assert.ok(Number.isNaN(normalCdf(NaN)));
    for (const x of [0.1, 1.5, 2, 2.5, 7]) closeRel(normalCdf(x) + normalCdf(-x), 1, 1e-15);
  });

  it('inverts the CDF: quantiles against mpmath', () => {
    // python3: repr(float(mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1))) at 40 digits, and for p = 1e-300, 1e-20
    // mpmath.findroot(lambda t: mpmath.log(mpmath.ncdf(t)) - mpmath.log(p), start).
    const cases: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-20, -9.262340089798407],
      [0.001, -3.0902323061678136],
      [0.025, -1.9599639845400543],
      [0.3, -0.5244005127080408],
      [0.975, 1.9599639845400538],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, want] of cases) closeRel(normalQuantile(p), want, 1e-14);
    assert.equal(normalQuantile(0.5), 0);
    for (const p of [1e-12, 0.01, 0.2, 0.49, 0.5 + 1e-10, 0.77, 0.99]) closeRel(normalCdf(normalQuantile(p)), p, 1e-14);
  });

  it('returns infinities at 0 and 1 and NaN outside [0, 1]', () => {
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.ok(Number.isNaN(normalQuantile(-0.1)));
    assert.ok(Number.isNaN(normalQuantile(1.1)));
    assert.ok(Number.isNaN(normalQuantile(NaN)));
  });
});
