import { strict as assert } from 'node:assert';
import { keepComponents, lesionCandidates, LESION_CANDIDATE_FEATURES, lesionPhenotypeDefaults, referenceIntensity } from '../../lib/patient';
import { symmetricEigen3 } from '../../lib/util/symmetric-eigen3';
import type { Vec3 } from '../../lib/volume/volume';
import { eachVoxel, scene as makeScene, type Scene } from './scene';

const TISSUE = 1000;
const CSF = 300;
const DURA = 1400;

function scene(dims: Vec3, spacing: Vec3): Scene {
  return makeScene([dims, spacing], TISSUE);
}

function paint(s: Scene, inside: (mm: Vec3) => boolean, target: 'mask' | 'image', value = 1): void {
  eachVoxel(s, (v, mm) => {
    if (inside(mm)) s[target][v] = value;
  });
}

const feature = (f: number[], name: (typeof LESION_CANDIDATE_FEATURES)[number]) => f[LESION_CANDIDATE_FEATURES.indexOf(name)];

describe('lesion candidates', () => {
  it('symmetricEigen3 gives the eigenvalues of a symmetric matrix', () => {
    // [[2,1,0],[1,2,0],[0,0,5]] has eigenvalues 1, 3 and 5.
    const values = symmetricEigen3([
      [2, 1, 0],
      [1, 2, 0],
      [0, 0, 5],
    ]).values.sort((a, b) => a - b);
    values.forEach((v, i) => assert.ok(Math.abs(v - [1, 3, 5][i]) < 1e-12, `${values}`));
  });

  it('tells a ball from a tube and a sheet, and gives the log volume', () => {
    const s = scene([60, 40, 40], [1, 1, 1]);
    paint(s, ([x, y, z]) => Math.hypot(x - 10, y - 20, z - 20) <= 5, 'mask');
    paint(s, ([x, y, z]) => x >= 25 && x <= 55 && Math.hypot(y - 10, z - 10) <= 1.5, 'mask');
    paint(s, ([x, y, z]) => x >= 25 && x <= 55 && y >= 20 && y <= 35 && z === 30, 'mask');
    const { components, candidates } = lesionCandidates(s, lesionPhenotypeDefaults);
    assert.equal(components.count, 3);
    const byVolume = [...candidates].sort((a, b) => a.volumeMm3 - b.volumeMm3);
    // The sheet is one voxel thick (1 mm < the 2.5 mm minimum extent): not a candidate.
    assert.equal(candidates.length, 2);
    const [tube, ball] = byVolume;
    assert.ok(Math.abs(feature(ball.features, 'log_volume') - Math.log(ball.volumeMm3)) < 1e-12);
    assert.equal(ball.volumeMm3, components.sizes[ball.label - 1]);
    assert.ok(feature(ball.features, 'linearity') < 0.05 && feature(ball.features, 'flatness') < 0.05, `${ball.features}`);
    // A 31 mm tube of radius 1.5: variance 31²/12 along it against ~0.6 + 1/12 across, ½ ln of the ratio ≈ 1.9.
    assert.ok(feature(tube.features, 'linearity') > 1.5, `${tube.features}`);
    assert.ok(feature(tube.features, 'flatness') < 0.1, `${tube.features}`);

    const thick = scene([60, 40, 40], [1, 1, 1]);
    paint(thick, ([x, y, z]) => x >= 10 && x <= 40 && y >= 5 && y <= 35 && z >= 20 && z <= 22, 'mask');
    const [sheet] = lesionCandidates(thick, lesionPhenotypeDefaults).candidates;
    assert.ok(feature(sheet.features, 'flatness') > 1.5 && feature(sheet.features, 'linearity') < 0.3, `${sheet.features}`);
  });

  it('keeps a one-slice component finite: each voxel adds its own variance, spacing²/12', () => {
    const s = scene([30, 30, 10], [1, 1, 3]);
    paint(s, ([x, y, z]) => z === 12 && Math.hypot(x - 15, y - 15) <= 4, 'mask');
    const [c] = lesionCandidates(s, lesionPhenotypeDefaults).candidates;
    // Across the slice only the voxel's own 3²/12; in plane a disc of radius ~4: r²/4 ≈ 4 (+ 1/12).
    assert.ok(Number.isFinite(feature(c.features, 'flatness')));
    assert.ok(Math.abs(feature(c.features, 'flatness') - 0.5 * Math.log(4.1 / 0.75)) < 0.15, `${c.features}`);
  });

  it('measures the dark and bright shares of the rim (voxels outside the mask within rimMm), as a brute-force count does', () => {
    const s = scene([40, 40, 40], [1, 1, 1]);
    const centre: Vec3 = [20, 20, 20];
    const inBall = (p: Vec3) => Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= 5;
    paint(s, inBall, 'mask');
    paint(s, inBall, 'image', 1500);
    paint(s, ([x]) => x >= 24 && x <= 27, 'image', CSF);
    paint(s, ([, y]) => y >= 13 && y <= 16, 'image', DURA);
    paint(s, inBall, 'image', 1500);
    const rim = 3;
    const [c] = lesionCandidates(s, lesionPhenotypeDefaults, rim).candidates;
    const maskVoxels: Vec3[] = [];
    eachVoxel(s, (v, mm) => {
      if (s.mask[v]) maskVoxels.push(mm);
    });
    let inRim = 0;
    let dark = 0;
    let bright = 0;
    eachVoxel(s, (v, p) => {
      if (s.mask[v] || !maskVoxels.some((q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= rim)) return;
      inRim++;
      if (s.image[v] < 0.5 * TISSUE) dark++;
      else if (s.image[v] > 1.15 * TISSUE) bright++;
    });
    // The reference is the tissue: most voxels above 15% of the maximum are TISSUE.
    assert.equal(referenceIntensity(s.image), TISSUE);
    assert.ok(dark > 0 && bright > 0);
    assert.ok(Math.abs(feature(c.features, 'dark_rim') - dark / inRim) < 1e-12, `${c.features} vs ${dark / inRim}`);
    assert.ok(Math.abs(feature(c.features, 'bright_rim') - bright / inRim) < 1e-12, `${c.features} vs ${bright / inRim}`);
  });

  it('keepComponents keeps the named components only; an empty mask has no candidates; bad input is refused', () => {
    const s = scene([20, 20, 20], [1, 1, 1]);
    assert.deepEqual(lesionCandidates(s, lesionPhenotypeDefaults).candidates, []);
    paint(s, ([x, y, z]) => Math.hypot(x - 5, y - 5, z - 5) <= 2, 'mask');
    paint(s, ([x, y, z]) => Math.hypot(x - 14, y - 14, z - 14) <= 3, 'mask');
    const { components, candidates } = lesionCandidates(s, lesionPhenotypeDefaults);
    const second = candidates[1];
    const kept = keepComponents(components, [second.label]);
    let count = 0;
    for (let v = 0; v < kept.length; v++) {
      assert.equal(kept[v], components.labels[v] === second.label ? 1 : 0);
      count += kept[v];
    }
    assert.equal(count, components.sizes[second.label - 1]);
    assert.throws(() => lesionCandidates({ ...s, mask: s.mask.subarray(1) }, lesionPhenotypeDefaults), RangeError);
    assert.throws(() => lesionCandidates(s, lesionPhenotypeDefaults, 0), /rimMm must be > 0/);
  });
});
