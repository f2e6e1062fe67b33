import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';
import { writeNifti } from '../../lib/io/nifti-write';
import { scalingAffine, voxelIndex, type Vec3 } from '../../lib/volume/volume';


describe('cli metrics', () => {
  let dir: string;
  const dims: Vec3 = [6, 5, 4];
  const spacing: Vec3 = [2, 1, 1];

  /** A uint8 mask with the given voxels set. */
  async function mask(name: string, voxels: Vec3[], grid: { dims: Vec3; spacing: Vec3 } = { dims, spacing }): Promise<string> {
    const data = new Uint8Array(grid.dims[0] * grid.dims[1] * grid.dims[2]);
    for (const [i, j, k] of voxels) data[voxelIndex(grid.dims, i, j, k)] = 1;
    const path = join(dir, name);
    await writeNifti(path, { data, dims: grid.dims, spacing: grid.spacing, affine: scalingAffine(grid.spacing) });
    return path;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-metrics-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('seg', () => {
    it('prints the hand-computed metrics as JSON', async () => {
      // GT: lesions {(0,0,0),(1,0,0)} and {(4,4,3)}; prediction: (1,0,0),(2,0,0) and a false positive (5,0,3).
      const gt = await mask('gt.nii.gz', [[0, 0, 0], [1, 0, 0], [4, 4, 3]]);
      const pred = await mask('pred.nii.gz', [[1, 0, 0], [2, 0, 0], [5, 0, 3]]);
      const r = await runCli(['metrics', 'seg', '--pred', pred, '--gt', gt, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Record<string, number | null>;
      assert.equal(j.dice, (2 * 1) / 6);
      assert.equal(j.iou, 1 / 5);
      assert.equal(j.sensitivity, 1 / 3);
      assert.equal(j.precision, 1 / 3);
      assert.equal(j.lesion_sensitivity, 1 / 2);
      assert.equal(j.lesion_fp, 1);
      assert.equal(j.gt_lesions, 2);
      assert.equal(j.pred_lesions, 2);
      // Every voxel is a surface voxel. d(P->G): (1,0,0) 0, (2,0,0) 2 mm, (5,0,3) to (4,4,3) sqrt(4 + 16).
      // d(G->P): (0,0,0) 2, (1,0,0) 0, (4,4,3) sqrt(20). Each p95 of [0, 2, sqrt(20)]: 2 + 0.9 * (sqrt(20) - 2).
      const far = Math.sqrt(20);
      assert.ok(Math.abs((j.hd95_mm as number) - (2 + 0.9 * (far - 2))) < 1e-9);
      assert.ok(Math.abs((j.assd_mm as number) - (2 * (2 + far)) / 6) < 1e-9);
      assert.equal(j.gt_volume_ml, 0.006);
    });

    it('writes undefined distances as null and prints a table without --json', async () => {
      const gt = await mask('gt-one.nii', [[2, 2, 2]]);
      const empty = await mask('empty.nii', []);
      const r = await runCli(['metrics', 'seg', '--pred', empty, '--gt', gt, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(j.hd95_mm, null);
      assert.equal(j.precision, null);
      assert.equal(j.dice, 0);
      const t = await runCli(['metrics', 'seg', '--pred', empty, '--gt', gt]);
      assert.match(t.stdout, /^dice +0\n/m);
      assert.match(t.stdout, /^hd95_mm +undefined$/m);
      const diag = await runCli(['metrics', 'seg', '--pred', empty, '--gt', gt, '--json', '--empty-distance', 'diagonal']);
      assert.equal((JSON.parse(diag.stdout) as Record<string, number>).hd95_mm, Math.hypot(12, 5, 4));
    });

    it('rejects grids that differ, naming both files', async () => {
      const a = await mask('a.nii.gz', [[0, 0, 0]]);
      const b = await mask('b.nii.gz', [[0, 0, 0]], { dims: [6, 5, 3], spacing });
      const r = await runCli(['metrics', 'seg', '--pred', a, '--gt', b, '--json']);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(a) && r.stderr.includes(b), r.stderr);
      assert.match(r.stderr, /grid/);
      const c = await mask('c.nii.gz', [[0, 0, 0]], { dims, spacing: [2, 1, 1.5] });
      const r2 = await runCli(['metrics', 'seg', '--pred', a, '--gt', c]);
      assert.equal(r2.code, 1);
      assert.ok(r2.stderr.includes(a) && r2.stderr.includes(c), r2.stderr);
    });

    it('reports a missing file and bad usage', async () => {
      const a = await mask('ok.nii.gz', [[0, 0, 0]]);
      const missing = join(dir, 'missing.nii.gz');
      const r = await runCli(['metrics', 'seg', '--pred', a, '--gt', missing]);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(missing));
      assert.equal((await runCli(['metrics', 'seg', '--pred', a])).code, 2);
      assert.equal((await runCli(['metrics', 'seg', '--pred', a, '--gt', a, '--connectivity', '8'])).code, 2);
      assert.equal((await runCli(['metrics', 'dice'])).code, 2);
      assert.equal((await runCli(['metrics'])).code, 2);
    });
  });

  describe('cls', () => {
    function csv(name: string, text: string): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    }

    it('prints the metrics and a bootstrap interval as JSON', async () => {
      // Hand values: pairs (pos, neg) 0.9>0.1 0.9>0.6 0.4>0.1 0.4<0.6 -> AUC 3/4. At 0.5: TP 1, FN 1, TN 1, FP 1.
      const path = csv('scores.csv', 'id,label,score\na,1,0.9\nb,1,0.4\nc,0,0.1\nd,0,0.6\n');
      const r = await runCli(['metrics', 'cls', '--csv', path, '--json', '--bootstrap', '200']);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(j.auc, 0.75);
      assert.equal(j.accuracy, 0.5);
      assert.equal(j.sensitivity, 0.5);
      assert.equal(j.specificity, 0.5);
      assert.equal(j.f1, 0.5);
      assert.ok(Math.abs((j.brier as number) - (0.01 + 0.36 + 0.01 + 0.36) / 4) < 1e-12);
      const ci = j.auc_ci95 as [number, number];
      assert.ok(ci[0] <= 0.75 && 0.75 <= ci[1] && ci[0] >= 0 && ci[1] <= 1);
      const again = await runCli(['metrics', 'cls', '--csv', path, '--json', '--bootstrap', '200']);
      assert.equal(again.stdout, r.stdout, 'the default seed makes the interval reproducible');
    });

    it('gives null with a reason for a single class, and a table without --json', async () => {
      const path = csv('one-class.csv', 'label,score\n1,0.9\n1,0.2\n');
      const j = JSON.parse((await runCli(['metrics', 'cls', '--csv', path, '--json'])).stdout) as Record<string, unknown>;
      assert.equal(j.auc, null);
      assert.equal(j.auc_ci95, null);
      assert.match((j.undefined_because as Record<string, string>).auc, /only one class/);
      const t = await runCli(['metrics', 'cls', '--csv', path]);
      assert.match(t.stdout, /^auc +undefined$/m);
      assert.match(t.stdout, /^ +auc: only one class/m);
    });

    it('rejects bad tables with the file and line', async () => {
      const cases: [string, RegExp][] = [
        ['label,prob\n1,0.5\n', /missing column score/],
        ['label,score\n1,0.5\n0,x\n', /line 3: score 'x'/],
        ['label,score\n1,0.5\n2,0.5\n', /line 3: label '2' is not 0 or 1/],
      ];
      for (const [i, [text, message]] of cases.entries()) {
        const path = csv(`bad-${i}.csv`, text);
        const r = await runCli(['metrics', 'cls', '--csv', path, '--json']);
        assert.equal(r.code, 1);
        assert.ok(r.stderr.includes(path), r.stderr);
        assert.match(r.stderr, message);
      }
      assert.equal((await runCli(['metrics', 'cls', '--csv', csv('ok.csv', 'label,score\n1,1\n'), '--bootstrap', '0'])).code, 2);
    });
  });
});
