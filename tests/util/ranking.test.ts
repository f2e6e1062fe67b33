import { strict as assert } from 'node:assert';
import { argmax, oneVsRestAuc, rankAuc } from '../../lib/util/ranking';

describe('util/ranking', () => {
  it('argmax: the lowest index wins a tie, -1 for an empty row', () => {
    assert.equal(argmax([0.2, 0.5, 0.5, 0.1]), 1);
    assert.equal(argmax([3]), 0);
    assert.equal(argmax([]), -1);
  });

  it('rankAuc: the Mann-Whitney statistic, a tie counting one half', () => {
    // scikit-learn's roc_auc_score example: 0.75.
    assert.equal(rankAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    assert.equal(rankAuc([0, 1], [0.5, 0.5]), 0.5);
    assert.equal(rankAuc([1, 0, 1], [0.2, 0.2, 0.9]), 0.75);
    assert.equal(rankAuc([1, 1], [0.1, 0.9]), null);
  });

  it('oneVsRestAuc: per-class AUCs and their mean, null where a class is absent', () => {
    const labels = [0, 1, 2, 0];
    const scores = [[0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]];
    // Class 0: 3 of 4 pairs ordered; class 1: 2.5 of 3 (one tie); class 2: 3 of 3.
    const r = oneVsRestAuc(labels, scores, 3);
    assert.deepEqual(r.perClass.map((a) => a!.toFixed(6)), ['0.750000', (2.5 / 3).toFixed(6), '1.000000']);
    assert.ok(Math.abs(r.macro! - (0.75 + 2.5 / 3 + 1) / 3) < 1e-12);
    const absent = oneVsRestAuc([0, 1, 0], scores.slice(0, 3), 3);
    assert.equal(absent.perClass[2], null);
    assert.equal(absent.macro, null);
  });
});
