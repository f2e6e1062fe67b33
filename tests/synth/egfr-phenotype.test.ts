import { strict as assert } from 'node:assert';
import { ceilingOf, expectedCeiling } from '../../lib/synth/ceiling';
import {
  assignLabels,
  classPrior,
  drawPhenotype,
  posteriorGivenLatent,
  posteriorGivenPhenotype,
  type EgfrConfig,
  type PatientPhenotype,
} from '../../lib/synth/egfr-phenotype';
import { Rng } from '../../lib/util/rng';

const binary: EgfrConfig = { scheme: 'binary', difficulty: 'medium', maxLesions: 8 };

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('synth EGFR phenotype rule', () => {
  it('assigns exact class counts from the prior (label balance), shuffled', () => {
    const rng = new Rng(5);
    const labels = assignLabels(rng, 11, binary);
    assert.equal(Math.abs(labels.filter((l) => l === 'mutant').length - labels.filter((l) => l === 'wildtype').length), 1);
    const three = assignLabels(rng, 100, { ...binary, scheme: 'three-class', prior: { wildtype: 2, '19del': 1, l858r: 1 } });
    assert.deepEqual(['wildtype', '19del', 'l858r'].map((k) => three.filter((l) => l === k).length), [50, 25, 25]);
    assert.notDeepEqual(three.slice(0, 50), Array(50).fill('wildtype'));
    assert.throws(() => classPrior({ ...binary, prior: { l858r: 1 } }), /not a class/);
  });

  it('shifts the phenotype in the documented directions (mutant: more, smaller, solid, less oedema)', () => {
    const rng = new Rng(9);
    const draw = (label: 'wildtype' | 'mutant') => Array.from({ length: 1500 }, () => drawPhenotype(rng, label, binary));
    const wt = draw('wildtype');
    const mt = draw('mutant');
    const lesions = (ps: PatientPhenotype[]) => ps.flatMap((p) => p.lesions);
    const count = (ps: PatientPhenotype[]) => mean(ps.map((p) => p.lesions.length));
    const diameter = (ps: PatientPhenotype[]) => mean(lesions(ps).map((l) => l.diameterMm));
    const ring = (ps: PatientPhenotype[]) => mean(lesions(ps).map((l) => (l.enhancement === 'ring' ? 1 : 0)));
    const oedema = (ps: PatientPhenotype[]) => mean(lesions(ps).map((l) => l.oedemaRatio));
    assert.ok(count(mt) > count(wt) + 0.5, `count ${count(mt)} vs ${count(wt)}`);
    assert.ok(diameter(mt) < 0.75 * diameter(wt), `diameter ${diameter(mt)} vs ${diameter(wt)}`);
    assert.ok(ring(mt) < ring(wt) - 0.2, `ring ${ring(mt)} vs ${ring(wt)}`);
    assert.ok(oedema(mt) < 0.75 * oedema(wt), `oedema ${oedema(mt)} vs ${oedema(wt)}`);
    for (const l of lesions([...wt, ...mt])) {
      assert.ok(l.diameterMm >= 3 && l.diameterMm <= 32);
      if (l.diameterMm < 8) assert.equal(l.enhancement, 'solid');
    }
    // Label noise at the medium setting (5 %): a binomial 95 % band around 150 of 3000.
    const flipped = [...wt, ...mt].filter((p) => p.labelFlipped).length;
    assert.ok(flipped > 110 && flipped < 190, `flipped ${flipped}`);
    assert.ok([...wt, ...mt].every((p) => (p.label !== p.generatingLabel) === p.labelFlipped));
  });

  it('posteriors are distributions that favour the generating direction', () => {
    const p = posteriorGivenLatent(1.5, binary);
    assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12 && p[1] > 0.9);
    const many = posteriorGivenPhenotype(Array(6).fill({ diameterMm: 6, enhancement: 'solid', coreFraction: 0, oedemaRatio: 0.3 }), binary);
    const one = posteriorGivenPhenotype([{ diameterMm: 28, enhancement: 'ring', coreFraction: 0.6, oedemaRatio: 1.5 }], binary);
    assert.ok(many[1] > 0.8, `many small solid: P(mutant) ${many[1]}`);
    assert.ok(one[0] > 0.8, `one large ring: P(wildtype) ${one[0]}`);
    const three = posteriorGivenLatent(0, { ...binary, scheme: 'three-class' });
    assert.equal(three.length, 3);
    assert.ok(Math.abs(three.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it('computes the ceiling, which falls with difficulty and is lower from the phenotype than from the latent', () => {
    const easy = expectedCeiling({ ...binary, difficulty: 'easy' }, 1500);
    const hard = expectedCeiling({ ...binary, difficulty: 'hard' }, 1500);
    for (const c of [easy, hard]) {
      for (const m of [c.latent, c.phenotype]) {
        assert.ok(m.accuracy > 0.6 && m.accuracy < 1, `accuracy ${m.accuracy}`);
        assert.ok(m.auc !== null && m.auc > 0.65 && m.auc < 1, `auc ${m.auc}`);
        assert.equal(m.auc, m.mutantAuc);
      }
      assert.ok(c.phenotype.auc! <= c.latent.auc! + 0.01);
    }
    assert.ok(easy.latent.accuracy > hard.latent.accuracy + 0.1);
    // A cohort whose labels were all flipped scores below chance against the rule.
    const rng = new Rng(2);
    const flippedCohort = assignLabels(rng, 200, binary).map((l) => {
      const p = drawPhenotype(rng, l, binary);
      return { ...p, label: p.generatingLabel === 'mutant' ? 'wildtype' : 'mutant' } as PatientPhenotype;
    });
    assert.ok(ceilingOf(flippedCohort, binary).latent.accuracy < 0.4);
  });
});
