import { strict as assert } from 'node:assert';
import { lesionDetection, lesionDetectionFromLabels } from '../../lib/metrics/lesions';

describe('metrics/lesions', () => {
  it('counts detected ground-truth lesions and unmatched predicted components by hand', () => {
    // GT lesions 1, 2, 3. Predicted 1 overlaps lesion 1 by one voxel, 3 overlaps lesion 2 by one voxel, 2 overlaps
    // nothing (a false positive); lesion 3 is missed.
    const gt = [1, 1, 0, 2, 2, 0, 3, 3, 0, 0];
    const pred = [0, 1, 0, 0, 3, 3, 0, 0, 2, 2];
    const d = lesionDetectionFromLabels({ gt, gtCount: 3, pred, predCount: 3 });
    assert.deepEqual(d, { gtLesions: 3, predLesions: 3, detectedLesions: 2, falsePositives: 1, sensitivity: 2 / 3 });
  });

  it('counts one predicted component touching two lesions as detecting both', () => {
    const d = lesionDetectionFromLabels({ gt: [1, 0, 2], gtCount: 2, pred: [1, 1, 1], predCount: 1 });
    assert.equal(d.sensitivity, 1);
    assert.equal(d.falsePositives, 0);
  });

  it('applies the empty-mask conventions', () => {
    assert.equal(lesionDetectionFromLabels({ gt: [0, 0], gtCount: 0, pred: [0, 0], predCount: 0 }).sensitivity, 1);
    const spurious = lesionDetectionFromLabels({ gt: [0, 0], gtCount: 0, pred: [1, 0], predCount: 1 });
    assert.ok(Number.isNaN(spurious.sensitivity));
    assert.equal(spurious.falsePositives, 1);
    const missed = lesionDetectionFromLabels({ gt: [1, 0], gtCount: 1, pred: [0, 0], predCount: 0 });
    assert.deepEqual([missed.sensitivity, missed.falsePositives], [0, 0]);
  });
});

describe('metrics/lesions on masks', () => {
  it('joins diagonal neighbours into one lesion with 26-connectivity, not with 6', () => {
    // 3x3x1 grid: GT voxels (0,0) and (1,1) touch by an edge; the prediction covers (0,0) only.
    const gt = [1, 0, 0, 0, 1, 0, 0, 0, 0];
    const pred = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    const d26 = lesionDetection(pred, gt, [3, 3, 1]);
    assert.deepEqual([d26.gtLesions, d26.sensitivity], [1, 1]);
    const d6 = lesionDetection(pred, gt, [3, 3, 1], 6);
    assert.deepEqual([d6.gtLesions, d6.sensitivity], [2, 0.5]);
  });
});
