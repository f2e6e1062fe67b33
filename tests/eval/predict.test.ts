import { strict as assert } from 'node:assert';
import { prepareCase } from '../../lib/preprocess/prepare-case';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { aggregateEgfr, toInputGrid, type ModelGridPrediction } from '../../lib/eval/predict';
import { segmentationMetrics } from '../../lib/metrics/segmentation';
import { tinyCase } from '../train/tiny-cohort';

describe('patient-level prediction', () => {
  it('puts a model-grid prediction back on the input grid: the ground truth survives the round trip', () => {
    const config = resolvePreprocessConfig({ size: 32 });
    // A rotated, flipped input grid, so the round trip undoes a reorientation as well as the resampling and padding.
    const affine = [
      [0, -1, 0, 20],
      [1.2, 0, 0, -14],
      [0, 0, -2.5, 8],
      [0, 0, 0, 1],
    ];
    const input = tinyCase(0, 7, 1, affine);
    const prepared = prepareCase(input, config);
    const oracle: ModelGridPrediction = {
      probability: { ...prepared.mask!, data: Float32Array.from(prepared.mask!.data) },
      classProbabilities: [],
      tumourAreaMm2: new Float64Array(prepared.grid.dims[2]),
    };
    const back = toInputGrid(oracle, prepared);
    assert.deepEqual(back.mask!.dims, input.mask!.dims);
    assert.deepEqual(back.mask!.affine, affine);
    const m = segmentationMetrics(back.mask!, input.mask!);
    assert.ok(m.dice > 0.85, `round-trip Dice ${m.dice}`);
    const voxelMl = (input.mask!.spacing[0] * input.mask!.spacing[1] * input.mask!.spacing[2]) / 1000;
    assert.ok(Math.abs(back.gtvMl! - m.predVoxels * voxelMl) < 1e-9);
  });

  it('aggregates slice class probabilities by predicted tumour area and reports 1 - P(wild-type)', () => {
    const p: ModelGridPrediction = {
      probability: null,
      classProbabilities: [null, Float32Array.from([0.8, 0.2]), Float32Array.from([0.2, 0.8]), Float32Array.from([0.5, 0.5])],
      tumourAreaMm2: Float64Array.from([0, 10, 30, 0]),
    };
    const egfr = aggregateEgfr(p)!;
    // Area-weighted over the two slices with tumour: (0.2 * 10 + 0.8 * 30) / 40 = 0.65.
    assert.ok(Math.abs(egfr.probability - 0.65) < 1e-6);
    assert.equal(egfr.aggregate.tumourSlices, 2);
    assert.ok(Math.abs(egfr.classProbabilities[0] + egfr.classProbabilities[1] - 1) < 1e-12);
    const max = aggregateEgfr(p, { method: 'max' })!;
    // The tumour slice with the highest P(mutant) speaks for the patient (per-class maxima would give 0.8 / 1.6).
    assert.ok(Math.abs(max.probability - 0.8) < 1e-6);
    assert.deepEqual(max.classProbabilities.map((x) => +x.toFixed(6)), [0.2, 0.8]);
    assert.equal(max.aggregate.tumourSlices, 2);
    const noTumour = aggregateEgfr({ ...p, tumourAreaMm2: new Float64Array(4) }, { method: 'max' })!;
    assert.ok(noTumour.aggregate.fallback && Math.abs(noTumour.probability - 0.5) < 1e-6, 'no tumour slice: the all-slice mean');
    assert.equal(aggregateEgfr({ ...p, classProbabilities: [null, null, null, null] }), null);
  });
});
