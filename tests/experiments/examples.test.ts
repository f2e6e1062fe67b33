import { strict as assert } from 'node:assert';
import { explainExamples, predictExamples } from '../../lib/experiments/examples';
import { predictionPanels, saliencyPanels } from '../../lib/report/figures';
import { tinyRun } from '../cli/tiny-run';

describe('experiments: example patients for figures', function () {
  this.timeout(120000);

  it("predicts and explains a trained run's patients; the figures only draw them", async () => {
    const { run, data } = await tinyRun();
    const picks = [{ caseId: 'tiny-1', title: 'tiny-1: P(mutant) {egfr}' }];
    const [predicted] = await predictExamples(run, data, picks);
    assert.match(predicted.title, /^tiny-1: P\(mutant\) (0|1)\.\d\d$/);
    assert.ok(predicted.reference && predicted.predicted);
    const [explained] = await explainExamples(run, data, picks);
    assert.equal(explained.gradCam.width, explained.image.width);
    assert.equal(explained.gradCam.height, explained.image.height);
    assert.ok(explained.gradCam.data.every((v) => v >= 0 && v <= 1), 'Grad-CAM is scaled to [0, 1]');
    assert.ok(explained.gradCam.probability >= 0 && explained.gradCam.probability <= 1);
    assert.ok(explained.attention, 'the hybrid classifier has class-token attention');
    assert.equal(predictionPanels([predicted], 'p').data.length > 0, true);
    const figure = saliencyPanels([explained], 'where it looks');
    assert.equal(figure.layout.annotations?.filter((a) => /Grad-CAM|attention|tiny-1/.test(String(a.text))).length, 3);
    await assert.rejects(explainExamples(run, data, [{ caseId: 'nobody', title: '' }]), /case nobody is not in the data folder/);
  });
});
