import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { byMode, isFastMode } from '../../lib/util/mode';

describe('notebooks: run mode (EGFR_GTV_FAST)', () => {
  it('is fast for 1/true, full when unset, empty, 0 or false', () => {
    for (const v of ['1', 'true', ' TRUE ']) assert.equal(isFastMode({ EGFR_GTV_FAST: v }), true, v);
    for (const v of [undefined, '', '0', 'false']) assert.equal(isFastMode({ EGFR_GTV_FAST: v }), false, String(v));
  });

  it('rejects anything else, so a typo never silently runs the hour-long experiment', () => {
    assert.throws(
      () => isFastMode({ EGFR_GTV_FAST: 'yes' }),
      (e: Error) => e instanceof ConfigError && /EGFR_GTV_FAST/.test(e.message),
    );
  });

  it('byMode picks the setting of the current mode', () => {
    assert.equal(byMode({ fast: 2, full: 200 }, { EGFR_GTV_FAST: '1' }), 2);
    assert.equal(byMode({ fast: 2, full: 200 }, {}), 200);
  });
});
