import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCase } from '../../lib/data/case';
import { openDataset } from '../../lib/data/dataset';
import { ConfigError } from '../../lib/errors';
import type { Anatomy } from '../../lib/synth/anatomy';
import { loadColin27 } from '../../lib/synth/colin27';
import { exportCohort, LABELS_CSV_COLUMNS } from '../../lib/synth/export';

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listTree(join(root, e.name))).map((p) => join(e.name, p)));
    else out.push(e.name);
  }
  return out.sort();
}

describe('synth export (project-native layout)', () => {
  let anatomy: Anatomy;
  let tmp: string;
  const config = { cases: 3, seed: 11, flair: true };

  before(async () => {
    anatomy = await loadColin27();
    tmp = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-synth-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes the same bytes for the same seed, and no partial folder remains', async () => {
    const a = await exportCohort(anatomy, config, join(tmp, 'a'));
    await exportCohort(anatomy, config, join(tmp, 'b'));
    const files = await listTree(join(tmp, 'a'));
    assert.deepEqual(files, await listTree(join(tmp, 'b')));
    assert.equal(files.length, 2 + 3 * 4);
    for (const f of files) {
      assert.ok((await fs.readFile(join(tmp, 'a', f))).equals(await fs.readFile(join(tmp, 'b', f))), `${f} differs`);
    }
    assert.deepEqual((await fs.readdir(tmp)).sort(), ['a', 'b']);
    assert.equal(a.cases, 3);
    assert.deepEqual(Object.values(a.counts).sort(), [1, 2]);
    const recorded = (await fs.readFile(join(tmp, 'a', 'labels.csv'), 'utf8')).trim().split('\n').slice(1).map((r) => r.split(',')[1]);
    for (const [k, n] of Object.entries(a.counts)) assert.equal(recorded.filter((l) => l === k).length, n);
    const c = await exportCohort(anatomy, { ...config, cases: 1, seed: 12 }, join(tmp, 'c'));
    assert.ok(!(await fs.readFile(join(tmp, 'c', 'labels.csv'), 'utf8')).includes('s11'));
    assert.notDeepEqual(c.ceiling.cohort, undefined);
  });

  it('records the contract columns, the ceiling and per-lesion phenotypes', async () => {
    const csv = (await fs.readFile(join(tmp, 'a', 'labels.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv[0], LABELS_CSV_COLUMNS.join(','));
    assert.ok(csv[0].startsWith('case_id,egfr,patient_id,centre'));
    assert.equal(csv.length, 4);
    const cohort = JSON.parse(await fs.readFile(join(tmp, 'a', 'cohort.json'), 'utf8'));
    for (const where of ['cohort', 'expected']) {
      for (const rule of ['latent', 'phenotype']) {
        const m = cohort.ceiling[where][rule];
        assert.ok(m.accuracy >= 0 && m.accuracy <= 1);
      }
    }
    assert.ok(cohort.ceiling.expected.phenotype.auc > 0.7 && cohort.ceiling.expected.phenotype.auc < 0.99);
    const id = csv[1].split(',')[0];
    const meta = JSON.parse(await fs.readFile(join(tmp, 'a', id, 'meta.json'), 'utf8'));
    assert.equal(meta.caseId, id);
    assert.ok(meta.lesions.length >= 1);
    for (const l of meta.lesions) assert.ok(['solid', 'ring'].includes(l.enhancement) && l.diameterMm > 0 && l.centreMm.length === 3);
    assert.ok(Math.abs(meta.egfrPosterior.phenotype.wildtype + meta.egfrPosterior.phenotype.mutant - 1) < 1e-3);
  });

  it("is read back by the project's native loader: labels, sequences and the GTV mask", async () => {
    const ds = await openDataset(join(tmp, 'a'), { layout: 'native', requireMask: true });
    assert.equal(ds.cases.length, 3);
    assert.equal(ds.scheme, 'binary');
    const csv = (await fs.readFile(join(tmp, 'a', 'labels.csv'), 'utf8')).trim().split('\n').slice(1);
    for (const [i, c] of ds.cases.entries()) {
      assert.deepEqual([...c.sequences].sort(), ['flair', 't1c']);
      assert.equal(ds.classNames[c.labels.egfr!], csv[i].split(',')[1]);
      assert.equal(c.labels.centre, 'internal');
      const loaded = await loadCase(c);
      const meta = JSON.parse(await fs.readFile(join(tmp, 'a', c.id, 'meta.json'), 'utf8'));
      const voxels = loaded.mask!.data.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(voxels * 1.5 ** 3 / 1000 - meta.gtvMl) < 1e-3);
      assert.deepEqual(loaded.images.t1c.dims, [128, 128, 112]);
    }
  });

  it('refuses to overwrite an existing folder unless asked', async () => {
    await assert.rejects(exportCohort(anatomy, config, join(tmp, 'a')), ConfigError);
    await exportCohort(anatomy, { ...config, cases: 1 }, join(tmp, 'a'), { overwrite: true });
    assert.equal((await fs.readFile(join(tmp, 'a', 'labels.csv'), 'utf8')).trim().split('\n').length, 2);
    assert.ok(!(await fs.readdir(tmp)).some((f) => f.endsWith('.partial') || f.endsWith('.old')));
  });
});
