import { strict as assert } from 'node:assert';
import { TEST_TIME_USAGE, testTimeOptions } from '../../lib/cli/test-time';
import { UsageError } from '../../lib/errors';

describe('test-time options of eval and predict', () => {
  it('--tta is the left-right flip, --tta-flips chooses, --adapt-bn switches AdaBN on', () => {
    assert.deepEqual(testTimeOptions({}), { tta: [], adaptBn: false });
    assert.deepEqual(testTimeOptions({ tta: true }), { tta: ['x'], adaptBn: false });
    assert.deepEqual(testTimeOptions({ 'tta-flips': 'x, y', 'adapt-bn': true }), { tta: ['x', 'y'], adaptBn: true });
    assert.throws(() => testTimeOptions({ 'tta-flips': 'z' }), (e: Error) => e instanceof UsageError && /--tta-flips: tta: unknown flip 'z'/.test(e.message));
    for (const flag of ['--tta', '--tta-flips', '--adapt-bn']) assert.ok(TEST_TIME_USAGE.includes(flag));
  });
});
