import { strict as assert } from 'node:assert';
import { BalancedSliceSampler } from '../../lib/data/sampler';
import { DatasetError } from '../../lib/errors';
import { Rng } from '../../lib/util/rng';

/** Three cases: 2 tumour slices of class 0, 8 tumour slices of class 1 (unbalanced), many background slices. */
const cases = [
  { tumourArea: [0, 5, 9, 0, 0, 0], foreground: [0, 0.5, 0.5, 0.5, 0.5, 0.01], label: 0 },
  { tumourArea: [3, 3, 3, 3, 0, 0], foreground: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], label: 1 },
  { tumourArea: [0, 1, 1, 1, 1, 0], foreground: [0, 0.5, 0.5, 0.5, 0.5, 0.5], label: 1 },
];

describe('balanced slice sampler', () => {
  it('groups tumour slices by class and keeps only background slices with enough foreground', () => {
    const s = new BalancedSliceSampler(cases);
    assert.deepEqual(s.tumourGroups.map((g) => g.length), [2, 8]);
    // Case 0: slices 3, 4 (slice 0 and 5 have too little foreground); case 1: 4, 5; case 2: 5.
    assert.equal(s.background.length, 5);
  });

  it('balances tumour vs background and the EGFR classes in every batch', () => {
    const s = new BalancedSliceSampler(cases, { tumourFraction: 0.5 });
    const rng = new Rng(11);
    let class0 = 0;
    let class1 = 0;
    for (let b = 0; b < 200; b++) {
      const batch = s.sample(rng, 8);
      assert.equal(batch.length, 8);
      const tumour = batch.filter((r) => cases[r.caseIndex].tumourArea[r.slice] > 0);
      assert.equal(tumour.length, 4);
      const c0 = tumour.filter((r) => cases[r.caseIndex].label === 0).length;
      assert.equal(c0, 2, 'classes alternate within a batch');
      class0 += c0;
      class1 += tumour.length - c0;
      for (const r of batch) {
        if (cases[r.caseIndex].tumourArea[r.slice] === 0) assert.ok(cases[r.caseIndex].foreground[r.slice] >= 0.05);
      }
    }
    assert.equal(class0, class1);
  });

  it('is a function of the generator: the same seed gives the same batches', () => {
    const s = new BalancedSliceSampler(cases);
    assert.deepEqual(s.sample(new Rng(5), 6), s.sample(new Rng(5), 6));
    assert.notDeepEqual(s.sample(new Rng(5), 6), s.sample(new Rng(6), 6));
  });

  it('falls back to the pool that exists and refuses an empty cohort', () => {
    const noTumour = new BalancedSliceSampler([{ tumourArea: [0, 0], foreground: [1, 1] }]);
    assert.equal(noTumour.tumourCount(4), 0);
    assert.throws(() => new BalancedSliceSampler([{ tumourArea: [0], foreground: [0] }]), DatasetError);
    assert.throws(() => new BalancedSliceSampler([{ tumourArea: [0], foreground: [1] }], { tumourFraction: 1 }), /no case has a tumour slice/);
  });
});
