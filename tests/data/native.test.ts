import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../../lib/errors';
import { writeNifti } from '../../lib/io';
import { loadCase, openDataset, readCaseMeta } from '../../lib/data';
import { AFFINE, DIMS, writeImage, writeLabels, writeText } from './cohort-helpers';

function rejectsNaming(p: Promise<unknown>, file: string, re: RegExp) {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected DatasetError, got ${String(e)}`);
    assert.ok(e.message.includes(file), `'${e.message}' does not name ${file}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('project-native layout', () => {
  let root: string;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'egfr-native-'));
    writeText(
      join(root, 'labels.csv'),
      'case_id,egfr,patient_id,centre,age,smoker\r\n' +
        'c1,Wild-Type,p1,A,61,yes\r\n' +
        'c2,mutant,p1,A,61,yes\r\n' +
        'c3,,p2,B,,no\r\n' +
        'c4,1,,"B, north",70.5,no\r\n',
    );
    for (const [id, base] of [
      ['c1', 0],
      ['c2', 100],
      ['c3', 200],
      ['c4', 300],
    ] as const) {
      await writeImage(join(root, id, 't1c.nii.gz'), base);
      await writeImage(join(root, id, 'flair.nii.gz'), base + 1000);
    }
    await writeLabels(join(root, 'c1', 'gtv.nii.gz'), (i) => (i % 7 === 0 ? 1 : 0));
    writeText(join(root, 'c1', 'meta.json'), '{"scanner": "synthetic", "lesions": 2}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists cases from labels.csv with patient ids, centres, clinical columns and the detected scheme', async () => {
    const ds = await openDataset(root, { layout: 'native' });
    assert.equal(ds.scheme, 'binary');
    assert.deepEqual(ds.classNames, ['wildtype', 'mutant']);
    assert.deepEqual(ds.cases.map((c) => [c.id, c.patientId, c.labels.egfr, c.labels.centre]), [
      ['c1', 'p1', 0, 'A'],
      ['c2', 'p1', 1, 'A'],
      ['c3', 'p2', null, 'B'],
      ['c4', 'c4', 1, 'B, north'],
    ]);
    assert.deepEqual(ds.cases[0].labels.clinical, { age: 61, smoker: 'yes' });
    assert.deepEqual(ds.cases[2].labels.clinical, { age: '', smoker: 'no' });
    assert.deepEqual(ds.cases[0].sequences, ['flair', 't1c']);
    assert.deepEqual(ds.cases[0].masks, ['gtv']);
    assert.deepEqual(ds.cases[1].masks, []);
    assert.deepEqual(await readCaseMeta(root, 'c1'), { scanner: 'synthetic', lesions: 2 });
    assert.equal(await readCaseMeta(root, 'c2'), undefined);
  });

  it('loads images lazily: opening reads no image, loading reads the right files', async () => {
    writeFileSync(join(root, 'c3', 'flair.nii.gz'), 'not a nifti');
    const ds = await openDataset(root, { layout: 'native', sequences: ['t1c', 'flair'] });
    const c1 = await loadCase(ds.cases[0]);
    assert.equal(c1.images.t1c.data[5], 5);
    assert.equal(c1.images.flair.data[5], 1005);
    assert.deepEqual(c1.mask!.dims, DIMS);
    assert.equal(c1.mask!.data[7], 1);
    assert.equal(c1.mask!.data[8], 0);
    await assert.rejects(ds.cases[2].loadImage('flair'), /flair\.nii\.gz: not a NIfTI file/);
  });

  it('detects the three-class scheme and refuses mutant in it', async () => {
    writeText(join(root, 'labels.csv'), 'case_id,egfr\nc1,WT\nc2,19DEL\nc3,l858r\nc4,0\n');
    const ds = await openDataset(root, { layout: 'native' });
    assert.equal(ds.scheme, 'three-class');
    assert.deepEqual(ds.cases.map((c) => c.labels.egfr), [0, 1, 2, 0]);
    writeText(join(root, 'labels.csv'), 'case_id,egfr\nc1,WT\nc2,19del\nc3,mutant\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), join(root, 'labels.csv'), /line 4: unknown EGFR label 'mutant'/);
  });

  it('refuses labels.csv without the expected columns, with unknown labels or an unknown case folder', async () => {
    const csv = join(root, 'labels.csv');
    writeText(csv, 'id,egfr\nc1,0\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /missing column\(s\) case_id/);
    writeText(csv, 'case_id,label\nc1,0\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /missing column\(s\) egfr/);
    writeText(csv, 'case_id,egfr\nc1,0\nc2,maybe\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /line 3: unknown EGFR label 'maybe'/);
    writeText(csv, 'case_id,egfr\nc1,0\nc1,1\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /repeats line 2/);
    writeText(csv, 'case_id,egfr\nc9,0\n');
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /case folder .*c9 does not exist/);
    rmSync(csv);
    await rejectsNaming(openDataset(root, { layout: 'native' }), csv, /ENOENT/);
  });

  it('refuses a missing sequence, naming the case folder', async () => {
    rmSync(join(root, 'c2', 'flair.nii.gz'));
    await rejectsNaming(openDataset(root, { layout: 'native', sequences: ['t1c', 'flair'] }), join(root, 'c2'), /missing sequence 'flair'/);
    const ds = await openDataset(root, { layout: 'native' });
    await rejectsNaming(loadCase(ds.cases[1], ['t1c', 'flair']), join(root, 'c2'), /no sequence 'flair'/);
  });

  it('refuses image/mask grids that differ and NaN or infinite voxels, naming the file', async () => {
    const shifted = AFFINE.map((r) => r.slice());
    shifted[0][3] += 0.5;
    await writeImage(join(root, 'c1', 'flair.nii.gz'), 0, shifted);
    const ds = await openDataset(root, { layout: 'native' });
    // Sequences load in name order, so flair is the reference grid and t1c the file named as differing.
    await rejectsNaming(loadCase(ds.cases[0]), join(root, 'c1', 't1c.nii.gz'), /grid .* differs from .*flair\.nii\.gz/);
    await writeImage(join(root, 'c1', 'flair.nii.gz'), 0, AFFINE, [6, 5, 3]);
    await rejectsNaming(loadCase(ds.cases[0]), join(root, 'c1', 't1c.nii.gz'), /differs from .*flair\.nii\.gz: 6x5x3/);
    await writeImage(join(root, 'c1', 'flair.nii.gz'), 0);
    await writeLabels(join(root, 'c1', 'gtv.nii.gz'), () => 0);
    const maskShifted = AFFINE.map((r) => r.slice());
    maskShifted[2][3] = 7;
    await writeNifti(join(root, 'c1', 'gtv.nii.gz'), { data: new Uint8Array(120), dims: DIMS, spacing: [1, 1, 2], affine: maskShifted });
    await rejectsNaming(loadCase(ds.cases[0]), join(root, 'c1', 'gtv.nii.gz'), /differs from/);
    await writeLabels(join(root, 'c1', 'gtv.nii.gz'), () => 0);
    await writeImage(join(root, 'c1', 'flair.nii.gz'), 0);
    const data = Float32Array.from({ length: 120 }, (_, i) => (i === 3 ? NaN : i === 4 ? Infinity : i));
    await writeNifti(join(root, 'c1', 't1c.nii.gz'), { data, dims: DIMS, spacing: [1, 1, 2], affine: AFFINE });
    await rejectsNaming(loadCase(ds.cases[0]), join(root, 'c1', 't1c.nii.gz'), /2 NaN or infinite voxels/);
  });

  it('refuses a GTV mask with values other than 0 and 1', async () => {
    await writeLabels(join(root, 'c1', 'gtv.nii.gz'), (i) => (i === 9 ? 2 : 0));
    const ds = await openDataset(root, { layout: 'native' });
    await rejectsNaming(ds.cases[0].loadMask(), join(root, 'c1', 'gtv.nii.gz'), /mask value 2 at voxel 9/);
  });
});
