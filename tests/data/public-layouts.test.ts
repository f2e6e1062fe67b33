import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DatasetError } from '../../lib/errors';
import { loadCase, openDataset } from '../../lib/data';
import { writeImage, writeLabels, writeText } from './cohort-helpers';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe('public layouts', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'egfr-layouts-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('BraTS-METS: time points share a patient, seg gives gtv {1,3}, edema {2}, whole tumour', async () => {
    const seg = (i: number) => [0, 1, 2, 3][i % 4];
    for (const id of ['BraTS-MET-00001-000', 'BraTS-MET-00001-001', 'BraTS-MET-00002-000']) {
      for (const [k, s] of ['t1n', 't1c', 't2w', 't2f'].entries()) await writeImage(join(root, id, `${id}-${s}.nii.gz`), 10 * k);
    }
    await writeLabels(join(root, 'BraTS-MET-00001-000', 'BraTS-MET-00001-000-seg.nii.gz'), seg);
    writeText(join(root, 'egfr.csv'), 'patient_id,egfr\nBraTS-MET-00001,mutant\nBraTS-MET-99999,wildtype\n');
    const ds = await openDataset(root, { layout: 'brats-mets', labelsCsv: join(root, 'egfr.csv'), sequences: ['t1c', 'flair'] });
    assert.deepEqual(ds.cases.map((c) => [c.id, c.patientId, c.labels.egfr]), [
      ['BraTS-MET-00001-000', 'BraTS-MET-00001', 1],
      ['BraTS-MET-00001-001', 'BraTS-MET-00001', 1],
      ['BraTS-MET-00002-000', 'BraTS-MET-00002', null],
    ]);
    assert.deepEqual(ds.unmatchedLabelRows, [`${join(root, 'egfr.csv')} line 3`]);
    const c = ds.cases[0];
    assert.deepEqual(c.sequences, ['flair', 't1', 't1c', 't2']);
    assert.deepEqual(c.masks, ['edema', 'gtv', 'whole_tumour']);
    assert.deepEqual(ds.cases[2].masks, []);
    const loaded = await loadCase(c, ['t1c']);
    assert.equal(sum(loaded.mask!.data), 60);
    assert.equal(loaded.mask!.data[1], 1);
    assert.equal(loaded.mask!.data[2], 0);
    assert.equal(loaded.mask!.data[3], 1);
    assert.equal(sum((await c.loadMask('edema')).data), 30);
    assert.equal(sum((await c.loadMask('whole_tumour')).data), 90);
    assert.equal((await c.loadImage('flair')).data[0], 30);
    await writeLabels(join(root, 'BraTS-MET-00001-000', 'BraTS-MET-00001-000-seg.nii.gz'), (i) => (i === 5 ? 4 : 0));
    await assert.rejects(c.loadMask(), (e: unknown) => e instanceof DatasetError && /-seg\.nii\.gz: mask value 4 at voxel 5/.test(e.message));
  });

  it('UCSF-BMSR: patient = first 6 characters, seg > 0 is the GTV, canonical sequence names', async () => {
    const train = join(root, 'UCSF_BrainMetastases_TRAIN');
    for (const id of ['100101A', '100101B', '100245A']) {
      for (const s of ['T1pre', 'T1post', 'FLAIR', 'subtraction', 'T2Synth']) await writeImage(join(train, id, `${id}_${s}.nii.gz`), 0);
      await writeLabels(join(train, id, `${id}_seg.nii.gz`), (i) => (i < 10 ? (i % 3) : 0), 'int16');
    }
    await writeLabels(join(train, '100101A', '100101A_BraTS-seg.nii.gz'), (i) => [0, 1, 2, 3][i % 4]);
    writeText(join(root, 'egfr.csv'), 'case_id,egfr\n100101A,0\n100245A,1\n');
    const ds = await openDataset(root, { layout: 'ucsf-bmsr', labelsCsv: join(root, 'egfr.csv') });
    assert.deepEqual(ds.cases.map((c) => [c.id, c.patientId, c.labels.egfr]), [
      ['100101A', '100101', 0],
      ['100101B', '100101', null],
      ['100245A', '100245', 1],
    ]);
    assert.deepEqual(ds.cases[0].sequences, ['flair', 'subtraction', 't1', 't1c', 't2']);
    assert.deepEqual(ds.cases[0].masks, ['brats_gtv', 'gtv']);
    assert.equal(sum((await ds.cases[0].loadMask()).data), 6);
    assert.equal(sum((await ds.cases[0].loadMask('brats_gtv')).data), 60);
  });

  it('NYUMets: cases per study, CT1 is t1c, the RT segmentation is the GTV', async () => {
    const study = (p: string, s: string) => join(root, 'imaging', 'patientId', p, 'studyId', s);
    for (const [p, s] of [
      ['P1', 'S1'],
      ['P1', 'S2'],
      ['P2', 'S9'],
    ]) {
      for (const f of ['T1', 'CT1', 'T2', 'FLAIR', 'RTSTRUCT_MRI']) await writeImage(join(study(p, s), `${f}.nii.gz`), f === 'CT1' ? 500 : 0);
      await writeLabels(join(study(p, s), 'RTSTRUCT_segmentation.nii.gz'), (i) => (i === 3 ? 1 : 0));
    }
    const ds = await openDataset(root, { layout: 'nyumets' });
    assert.deepEqual(ds.cases.map((c) => [c.id, c.patientId]), [
      ['P1_S1', 'P1'],
      ['P1_S2', 'P1'],
      ['P2_S9', 'P2'],
    ]);
    assert.deepEqual(ds.cases[0].sequences, ['flair', 'rtstruct_mri', 't1', 't1c', 't2']);
    const loaded = await loadCase(ds.cases[2], ['t1c']);
    assert.equal(loaded.images.t1c.data[0], 500);
    assert.equal(sum(loaded.mask!.data), 1);
  });

  it('BrainMetShare: PNG stacks with the configured spacing; no spacing is a ConfigError', async () => {
    const fixtures = join(__dirname, '..', 'fixtures', 'png', 'brainmetshare');
    await assert.rejects(openDataset(fixtures, { layout: 'brainmetshare' }), ConfigError);
    const ds = await openDataset(fixtures, { layout: 'brainmetshare', spacing: [0.94, 0.94, 1] });
    assert.equal(ds.cases.length, 1);
    const c = ds.cases[0];
    assert.equal(c.id, 'Mets_001');
    assert.deepEqual(c.sequences, ['flair', 't1', 't1c', 't1c_gre']);
    const loaded = await loadCase(c);
    assert.deepEqual(loaded.images.t1c.dims, [16, 12, 5]);
    assert.deepEqual(loaded.images.t1c.spacing, [0.94, 0.94, 1]);
    assert.equal(sum(loaded.mask!.data), 60);
    assert.ok(loaded.mask!.data instanceof Uint8Array);
  });

  it('refuses an unknown layout and a root with no cases', async () => {
    await assert.rejects(openDataset(root, { layout: 'nifty' as never }), ConfigError);
    await assert.rejects(openDataset(root, { layout: 'brats-mets' }), /no cases found/);
  });
});
