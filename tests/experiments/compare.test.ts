import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { compareStudy, resolveReference, verdict, verdictSentence, type Comparison } from '../../lib/experiments/compare';
import { loadStudy } from '../../lib/experiments/study';
import { delong } from '../../lib/stats/delong';
import { runCli } from '../cli/run-cli';
import { fixedP, ids, labels, refP, writeStudy } from './built-study';

describe('experiments: compare', function () {
  this.timeout(120000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-compare-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('compares every variant with the reference on seed-mean patient values, against scipy/sklearn references', async () => {
    const dir = join(root, 'study');
    writeStudy(dir);
    const result = compareStudy(await loadStudy(dir), { replicates: 2000 });
    assert.equal(result.reference, 'mtl · uncertainty');
    assert.deepEqual(result.comparisons.map((c) => c.variant), ['mtl · fixed', 'seg-only', 'cls-only']);
    const fixed = result.comparisons[0];
    assert.equal(fixed.n, 12);
    assert.equal(fixed.seeds, 2);
    assert.ok(Math.abs(fixed.dice_diff! - -0.02) < 1e-12);
    assert.ok(fixed.dice_diff_ci95![0] < -0.02 && fixed.dice_diff_ci95![1] > -0.02 && fixed.dice_diff_ci95![1] < 0);
    assert.equal(fixed.dice_wilcoxon_method, 'normal');
    assert.ok(Math.abs(fixed.dice_wilcoxon_p! - 0.0022457189664058983) < 1e-12);
    assert.ok(Math.abs(fixed.auc_reference! - 1) < 1e-12 && Math.abs(fixed.auc_variant! - 0.6944444444444446) < 1e-12);
    const meanP = (f: (i: number) => number, off: number) => ids.map((_, i) => (f(i) + off + (f(i) - off)) / 2);
    const direct = delong(labels, meanP(fixedP, 0.04), meanP(refP, 0.05));
    assert.equal(fixed.auc_delong_p, direct.p);
    assert.deepEqual(fixed.auc_diff_ci95, direct.ci95);
    assert.ok(Math.abs(fixed.accuracy_variant! - 0.8333333333333334) < 1e-12 && fixed.accuracy_reference === 1);
    assert.equal(fixed.mcnemar_p, 0.5);
    // The seed spread: seed means of Dice differ by 2 x 0.02.
    assert.ok(Math.abs(fixed.dice_seed_sd! - Math.SQRT2 * 0.02) < 1e-12);
  });

  it('gives keys a variant can not have as null with the reason, and Holm-adjusts each p family over the table', async () => {
    const dir = join(root, 'study-nulls');
    writeStudy(dir);
    const result = compareStudy(await loadStudy(dir), { replicates: 500 });
    const [fixed, seg, cls] = result.comparisons;
    assert.equal(seg.auc_diff, null);
    assert.match(seg.reasons.auc_diff, /seg-only has no EGFR classifier/);
    assert.equal(seg.mcnemar_p_holm, null);
    assert.equal(cls.dice_diff, null);
    assert.match(cls.reasons.dice_diff, /cls-only has no segmentation/);
    // Dice: two comparisons (fixed, seg-only); Holm multiplies the smaller p by 2.
    const pValues = [fixed.dice_wilcoxon_p!, seg.dice_wilcoxon_p!].sort((a, b) => a - b);
    const smallest = [fixed, seg].find((c) => c.dice_wilcoxon_p === pValues[0])!;
    assert.ok(Math.abs(smallest.dice_wilcoxon_p_holm! - Math.min(1, 2 * pValues[0])) < 1e-15);
    assert.equal(seg.dice_diff, 0);
    assert.equal(seg.dice_wilcoxon_p, 1);
  });

  it('resolves the reference from a variant name, its ASCII form or a bare model with one weighting', () => {
    const names = ['mtl · uncertainty', 'mtl · fixed', 'seg-only', 'cls-only'];
    assert.equal(resolveReference(names, 'mtl/fixed', names[0]), 'mtl · fixed');
    assert.equal(resolveReference(names, 'seg-only', names[0]), 'seg-only');
    assert.throws(() => resolveReference(names, 'mtl', names[0]), /ambiguous: the study has mtl · uncertainty, mtl · fixed/);
    assert.throws(() => resolveReference(names, 'unet', names[0]), /not a variant of the study/);
  });

  it('words a verdict from the numbers: better, worse, no detectable difference', () => {
    assert.equal(verdict(0.05, 0.01), 'better');
    assert.equal(verdict(-0.05, 0.01), 'worse');
    assert.equal(verdict(0.05, 0.2), 'no detectable difference');
    assert.equal(verdict(null, null), 'not compared');
    const c = { variant: 'mtl · fixed', set: 'internal', n: 100, dice_diff: -0.031, dice_diff_ci95: [-0.05, -0.012], dice_wilcoxon_p_holm: 0.004, auc_diff: 0.02, auc_diff_ci95: [-0.05, 0.09], auc_delong_p_holm: 0.6, accuracy_diff: 0, mcnemar_p_holm: 1, dice_mde: 0.02, auc_mde: 0.11 } as unknown as Comparison;
    assert.equal(
      verdictSentence(c, 'mtl · uncertainty'),
      'On the internal set (100 patients), mtl · fixed against mtl · uncertainty: worse Dice (-0.031, 95% CI -0.050 to -0.012, Holm p 0.004); no detectable difference in EGFR AUC (+0.020, 95% CI -0.050 to 0.090, Holm p 0.600); no detectable difference in accuracy (+0.000, Holm p 1.000). Smallest detectable differences: Dice 0.020, AUC 0.110.',
    );
  });

  it('refuses missing cells, other patients between variants and a study of one variant, naming the cell', async () => {
    const missing = join(root, 'missing');
    writeStudy(missing, { skip: 'mtl__fixed__s2' });
    const partial = await loadStudy(missing);
    assert.throws(() => compareStudy(partial), (e: Error) => e instanceof ConfigError && /unfinished cells \(mtl__fixed__s2\)/.test(e.message));
    const other = join(root, 'other');
    writeStudy(other, { otherPatients: 'seg-only__none__s1' });
    await assert.rejects(async () => compareStudy(await loadStudy(other)), /cell seg-only__none__s2 was evaluated on other internal patients than cell seg-only__none__s1/);
    const study = await loadStudy(join(root, 'study'));
    const one = { ...study, cells: study.cells.filter((c) => c.record.model === 'seg-only') };
    assert.throws(() => compareStudy(one), /the study has 1 variant: a comparison needs two or more/);
  });

  it('egfr-gtv compare --study DIR --json prints the comparisons; a bad reference exits 1 naming it', async () => {
    const dir = join(root, 'cli');
    writeStudy(dir);
    const ok = await runCli(['compare', '--study', dir, '--reference', 'mtl/uncertainty', '--bootstrap', '200', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as { reference: string; comparisons: Comparison[] };
    assert.equal(out.reference, 'mtl · uncertainty');
    assert.deepEqual(Object.keys(out.comparisons[0]).filter((k) => k.endsWith('_p_holm')), ['dice_wilcoxon_p_holm', 'auc_delong_p_holm', 'mcnemar_p_holm']);
    const bad = await runCli(['compare', '--study', dir, '--reference', 'mtl']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /reference 'mtl' is ambiguous/);
    const none = await runCli(['compare', '--study', join(root, 'nowhere')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nowhere/);
  });
});
