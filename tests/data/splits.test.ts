import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { kFoldsByPatient, splitByPatient, type SplitCase } from '../../lib/data';
import { Rng } from '../../lib/util/rng';

/** 120 patients, 1-3 time points each, labels 0/1/2 with unequal shares and some unknown. */
function cohort(): SplitCase[] {
  const rng = new Rng('cohort');
  const cases: SplitCase[] = [];
  for (let p = 0; p < 120; p++) {
    const r = rng.next();
    const egfr = r < 0.5 ? 0 : r < 0.75 ? 1 : r < 0.9 ? 2 : null;
    const n = rng.int(1, 3);
    for (let t = 0; t < n; t++) cases.push({ id: `P${p}-T${t}`, patientId: `P${p}`, labels: { egfr } });
  }
  return cases;
}

const patientOf = (id: string) => id.split('-')[0];

describe('splits', () => {
  const fractions = { train: 0.7, val: 0.1, test: 0.2 };

  it('never puts one patient in two sets, and covers every case once', () => {
    const cases = cohort();
    const s = splitByPatient(cases, { fractions, seed: 1 });
    const all = [...s.train, ...s.val, ...s.test];
    assert.equal(all.length, cases.length);
    assert.equal(new Set(all).size, cases.length);
    const sets = [s.train, s.val, s.test].map((ids) => new Set(ids.map(patientOf)));
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) for (const p of sets[a]) assert.ok(!sets[b].has(p), `${p} in two sets`);
  });

  it('stratifies by label: each class is split in the given fractions (to one patient)', () => {
    const cases = cohort();
    const s = splitByPatient(cases, { fractions, seed: 2 });
    const label = new Map(cases.map((c) => [c.patientId, String(c.labels.egfr)]));
    const count = (ids: string[], l: string) => new Set(ids.map(patientOf).filter((p) => label.get(p) === l)).size;
    for (const l of ['0', '1', '2', 'null']) {
      const n = [...new Set(cases.map((c) => c.patientId))].filter((p) => label.get(p) === l).length;
      assert.equal(count(s.test, l), Math.round(n * 0.2), `class ${l} test`);
      assert.equal(count(s.val, l), Math.round(n * 0.3) - Math.round(n * 0.2), `class ${l} val`);
    }
  });

  it('is reproducible from the seed, independent of case order, and changes with the seed', () => {
    const cases = cohort();
    const a = splitByPatient(cases, { fractions, seed: 'x' });
    const b = splitByPatient(new Rng(5).shuffle(cases.slice()), { fractions, seed: 'x' });
    assert.deepEqual([...a.test].sort(), [...b.test].sort());
    assert.deepEqual([...a.val].sort(), [...b.val].sort());
    const c = splitByPatient(cases, { fractions, seed: 'y' });
    assert.notDeepEqual([...a.test].sort(), [...c.test].sort());
  });

  it('makes k patient-disjoint, balanced folds', () => {
    const cases = cohort();
    const folds = kFoldsByPatient(cases, 5, 3);
    const tested = folds.flatMap((f) => f.test);
    assert.equal(tested.length, cases.length);
    assert.equal(new Set(tested).size, cases.length);
    const sizes = folds.map((f) => new Set(f.test.map(patientOf)).size);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
    for (const f of folds) {
      const testP = new Set(f.test.map(patientOf));
      assert.ok(f.train.every((id) => !testP.has(patientOf(id))));
    }
  });

  it('refuses bad fractions and a patient whose time points disagree', () => {
    assert.throws(() => splitByPatient(cohort(), { fractions: { train: 0.7, val: 0.2, test: 0.2 }, seed: 1 }), ConfigError);
    const bad: SplitCase[] = [
      { id: 'a', patientId: 'p', labels: { egfr: 0 } },
      { id: 'b', patientId: 'p', labels: { egfr: 1 } },
    ];
    assert.throws(() => splitByPatient(bad, { fractions, seed: 1 }), /patient p has EGFR labels 0 and 1/);
  });
});
