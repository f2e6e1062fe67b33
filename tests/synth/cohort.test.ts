import { strict as assert } from 'node:assert';
import type { Anatomy } from '../../lib/synth/anatomy';
import { loadColin27 } from '../../lib/synth/colin27';
import { cohortLabels, generateCase, resolveCohortConfig, type SynthCase } from '../../lib/synth/cohort';
import { LESION_LABEL } from '../../lib/synth/lesions';

function meanWhere(data: ArrayLike<number>, pick: (v: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let v = 0; v < data.length; v++) {
    if (pick(v)) {
      s += data[v];
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** Mean absolute difference between neighbours along one axis, inside the brain. */
function roughness(c: SynthCase, axis: 0 | 2): number {
  const [nx, ny] = c.t1c.dims;
  const stride = axis === 0 ? 1 : nx * ny;
  const d = c.t1c.data;
  let s = 0;
  let n = 0;
  for (let v = 0; v + stride < d.length; v++) {
    if (c.brain[v] === 1 && c.brain[v + stride] === 1) {
      s += Math.abs(d[v + stride] - d[v]);
      n++;
    }
  }
  return s / n;
}

describe('synth cohort (Colin27 anatomy)', () => {
  let anatomy: Anatomy;
  const internal = resolveCohortConfig({ cases: 4, seed: 21, centre: 'internal', flair: true });
  const external = resolveCohortConfig({ cases: 4, seed: 21, centre: 'external', flair: true });
  const cases: SynthCase[] = [];

  before(async () => {
    anatomy = await loadColin27();
    const labels = cohortLabels(internal);
    cases.push(generateCase(anatomy, internal, 0, labels[0]), generateCase(anatomy, internal, 1, labels[1]));
    cases.push(generateCase(anatomy, external, 0, cohortLabels(external)[0]));
  });

  it('finds the template tissue levels in the documented Colin27 ranges (CSF < GM < WM)', () => {
    const l = anatomy.levels;
    assert.ok(l.csf < l.gm && l.gm < l.wm);
    assert.ok(l.gm > 75 && l.gm < 95 && l.wm > 100 && l.wm < 125, JSON.stringify(l));
  });

  it('keeps every lesion and its oedema inside the brain, and the GTV is exactly the enhancing + necrotic voxels', () => {
    for (const c of cases) {
      const labels = c.lesionLabels.data;
      assert.ok(c.meta.lesions.length >= 1);
      let gtv = 0;
      for (let v = 0; v < labels.length; v++) {
        if (labels[v] !== 0) assert.equal(c.brain[v], 1, `${c.meta.caseId}: lesion voxel ${v} outside the brain`);
        const expected = labels[v] === LESION_LABEL.enhancing || labels[v] === LESION_LABEL.necrotic ? 1 : 0;
        assert.equal(c.gtv.data[v], expected);
        gtv += expected;
      }
      const voxelMl = 1.5 ** 3 / 1000;
      assert.ok(Math.abs(gtv * voxelMl - c.meta.gtvMl) < 1e-3);
      const perLesion = c.meta.lesions.reduce((s, l) => s + l.gtvMl, 0);
      assert.ok(Math.abs(perLesion - c.meta.gtvMl) < 0.01, `${perLesion} vs ${c.meta.gtvMl}`);
      for (const l of c.meta.lesions) {
        assert.ok(l.gtvMl > 0, `${c.meta.caseId}: a placed lesion has no GTV voxel`);
        const [i, j, k] = l.centreVoxel.map(Math.round);
        const [nx, ny] = c.t1c.dims;
        assert.equal(c.brain[i + nx * (j + ny * k)], 1);
        if (l.enhancement === 'ring') assert.ok(l.necroticMl > 0 && l.enhancingMl > 0);
        else assert.equal(l.necroticMl, 0);
      }
    }
  });

  it('renders a post-contrast look: enhancing tumour bright, necrosis and oedema dark; FLAIR oedema bright; 0 outside', () => {
    for (const c of cases) {
      const t1 = c.t1c.data;
      const lab = c.lesionLabels.data;
      const brain = meanWhere(t1, (v) => c.brain[v] === 1 && lab[v] === 0);
      const enh = meanWhere(t1, (v) => lab[v] === LESION_LABEL.enhancing);
      assert.ok(enh > 1.2 * brain, `${c.meta.caseId}: enhancing ${enh} vs brain ${brain}`);
      const oed = meanWhere(t1, (v) => lab[v] === LESION_LABEL.oedema);
      // Thick external slices smear the bright rim into the thin oedema around small lesions: test thin slices only.
      if (!Number.isNaN(oed) && c.meta.centre === 'internal') assert.ok(oed < brain, `${c.meta.caseId}: oedema ${oed} vs brain ${brain}`);
      const nec = meanWhere(t1, (v) => lab[v] === LESION_LABEL.necrotic);
      if (!Number.isNaN(nec)) assert.ok(nec < 0.8 * enh);
      const flair = c.flair!.data;
      const fOed = meanWhere(flair, (v) => lab[v] === LESION_LABEL.oedema);
      if (!Number.isNaN(fOed)) assert.ok(fOed > meanWhere(flair, (v) => c.brain[v] === 1 && lab[v] === 0));
      for (let v = 0; v < t1.length; v++) if (c.brain[v] === 0) assert.equal(t1[v], 0);
    }
  });

  it('makes the external centre differ: other intensity scale, and thick slices smooth the image along z', () => {
    const [a, , e] = cases;
    // Same seed, other centre: other patients, so an external test set never repeats a training patient.
    assert.notEqual(e.meta.latent, a.meta.latent);
    assert.notDeepEqual(e.meta.deformation, a.meta.deformation);
    assert.ok(e.meta.scanner.intensityScale < a.meta.scanner.intensityScale);
    assert.ok(e.meta.scanner.sliceThicknessMm >= 3 && a.meta.scanner.sliceThicknessMm <= 1.5);
    const ratio = (c: SynthCase) => roughness(c, 2) / roughness(c, 0);
    assert.ok(ratio(e) < 0.8 * ratio(a), `z/x roughness external ${ratio(e)} vs internal ${ratio(a)}`);
  });

  it('is deterministic per (seed, index) and differs between cases (own deformation, own lesions)', () => {
    const again = generateCase(anatomy, internal, 1, cases[1].meta.egfr);
    assert.deepEqual(Buffer.from(again.t1c.data.buffer), Buffer.from(cases[1].t1c.data.buffer));
    assert.deepEqual(again.meta, cases[1].meta);
    assert.notDeepEqual(cases[0].meta.deformation, cases[1].meta.deformation);
    let differ = 0;
    for (let v = 0; v < cases[0].brain.length; v++) differ += cases[0].brain[v] !== cases[1].brain[v] ? 1 : 0;
    assert.ok(differ > 1000, `brains differ in only ${differ} voxels`);
  });
});
