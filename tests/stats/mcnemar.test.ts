import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { mcnemar } from '../../lib/stats/mcnemar';
import { closeRel } from './close';

/**
 * Decisions of n patients with the given counts: b pairs where only the variant is right, c where only the
 * reference is, then `bothRight` concordant right and `bothWrong` concordant wrong pairs.
 */
function decisions(b: number, c: number, bothRight = 0, bothWrong = 0): [boolean[], boolean[]] {
  const rows: [boolean, boolean][] = [
    ...Array.from({ length: b }, (): [boolean, boolean] => [true, false]),
    ...Array.from({ length: c }, (): [boolean, boolean] => [false, true]),
    ...Array.from({ length: bothRight }, (): [boolean, boolean] => [true, true]),
    ...Array.from({ length: bothWrong }, (): [boolean, boolean] => [false, false]),
  ];
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

describe('stats/mcnemar', () => {
  it('counts the discordant pairs and the accuracies', () => {
    const res = mcnemar([true, true, false, true, false, true], [true, false, true, false, false, true]);
    assert.deepEqual(res, { n: 6, b: 2, c: 1, accuracy_variant: 4 / 6, accuracy_reference: 3 / 6, accuracy_diff: 1 / 6, p: 1 });
  });

  it('matches scipy.stats.binomtest(b, b + c, 0.5).pvalue', () => {
    // /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(b, b + c, 0.5).pvalue))" (scipy 1.10.1)
    const cases: [number, number, number][] = [
      [1, 5, 0.21875],
      [0, 4, 0.125],
      [2, 9, 0.0654296875],
      [7, 2, 0.1796875],
      [3, 3, 1],
      [0, 1, 1],
      [1, 0, 1],
      [40, 70, 0.005447429511444476],
      [480, 520, 0.2174482932041409],
      // k = 2100 > 1023: C(k, j) and 2^k overflow a double, the scaled product does not.
      [1000, 1100, 0.030720707864242486],
    ];
    for (const [b, c, want] of cases) {
      const res = mcnemar(...decisions(b, c, 5, 3));
      assert.deepEqual([res.b, res.c], [b, c]);
      closeRel(res.p, want, 1e-9);
    }
  });

  it('gives p = 1 without discordant pairs', () => {
    const res = mcnemar(...decisions(0, 0, 7, 2));
    assert.deepEqual([res.b, res.c, res.p, res.accuracy_diff], [0, 0, 1, 0]);
  });

  it('rejects unpaired or empty input', () => {
    assert.throws(() => mcnemar([true], [true, false]), DatasetError);
    assert.throws(() => mcnemar([], []), /no patients/);
  });
});
