import { strict as assert } from 'node:assert';
import { DatasetError } from '../../lib/errors';
import { binaryClassificationMetrics, rocAuc, rocCurve } from '../../lib/metrics/classification';
import { binaryClassificationReport } from '../../lib/metrics/classification-report';
import { youdenThreshold } from '../../lib/metrics/threshold';

const close = (a: number | null, b: number, tol = 1e-12) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} != ${b}`);

// A small set with tied scores across and within classes.
const labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const scores = [0.9, 0.8, 0.8, 0.7, 0.55, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1, 0.65];

describe('metrics/classification', () => {
  it('computes AUC with ties counting one half, by hand', () => {
    assert.equal(rocAuc([0, 1], [0.2, 0.8]), 1);
    assert.equal(rocAuc([0, 1], [0.8, 0.2]), 0);
    assert.equal(rocAuc([0, 1], [0.5, 0.5]), 0.5);
    // Pairs (pos, neg): (0.9, 0.1) win, (0.9, 0.9) tie, (0.4, 0.1) win, (0.4, 0.9) loss -> (2 + 0.5) / 4.
    assert.equal(rocAuc([1, 1, 0, 0], [0.9, 0.4, 0.1, 0.9]), 0.625);
  });

  it('matches scikit-learn on a set with ties', () => {
    // Reference values from scikit-learn 1.2.1 (Debian python3-sklearn), computed by hand once:
    // roc_auc_score, roc_curve(drop_intermediate=False), and the scores >= 0.5 called positive for
    // confusion_matrix, accuracy_score, recall_score, precision_score, f1_score, balanced_accuracy_score;
    // brier_score_loss on the raw scores.
    const m = binaryClassificationMetrics(labels, scores, 0.5);
    close(m.auc, 0.736111111111111);
    assert.deepEqual(m.confusion, { tn: 3, fp: 3, fn: 1, tp: 5 });
    close(m.accuracy, 0.6666666666666666);
    close(m.sensitivity, 0.8333333333333334);
    close(m.ppv, 0.625);
    close(m.f1, 0.7142857142857143);
    close(m.balancedAccuracy, 0.6666666666666667);
    close(m.brier, 0.2070833333333333);
    close(m.specificity, 0.5);
    close(m.npv, 0.75);
    assert.deepEqual(m.undefinedBecause, {});
    // scikit-learn's first threshold is max(score) + 1 (1.9); ours is +Infinity, the rest are identical.
    const want = [
      [0.9, 0.0, 0.16666666666666666],
      [0.8, 0.16666666666666666, 0.3333333333333333],
      [0.7, 0.16666666666666666, 0.5],
      [0.65, 0.16666666666666666, 0.6666666666666666],
      [0.55, 0.3333333333333333, 0.6666666666666666],
      [0.5, 0.5, 0.8333333333333334],
      [0.3, 0.6666666666666666, 0.8333333333333334],
      [0.2, 0.8333333333333334, 1.0],
      [0.1, 1.0, 1.0],
    ];
    const roc = rocCurve(labels, scores);
    assert.ok(roc);
    assert.deepEqual(roc[0], { threshold: Infinity, fpr: 0, tpr: 0 });
    roc.slice(1).forEach((p, i) => {
      close(p.threshold, want[i][0]);
      close(p.fpr, want[i][1]);
      close(p.tpr, want[i][2]);
    });
    // The trapezoidal area under the curve equals the Mann-Whitney AUC.
    let area = 0;
    for (let i = 1; i < roc.length; i++) area += ((roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr)) / 2;
    close(area, m.auc as number);
  });

  it('chooses the Youden threshold, the highest among equal maxima', () => {
    // argmax of tpr - fpr over scikit-learn's roc_curve above: 0.65 with J = 0.5.
    const t = youdenThreshold(labels, scores);
    close(t.threshold, 0.65);
    close(t.youdenJ, 0.5);
    close(t.sensitivity, 2 / 3);
    close(t.specificity, 5 / 6);
    // Perfect separation at 0.6 and at 0.7 alike: the higher one is chosen.
    assert.equal(youdenThreshold([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9]).threshold, 0.7);
    assert.throws(() => youdenThreshold([1, 1], [0.2, 0.3]), DatasetError);
  });

  it('gives null with a reason where a single class makes a metric undefined', () => {
    const m = binaryClassificationMetrics([1, 1, 1], [0.9, 0.4, 0.6]);
    assert.equal(m.auc, null);
    assert.equal(m.roc, null);
    assert.equal(m.specificity, null);
    assert.equal(m.balancedAccuracy, null);
    assert.match(m.undefinedBecause.auc ?? '', /only one class/);
    assert.match(m.undefinedBecause.specificity ?? '', /no negative/);
    close(m.sensitivity, 2 / 3);
    close(m.accuracy, 2 / 3);
    assert.equal(m.npv, 0);
    // JSON output has no NaN: undefined metrics are null.
    const json = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    assert.equal(json.auc, null);
  });

  it('leaves the Brier score undefined for scores that are not probabilities', () => {
    const m = binaryClassificationMetrics([0, 1], [-2, 3], 0);
    assert.equal(m.brier, null);
    assert.match(m.undefinedBecause.brier ?? '', /not probabilities/);
    assert.equal(m.auc, 1);
  });

  it('rejects empty input, bad labels, non-finite scores and unequal lengths', () => {
    assert.throws(() => rocAuc([], []), /no cases/);
    assert.throws(() => rocAuc([0, 2], [0.1, 0.2]), /position 1 is 2/);
    assert.throws(() => binaryClassificationMetrics([0, 1], [0.1, NaN]), /position 1 is NaN/);
    assert.throws(() => rocAuc([0, 1], [0.1]), DatasetError);
  });
});

describe('metrics/classification-report', () => {
  it('adds a reproducible AUC interval, null when the AUC is undefined', () => {
    const a = binaryClassificationReport(labels, scores, 0.5, { replicates: 300, seed: 1 });
    const b = binaryClassificationReport(labels, scores, 0.5, { replicates: 300, seed: 1 });
    assert.ok(a.aucCi && a.auc !== null);
    assert.deepEqual(a.aucCi, b.aucCi);
    assert.ok(a.aucCi.lower <= a.auc && a.auc <= a.aucCi.upper);
    assert.equal(binaryClassificationReport([1, 1], [0.2, 0.3]).aucCi, null);
  });
});
