/**
 * Issue 21, item 1: an image with NaN or infinite voxels is refused by every command that reads images (the file and
 * the count in the message, exit 1) unless --non-finite zero replaces them, which the JSON reports; a native-layout
 * mask with values other than 0 and 1 is refused.
 */
import { strict as assert } from 'node:assert';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../../lib/io/nifti-read';
import { writeNifti } from '../../lib/io/nifti-write';
import { runCli } from './run-cli';
import { TINY_TRAIN_ARGS, tinyRun } from './tiny-run';

describe('cli: non-finite voxels and bad mask values', function () {
  this.timeout(120000);

  /** A copy of a tiny case's t1c with a block of `n` NaN voxels (and one +Inf) in its middle. */
  async function withNanBlock(src: string, dst: string, n: number): Promise<string> {
    const image = await readNifti(src);
    const mid = Math.floor(image.data.length / 2);
    for (let i = 0; i < n; i++) image.data[mid + i] = NaN;
    image.data[mid + n] = Infinity;
    await writeNifti(dst, { data: image.data, dims: image.dims, spacing: image.spacing, affine: image.affine });
    return dst;
  }

  it('predict refuses a T1c with a NaN block, naming the file and the count; --non-finite zero predicts and reports', async () => {
    const { root, run, data } = await tinyRun();
    const bad = await withNanBlock(join(data, 'tiny-1', 't1c.nii.gz'), join(root, 'nan-t1c.nii.gz'), 40);
    const out = join(root, 'nan-mask.nii.gz');
    const refused = await runCli(['predict', '--run', run, '--in', bad, '--out', out, '--backend', 'wasm']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}: 41 NaN or infinite voxels \\(40 NaN, 1 infinite;`));
    const zero = await runCli(['predict', '--run', run, '--in', bad, '--out', out, '--backend', 'wasm', '--non-finite', 'zero']);
    assert.equal(zero.code, 0, zero.stderr);
    const report = JSON.parse(zero.stdout);
    assert.equal(report.non_finite_replaced, 41);
    assert.deepEqual(report.non_finite_files, { [bad]: 41 });
    assert.ok(report.egfr_probability >= 0 && report.egfr_probability <= 1);
    const usage = await runCli(['predict', '--run', run, '--in', bad, '--out', out, '--non-finite', 'mean']);
    assert.equal(usage.code, 2);
  });

  it('info describes a file with non-finite voxels instead of refusing it, and counts them', async () => {
    const { root, data } = await tinyRun();
    const bad = await withNanBlock(join(data, 'tiny-1', 't1c.nii.gz'), join(root, 'info-nan.nii.gz'), 7);
    const r = await runCli(['info', bad, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).non_finite, { nan: 7, infinite: 1 });
  });

  it('eval refuses a cohort with a NaN image or a mask valued 2, and replaces with --non-finite zero', async () => {
    const { root, run, data } = await tinyRun();
    const cohort = join(root, 'cohort-nan');
    cpSync(data, cohort, { recursive: true });
    const bad = await withNanBlock(join(data, 'tiny-2', 't1c.nii.gz'), join(cohort, 'tiny-2', 't1c.nii.gz'), 5);
    const args = ['eval', '--run', run, '--data', cohort, '--json', '--bootstrap', '10', '--out', join(root, 'eval-nan'), '--backend', 'wasm'];
    const refused = await runCli(args);
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(`${bad}: 6 NaN or infinite voxels`), refused.stderr);
    const zero = await runCli([...args, '--non-finite', 'zero']);
    assert.equal(zero.code, 0, zero.stderr);
    assert.deepEqual(JSON.parse(zero.stdout).non_finite_files, { [bad]: 6 });
    const train = ['train', '--data', cohort, '--out', join(root, 'run-nan'), ...TINY_TRAIN_ARGS, '--no-patient-model'];
    const trainRefused = await runCli(train);
    assert.equal(trainRefused.code, 1);
    assert.ok(trainRefused.stderr.includes(`${bad}: 6 NaN or infinite voxels`), trainRefused.stderr);
    const trained = await runCli(['train', '--data', cohort, '--out', join(root, 'run-zero'), ...TINY_TRAIN_ARGS, '--no-patient-model', '--non-finite', 'zero']);
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).non_finite_replaced, 6);

    const mask = await readNifti(join(data, 'tiny-3', 'gtv.nii.gz'));
    mask.data[0] = 2;
    mask.data[1] = 2;
    const maskFile = join(cohort, 'tiny-3', 'gtv.nii.gz');
    await writeNifti(maskFile, { data: Uint8Array.from(mask.data), dims: mask.dims, spacing: mask.spacing, affine: mask.affine });
    const twos = await runCli([...args, '--non-finite', 'zero']);
    assert.equal(twos.code, 1);
    assert.ok(twos.stderr.includes(`${maskFile}: mask value 2 at voxel 0 is not one of 0, 1: 2 voxels hold other values (2 (2 voxels))`), twos.stderr);
  });

  it('metrics seg refuses a NaN mask, and --non-finite zero reads it as background', async () => {
    const { root, data } = await tinyRun();
    const gt = join(data, 'tiny-0', 'gtv.nii.gz');
    const m = await readNifti(gt);
    const pred = join(root, 'pred-nan.nii.gz');
    const values = Float32Array.from(m.data);
    values[0] = NaN;
    await writeNifti(pred, { data: values, dims: m.dims, spacing: m.spacing, affine: m.affine });
    const refused = await runCli(['metrics', 'seg', '--pred', pred, '--gt', gt, '--json']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pred-nan\.nii\.gz: 1 NaN or infinite voxels/);
    const zero = await runCli(['metrics', 'seg', '--pred', pred, '--gt', gt, '--json', '--non-finite', 'zero']);
    assert.equal(zero.code, 0, zero.stderr);
    const j = JSON.parse(zero.stdout);
    assert.equal(j.dice, 1);
    assert.equal(j.non_finite_replaced, 1);
  });
});
