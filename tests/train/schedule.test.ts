import { strict as assert } from 'node:assert';
import { learningRateAt } from '../../lib/train/schedule';
import { ConfigError } from '../../lib/errors';

describe('learning-rate schedule', () => {
  const cfg = { peak: 1e-3, totalSteps: 110, warmupSteps: 10, warmupStartFactor: 0.1, floor: 1e-5 };

  it('rises linearly during warm-up', () => {
    assert.equal(learningRateAt(cfg, 0), 1e-4);
    assert.ok(Math.abs(learningRateAt(cfg, 5) - (1e-4 + 0.5 * 9e-4)) < 1e-15);
  });

  it('starts the cosine at the peak, is halfway at mid-decay and ends at the floor', () => {
    assert.equal(learningRateAt(cfg, 10), 1e-3);
    assert.ok(Math.abs(learningRateAt(cfg, 60) - (1e-5 + 0.5 * (1e-3 - 1e-5))) < 1e-15);
    assert.ok(Math.abs(learningRateAt(cfg, 110) - 1e-5) < 1e-15);
    assert.ok(Math.abs(learningRateAt(cfg, 500) - 1e-5) < 1e-15, 'stays at the floor after the end');
  });

  it('decreases monotonically after warm-up', () => {
    for (let s = 11; s <= 110; s++) assert.ok(learningRateAt(cfg, s) <= learningRateAt(cfg, s - 1));
  });

  it('rejects inconsistent configurations', () => {
    assert.throws(() => learningRateAt({ ...cfg, warmupSteps: 200 }, 0), ConfigError);
    assert.throws(() => learningRateAt({ ...cfg, peak: 0 }, 0), ConfigError);
    assert.throws(() => learningRateAt({ ...cfg, floor: 1 }, 0), ConfigError);
  });
});
