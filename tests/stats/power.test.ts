import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { minDetectableAucDifference, minDetectablePairedDifference } from '../../lib/stats/power';
import { closeRel } from './close';

// /usr/bin/python3 (scipy 1.10.1): from scipy.stats import norm
describe('stats/power', () => {
  it('gives (z_0.975 + z_0.8)·sd/√n for paired differences', () => {
    // (norm.ppf(0.975) + norm.ppf(0.8)) * 0.1 / 40 ** 0.5
    closeRel(minDetectablePairedDifference(0.1, 40), 0.04429695174148298);
    // (norm.ppf(0.975) + norm.ppf(0.8)): the multiplier itself.
    closeRel(minDetectablePairedDifference(1, 1), 2.8015852181129683);
    // (norm.ppf(1 - 0.01 / 2) + norm.ppf(0.9)) * 0.08 / 25 ** 0.5
    closeRel(minDetectablePairedDifference(0.08, 25, { alpha: 0.01, power: 0.9 }), 0.06171809390549602);
  });

  it('gives (z_0.975 + z_0.8)·se for AUC differences', () => {
    // (norm.ppf(0.975) + norm.ppf(0.8)) * 0.043113141945690645, the DeLong se of the 5-point-scale test case.
    closeRel(minDetectableAucDifference(0.043113141945690645), 0.12078514118145309);
    assert.equal(minDetectableAucDifference(0), 0);
  });

  it('rejects impossible settings', () => {
    assert.throws(() => minDetectablePairedDifference(0.1, 0), ConfigError);
    assert.throws(() => minDetectablePairedDifference(-0.1, 10), ConfigError);
    assert.throws(() => minDetectableAucDifference(NaN), ConfigError);
    assert.throws(() => minDetectableAucDifference(0.05, { alpha: 0 }), /alpha/);
    assert.throws(() => minDetectableAucDifference(0.05, { power: 1 }), /power/);
  });
});
