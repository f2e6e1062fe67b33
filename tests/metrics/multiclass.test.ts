import { strict as assert } from 'node:assert';
import { multiclassMetrics } from '../../lib/metrics/multiclass';

const close = (a: number | null, b: number, tol = 1e-12) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('metrics/multiclass', () => {
  it('matches scikit-learn on a 3-class set', () => {
    // Reference values from scikit-learn 1.2.1 (Debian python3-sklearn), computed by hand once:
    // roc_auc_score(multi_class='ovr', average='macro'), per-class roc_auc_score of (y == k) vs column k,
    // confusion_matrix, accuracy_score and recall_score(average=None) of the argmax predictions.
    const y = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
    const p = [
      [0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6], [0.1, 0.5, 0.4], [0.2, 0.5, 0.3],
      [0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1], [0.5, 0.25, 0.25], [0.2, 0.3, 0.5],
    ];
    const m = multiclassMetrics(y, p);
    close(m.macroAucOvr, 0.8888888888888888);
    [0.9047619047619048, 0.7619047619047619, 1.0].forEach((v, k) => close(m.perClassAuc[k], v));
    // Row 5 ties classes 0 and 1: argmax takes the lower index, as numpy.
    assert.deepEqual(m.confusion, [[3, 0, 0], [1, 2, 0], [0, 1, 3]]);
    close(m.accuracy, 0.8);
    [1.0, 0.6666666666666666, 0.75].forEach((v, k) => close(m.perClassSensitivity[k], v));
  });

  it('gives a null macro AUC with a reason when a class is absent', () => {
    const m = multiclassMetrics([0, 1, 0], [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1]]);
    assert.equal(m.macroAucOvr, null);
    assert.equal(m.perClassSensitivity[2], null);
    assert.match(m.undefinedBecause.macroAucOvr ?? '', /class 2/);
    assert.equal(m.accuracy, 1);
  });

  it('rejects empty input, labels outside the classes and ragged rows', () => {
    assert.throws(() => multiclassMetrics([], []), /no cases/);
    assert.throws(() => multiclassMetrics([3], [[0.5, 0.5, 0]]), /not a class in 0..2/);
    assert.throws(() => multiclassMetrics([0, 1], [[0.5, 0.5], [1]]), /row 1 has 1 values/);
  });
});
