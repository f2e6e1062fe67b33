import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runAblation } from '../../lib/experiments/ablation';
import { resolveGrid } from '../../lib/experiments/grid';
import { RESULT_COLUMNS } from '../../lib/experiments/results';
import { loadStudy } from '../../lib/experiments/study';
import { writeReport } from '../../lib/report/report';
import { reliabilityBins, rocBootstrapBand, tprAt } from '../../lib/report/stats';
import { tinyGrid, writeTinyCohort } from '../experiments/tiny-study';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('report: statistics', () => {
  it('reads TPR off the upper envelope of a ROC curve', () => {
    const pts = [{ fpr: 0, tpr: 0, threshold: Infinity }, { fpr: 0, tpr: 0.5, threshold: 0.9 }, { fpr: 0.5, tpr: 0.5, threshold: 0.5 }, { fpr: 1, tpr: 1, threshold: 0 }];
    assert.equal(tprAt(pts, 0), 0.5);
    assert.equal(tprAt(pts, 0.7), 0.5);
    assert.equal(tprAt(pts, 1), 1);
  });

  it('gives a band that contains a perfect curve as a point and widens with overlap', () => {
    const perfect = rocBootstrapBand([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], { replicates: 50 })!;
    assert.ok(perfect.lower.every((v) => v === 1) && perfect.upper.every((v) => v === 1));
    const noisy = rocBootstrapBand([0, 1, 0, 1, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], { replicates: 200 })!;
    assert.ok(noisy.x.some((_, i) => noisy.upper[i] - noisy.lower[i] > 0.3));
    assert.equal(rocBootstrapBand([1, 1], [0.2, 0.3]), null);
  });

  it('bins probabilities and computes the expected calibration error', () => {
    const { bins, ece } = reliabilityBins([0, 1, 1, 1], [0.1, 0.15, 0.9, 0.95], 2);
    assert.deepEqual(bins.map((b) => b.count), [2, 2]);
    assert.ok(Math.abs(bins[0].meanPredicted - 0.125) < 1e-12 && bins[0].observedRate === 0.5);
    assert.ok(Math.abs(ece - (0.5 * 0.375 + 0.5 * 0.075)) < 1e-12);
  });
});

describe('report: HTML report of a study', function () {
  this.timeout(180000);

  it('writes index.html, real PNG figures and the tidy CSVs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'report-'));
    const data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    const tests = { internal: await writeTinyCohort(join(root, 'test'), 4, 8), external: await writeTinyCohort(join(root, 'ext'), 4, 9) };
    const out = join(root, 'study');
    await runAblation({ grid: resolveGrid(tinyGrid, { fast: false }), out, data, tests, bootstrap: 50 });
    const files = await writeReport(await loadStudy(out), join(root, 'report'), { replicates: 50, facts: [['run time', '1 s']] });
    const html = readFileSync(files.html, 'utf8');
    assert.match(html, /<title>Study tiny<\/title>/);
    assert.match(html, /internal test cohort/);
    assert.match(html, /external test cohort/);
    assert.match(html, /run time/);
    const names = files.figures.map((f) => basename(f));
    assert.match(html, /<h2>The paper&#39;s comparison<\/h2>/);
    assert.match(html, /internal GTV Dice<\/td><td class="num">0.89<\/td>/);
    assert.match(html, /Each variant minus the reference \(mtl · uncertainty\), on the same patients/);
    assert.match(html, /Claim: multi-task learning segments better than the single-task segmentation model\. On the internal set \(4 patients\)/);
    const comparison = JSON.parse(readFileSync(join(root, 'report', 'comparison.json'), 'utf8')) as { reference: string; comparisons: Array<{ variant: string; set: string }> };
    assert.equal(comparison.reference, 'mtl · uncertainty');
    assert.deepEqual(comparison.comparisons.map((c) => `${c.variant}/${c.set}`), ['seg-only/internal', 'seg-only/external']);
    for (const expected of ['forest-dice.png', 'dice-bars.png', 'auc-bars.png', 'dice-boxes.png', 'training.png', 'roc.png', 'calibration.png', 'confusion-external.png', 'overlays-internal.png']) {
      assert.ok(names.includes(expected), expected);
    }
    for (const f of files.figures) {
      const bytes = readFileSync(f);
      assert.ok(bytes.subarray(0, 8).equals(PNG_MAGIC), `${f} is not a PNG`);
      assert.ok(html.includes(`figures/${basename(f)}`), `${f} is not in the report`);
    }
    assert.equal(readFileSync(files.results, 'utf8').split('\n')[0], RESULT_COLUMNS.join(','));
    assert.equal(readFileSync(files.summary, 'utf8').split('\n')[0], 'model,weighting,set,metric,mean,sd,seeds');
  });
});
