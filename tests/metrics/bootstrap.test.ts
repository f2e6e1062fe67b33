import { strict as assert } from 'node:assert';
import { rocAuc } from '../../lib/metrics/classification';
import { bootstrapBinaryCi, bootstrapCi } from '../../lib/metrics/bootstrap';
import { Rng } from '../../lib/util/rng';

describe('metrics/bootstrap', () => {
  const rng = new Rng('bootstrap-test-data');
  const labels = Array.from({ length: 80 }, (_, i) => (i < 30 ? 1 : 0));
  const scores = labels.map((l) => rng.normal(l, 1));

  it('is reproducible for a seed and brackets the point estimate', () => {
    const a = bootstrapBinaryCi(labels, scores, rocAuc, { seed: 7, replicates: 500 });
    const b = bootstrapBinaryCi(labels, scores, rocAuc, { seed: 7, replicates: 500 });
    const c = bootstrapBinaryCi(labels, scores, rocAuc, { seed: 8, replicates: 500 });
    assert.ok(a && b && c);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const auc = rocAuc(labels, scores) as number;
    assert.ok(a.lower < auc && auc < a.upper, `${a.lower} < ${auc} < ${a.upper}`);
    assert.equal(a.replicates, 500);
    assert.equal(a.undefinedReplicates, 0);
  });

  it('keeps each class count in every replicate (stratified)', () => {
    let replicates = 0;
    bootstrapCi(
      labels,
      (idx) => {
        replicates++;
        let pos = 0;
        for (const i of idx) pos += labels[i];
        assert.equal(pos, 30);
        assert.equal(idx.length, 80);
        return 0;
      },
      { replicates: 50 },
    );
    assert.equal(replicates, 50);
  });

  it('takes the percentiles of the replicate statistics', () => {
    // The statistic is the replicate number 0..99, so the 95% interval is numpy's percentile of 0..99 at 2.5 / 97.5.
    let r = 0;
    const ci = bootstrapCi([0, 0, 1], () => r++, { replicates: 100 });
    assert.ok(ci);
    assert.ok(Math.abs(ci.lower - 2.475) < 1e-12 && Math.abs(ci.upper - 96.525) < 1e-12);
  });

  it('leaves out undefined replicates and is null when none is defined', () => {
    let r = 0;
    const ci = bootstrapCi([0, 1], () => (r++ % 2 === 0 ? null : 1), { replicates: 10 });
    assert.deepEqual(ci, { lower: 1, upper: 1, level: 0.95, replicates: 5, undefinedReplicates: 5 });
    assert.equal(bootstrapCi([0, 1], () => NaN, { replicates: 3 }), null);
    assert.throws(() => bootstrapCi([], () => 0), /no cases/);
  });
});
