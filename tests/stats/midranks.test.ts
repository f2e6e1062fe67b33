import { strict as assert } from 'node:assert';
import { midranks } from '../../lib/stats/midranks';

describe('stats/midranks', () => {
  it('ranks with average ranks for ties, as scipy.stats.rankdata', () => {
    // /usr/bin/python3 -c "from scipy.stats import rankdata; print(rankdata([0.3, 0.1, 0.3, 0.2, 0.3, -1, 0.1]).tolist())"
    const { ranks, tieSizes } = midranks([0.3, 0.1, 0.3, 0.2, 0.3, -1, 0.1]);
    assert.deepEqual([...ranks], [6, 2.5, 6, 4, 6, 1, 2.5]);
    assert.deepEqual(tieSizes.sort(), [2, 3]);
    assert.deepEqual(midranks([]), { ranks: new Float64Array(0), tieSizes: [] });
  });
});
