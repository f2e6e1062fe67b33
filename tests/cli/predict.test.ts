import { strict as assert } from 'node:assert';
import { cpSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { predictFiles } from '../../lib/eval/predict';
import { readNifti } from '../../lib/io/nifti-read';
import { buildModel } from '../../lib/model/multitask';
import { writeNifti } from '../../lib/io/nifti-write';
import { axcodes } from '../../lib/volume/orientation';
import { runCli } from './run-cli';
import { tinyRun } from './tiny-run';

/** The ITK coronal, anisotropic T1 (128x128x62, 2x2x3 mm): a non-trivial affine. */
const CORONAL = join(__dirname, '..', 'fixtures', 'nifti', 'KmeansTest_T1UCharRaw.nii.gz');

describe('cli predict', function () {
  this.timeout(60000);

  it("writes the mask on the input's grid with the input's affine, and the EGFR probability and GTV volume", async () => {
    const { root, run } = await tinyRun();
    const out = join(root, 'coronal-mask.nii.gz');
    const r = await runCli(['predict', '--run', run, '--in', CORONAL, '--out', out, '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.egfr_probability >= 0 && report.egfr_probability <= 1);
    assert.ok(Math.abs(report.egfr_class_probabilities.wildtype + report.egfr_class_probabilities.mutant - 1) < 1e-9);
    const input = await readNifti(CORONAL);
    const mask = await readNifti(out);
    assert.notEqual(axcodes(input.affine), 'RAS');
    assert.deepEqual(mask.dims, input.dims);
    assert.deepEqual(mask.affine, input.affine);
    assert.equal(mask.datatype, 'uint8');
    let voxels = 0;
    for (const v of mask.data) voxels += v;
    const voxelMl = (input.spacing[0] * input.spacing[1] * input.spacing[2]) / 1000;
    assert.ok(Math.abs(report.gtv_ml - voxels * voxelMl) < 1e-6);
  });

  it('gives clear errors: missing run, corrupt model, wrong number of sequences', async () => {
    const { root, run } = await tinyRun();
    const out = join(root, 'x.nii.gz');
    const missing = await runCli(['predict', '--run', join(root, 'no-run'), '--in', CORONAL, '--out', out]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-run: run folder does not exist/);

    const broken = join(root, 'broken-run');
    cpSync(run, broken, { recursive: true });
    truncateSync(join(broken, 'model', 'weights.bin'), 100);
    const corrupt = await runCli(['predict', '--run', broken, '--in', CORONAL, '--out', out]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /weights\.bin: has 100 bytes but model\.json expects/);

    const two = await runCli(['predict', '--run', run, '--in', CORONAL, '--in', CORONAL, '--out', out]);
    assert.equal(two.code, 1);
    assert.match(two.stderr, /trained on 1 sequence\(s\) \(t1c\) but 2 image\(s\) were given/);

    const notNifti = join(root, 'cohort', 'labels.csv');
    const bad = await runCli(['predict', '--run', run, '--in', notNifti, '--out', out]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /labels\.csv/);

    const method = await runCli(['predict', '--run', run, '--in', CORONAL, '--out', out, '--aggregation', 'mean']);
    assert.equal(method.code, 2);
    assert.match(method.stderr, /--aggregation must be one of area-weighted, max, tumour-mean, got 'mean'/);
  });

  it('refuses images on different grids, naming the file', async () => {
    const { root } = await tinyRun();
    const input = await readNifti(CORONAL);
    const shifted = join(root, 'shifted.nii.gz');
    await writeNifti(shifted, { ...input, affine: input.affine.map((row, i) => (i === 0 ? [...row.slice(0, 3), row[3] + 4] : row)) });
    const model = buildModel({ input: { height: 32, width: 32, channels: 2 }, encoder: { baseChannels: 4 } });
    await assert.rejects(
      predictFiles(model, [CORONAL, shifted], ['t1c', 'flair'], { size: 32, inPlaneSpacing: 'fit', context: 0, clip: null }),
      (e: Error) => e.message.startsWith(`${shifted}: grid 128x128x62`),
    );
    model.dispose();
  });
});
