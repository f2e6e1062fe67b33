import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import {
  lesionPhenotypeDefaults,
  measureLesions,
  patientPhenotypeFeatureNames,
  patientPhenotypeFeatures,
  resolveLesionPhenotypeOptions,
  type LesionMeasurement,
  type LesionPhenotypeOptions,
  type MeasuredLesion,
} from '../../lib/patient/lesion-phenotype';
import { percentile } from '../../lib/util/percentile';
import type { Vec3 } from '../../lib/volume/volume';
import { eachVoxel, scene as makeScene, type Scene } from './scene';

// Intensities of the synthetic post-contrast T1: white matter is the reference; oedema at 0.67 of it and CSF below
// the tissue range's 0.5; the enhancing rim and vessels above its 1.15.
const WHITE = 1000;
const GREY = 800;
const RIM = 1500;
const NECROSIS = 350;
const OEDEMA = 670;
const CSF = 300;
const VESSEL = 1300;

const ISO: [Vec3, Vec3] = [[48, 48, 48], [1, 1, 1]];
const ANISO: [Vec3, Vec3] = [[48, 48, 24], [1, 1, 2]];

const scene = (grid: [Vec3, Vec3], background = WHITE): Scene => makeScene(grid, background);

const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

interface LesionSpec {
  centre: Vec3;
  radius: number;
  intensity?: number;
  coreRadius?: number;
  /** Halo beyond the edge, in radii, and what fills it. */
  halo?: { reach: number; value: (ijk: Vec3) => number };
}

/** Paints a spherical lesion into image and mask; returns its voxel count and that of its necrotic core. */
function addLesion(s: Scene, spec: LesionSpec): { voxels: number; core: number } {
  let voxels = 0;
  let core = 0;
  eachVoxel(s, (v, mm, ijk) => {
    const d = dist(mm, spec.centre);
    if (d <= spec.radius) {
      s.mask[v] = 1;
      voxels++;
      const necrotic = spec.coreRadius !== undefined && d <= spec.coreRadius;
      if (necrotic) core++;
      s.image[v] = necrotic ? NECROSIS : (spec.intensity ?? RIM);
    } else if (spec.halo && d < spec.radius * (1 + spec.halo.reach)) {
      s.image[v] = spec.halo.value(ijk);
    }
  });
  return { voxels, core };
}

/** Marks a box of voxels (inclusive indices) as lesion. */
function addBox(s: Scene, min: Vec3, max: Vec3, intensity = RIM): void {
  eachVoxel(s, (v, _mm, [i, j, k]) => {
    if (i >= min[0] && i <= max[0] && j >= min[1] && j <= max[1] && k >= min[2] && k <= max[2]) {
      s.mask[v] = 1;
      s.image[v] = intensity;
    }
  });
}

const centreOf = (s: Scene): Vec3 => s.dims.map((d, a) => Math.floor(d / 2) * s.spacing[a]) as Vec3;
const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

describe('patient/lesion-phenotype', () => {
  describe('reference intensity', () => {
    it('is the white-matter level of a brain with a lesion and oedema', () => {
      for (const grid of [ISO, ANISO]) {
        const s = scene(grid);
        addLesion(s, { centre: centreOf(s), radius: 8, coreRadius: 4, halo: { reach: 1, value: () => OEDEMA } });
        assert.equal(measureLesions(s).reference, WHITE);
      }
    });

    it('leaves out the air below 15% of the maximum', () => {
      // Air with a noise floor, above 0 but below the threshold.
      const AIR = 30;
      const s = scene(ISO, AIR);
      eachVoxel(s, (v, mm) => {
        if (dist(mm, centreOf(s)) < 15) s.image[v] = WHITE;
      });
      // A bright vessel sets the maximum (3000: 15% of it is 450, below the brain and above the air).
      for (let i = 10; i < 38; i++) s.image[i + 48 * (24 + 48 * 24)] = 3 * WHITE;
      const sampled = Array.from(s.image).filter((_, i) => i % 7 === 0);
      assert.equal(percentile(sampled, 70), AIR, 'air fills most of the volume');
      assert.equal(measureLesions(s).reference, WHITE);
    });

    it('is the 70th percentile of the brain: white matter above 30% of it, grey matter otherwise', () => {
      for (const [greyShare, expected] of [[0.6, WHITE], [0.8, GREY]] as const) {
        const s = scene(ISO);
        eachVoxel(s, (v, _mm, [, , k]) => {
          if (k < Math.round(greyShare * 48)) s.image[v] = GREY;
        });
        assert.equal(measureLesions(s).reference, expected, `grey share ${greyShare}`);
      }
    });
  });

  describe('size', () => {
    for (const [name, grid] of [['isotropic', ISO], ['1 x 1 x 2 mm', ANISO]] as const) {
      for (const radius of [5, 8]) {
        it(`measures a sphere of radius ${radius} mm (${name}): exact volume, diameter ~2r`, () => {
          const s = scene(grid);
          const { voxels } = addLesion(s, { centre: centreOf(s), radius });
          const [lesion, ...rest] = measureLesions(s).lesions;
          assert.equal(rest.length, 0);
          assert.equal(lesion.volumeMm3, voxels * grid[1][0] * grid[1][1] * grid[1][2]);
          close(lesion.diameterMm, 2 * radius, 0.08 * 2 * radius, 'diameter');
          assert.ok(lesion.necroticFraction < 0.01, `solid lesion necrotic fraction ${lesion.necroticFraction}`);
        });
      }
    }
  });

  describe('necrotic fraction', () => {
    for (const [name, grid] of [['isotropic', ISO], ['1 x 1 x 2 mm', ANISO]] as const) {
      // The second core fills most of the lesion: the rim level must come from the bright minority.
      for (const coreRadius of [6, 8.5]) {
        it(`is the core's share of a ring-enhancing lesion (core ${coreRadius} of 10 mm, ${name})`, () => {
          const s = scene(grid);
          const radius = 10;
          const { voxels, core } = addLesion(s, { centre: centreOf(s), radius, coreRadius });
          const [lesion] = measureLesions(s).lesions;
          close(lesion.necroticFraction, core / voxels, 1e-12, 'voxel share');
          close(lesion.necroticFraction, (coreRadius / radius) ** 3, 0.03, 'volume share');
        });
      }
    }
  });

  describe('shells', () => {
    for (const [name, grid] of [['isotropic', ISO], ['1 x 1 x 2 mm', ANISO]] as const) {
      it(`are all the reference level without oedema (${name})`, () => {
        const s = scene(grid);
        addLesion(s, { centre: centreOf(s), radius: 8, coreRadius: 4 });
        const [lesion] = measureLesions(s).lesions;
        assert.equal(lesion.shells.length, lesionPhenotypeDefaults.shellCount);
        lesion.shells.forEach((v, b) => close(v, 1, 1e-9, `shell ${b}`));
      });

      it(`are dark out to the reach of an oedema halo one radius wide (${name})`, () => {
        const s = scene(grid);
        addLesion(s, { centre: centreOf(s), radius: 8, halo: { reach: 1, value: () => OEDEMA } });
        const [lesion] = measureLesions(s).lesions;
        // Shells 0 and 1 span distances below one radius, entirely inside the halo; shell 2 begins at the halo's edge,
        // where the voxelised distance lets a thin layer of oedema in.
        close(lesion.shells[0], OEDEMA / WHITE, 1e-6, 'shell 0');
        close(lesion.shells[1], OEDEMA / WHITE, 1e-6, 'shell 1');
        close(lesion.shells[2], 1, 0.05, 'shell 2');
        close(lesion.shells[3], 1, 0.02, 'shell 3');
      });

      it(`are NaN where only CSF surrounds the lesion (${name})`, () => {
        const s = scene(grid);
        addLesion(s, { centre: centreOf(s), radius: 8, halo: { reach: 1, value: () => CSF } });
        const [lesion] = measureLesions(s).lesions;
        assert.ok(Number.isNaN(lesion.shells[0]) && Number.isNaN(lesion.shells[1]), `shells ${lesion.shells.join(', ')}`);
        close(lesion.shells[2], 1, 0.05, 'shell 2');
        close(lesion.shells[3], 1, 0.02, 'shell 3');
      });
    }

    it('leave out CSF and enhancing vessels among the oedema', () => {
      const s = scene(ISO);
      const mix = [CSF, OEDEMA, VESSEL];
      addLesion(s, { centre: centreOf(s), radius: 8, halo: { reach: 1, value: ([i, j, k]) => mix[(i + j + k) % 3] } });
      const [lesion] = measureLesions(s).lesions;
      close(lesion.shells[0], OEDEMA / WHITE, 1e-6, 'shell 0');
      close(lesion.shells[1], OEDEMA / WHITE, 1e-6, 'shell 1');
      // A tissue range wide enough to admit them pulls the mean away: the exclusion is what keeps it at the oedema.
      const wide = measureLesions(s, { tissueRange: [0.1, 2] }).lesions[0];
      close(wide.shells[0], (CSF + OEDEMA + VESSEL) / 3 / WHITE, 0.02, 'shell 0, wide range');
    });

    it('leave out the voxels of another lesion', () => {
      const s = scene(ISO);
      addLesion(s, { centre: [16, 24, 24], radius: 6 });
      // A second lesion in the first one's shells, at an intensity inside the tissue range.
      const neighbour: LesionSpec = { centre: [30, 24, 24], radius: 4, intensity: 520 };
      addLesion(s, neighbour);
      const { lesions } = measureLesions(s);
      assert.equal(lesions.length, 2);
      lesions[0].shells.forEach((v, b) => close(v, 1, 1e-9, `shell ${b}`));
      // The same image with the neighbour left out of the mask: its voxels now count, and the shells darken.
      eachVoxel(s, (v, mm) => {
        if (dist(mm, neighbour.centre) <= neighbour.radius) s.mask[v] = 0;
      });
      const alone = measureLesions(s).lesions;
      assert.equal(alone.length, 1);
      assert.ok(Math.min(...alone[0].shells) < 0.995, `shells ${alone[0].shells.join(', ')}`);
    });

    it('follow shellCount and shellWidth', () => {
      const s = scene(ISO);
      addLesion(s, { centre: centreOf(s), radius: 8, halo: { reach: 0.5, value: () => OEDEMA } });
      const [lesion] = measureLesions(s, { shellCount: 6, shellWidth: 0.25 }).lesions;
      assert.equal(lesion.shells.length, 6);
      // Quarter-radius shells: the half-radius halo fills the first two.
      close(lesion.shells[0], OEDEMA / WHITE, 1e-6, 'shell 0');
      close(lesion.shells[1], OEDEMA / WHITE, 1e-6, 'shell 1');
      lesion.shells.slice(3).forEach((v, b) => close(v, 1, 1e-9, `shell ${b + 3}`));
    });
  });

  it('does not depend on the scanner scale of the intensities', () => {
    const s = scene(ISO);
    addLesion(s, { centre: centreOf(s), radius: 8, coreRadius: 5, halo: { reach: 0.5, value: () => OEDEMA } });
    const scale = 0.37;
    const scaled = measureLesions({ ...s, image: s.image.map((v) => v * scale) });
    const original = measureLesions(s);
    close(scaled.reference, scale * original.reference, 1e-3, 'reference');
    assert.ok(original.lesions[0].necroticFraction > 0.2, `necrotic fraction ${original.lesions[0].necroticFraction}`);
    close(scaled.lesions[0].necroticFraction, original.lesions[0].necroticFraction, 1e-12, 'necrotic fraction');
    scaled.lesions[0].shells.forEach((v, b) => close(v, original.lesions[0].shells[b], 1e-6, `shell ${b}`));
  });

  describe('components', () => {
    it('leaves out a component below minVolumeMm3', () => {
      const s = scene(ISO);
      addBox(s, [10, 10, 10], [12, 12, 12]);
      assert.equal(measureLesions(s, { minVolumeMm3: 28 }).lesions.length, 0);
      const kept = measureLesions(s, { minVolumeMm3: 27 }).lesions;
      assert.equal(kept.length, 1);
      assert.equal(kept[0].volumeMm3, 27);
    });

    it('leaves out a component shorter than minExtentMm along any axis', () => {
      const cases: Array<[[Vec3, Vec3], Vec3, number]> = [
        [ISO, [10, 10, 1], 0],
        [ISO, [1, 10, 10], 0],
        [ISO, [10, 1, 10], 0],
        [ISO, [10, 10, 3], 1],
        // Two slices of 2 mm span 4 mm; one spans 2 mm, still below 2.5.
        [ANISO, [10, 10, 2], 1],
        [ANISO, [10, 10, 1], 0],
      ];
      for (const [grid, size, expected] of cases) {
        const s = scene(grid);
        addBox(s, [5, 5, 5], [4 + size[0], 4 + size[1], 4 + size[2]]);
        assert.equal(measureLesions(s).lesions.length, expected, `${size.join('x')} voxels at ${grid[1].join('x')} mm`);
      }
    });

    it('counts two separate spheres as two lesions', () => {
      const s = scene(ISO);
      const a = addLesion(s, { centre: [14, 24, 12], radius: 6 });
      const b = addLesion(s, { centre: [32, 24, 34], radius: 4 });
      const { lesions } = measureLesions(s);
      // Components are numbered in storage order: the sphere at lower z first.
      assert.deepEqual(lesions.map((l) => l.volumeMm3), [a.voxels, b.voxels]);
      close(lesions[0].diameterMm, 12, 0.08 * 12, 'first diameter');
      close(lesions[1].diameterMm, 8, 0.08 * 8, 'second diameter');
    });

    it('joins two cubes touching at a corner (26-connectivity)', () => {
      const s = scene(ISO);
      addBox(s, [10, 10, 10], [12, 12, 12]);
      addBox(s, [13, 13, 13], [15, 15, 15]);
      const { lesions } = measureLesions(s);
      assert.equal(lesions.length, 1);
      assert.equal(lesions[0].volumeMm3, 54);
    });

    it('finds no lesion in an empty mask', () => {
      const m = measureLesions(scene(ISO));
      assert.deepEqual(m, { reference: WHITE, lesions: [] });
    });
  });

  describe('patient features', () => {
    const lesion = (diameterMm: number, necroticFraction: number, shells: number[]): MeasuredLesion => ({
      volumeMm3: (Math.PI / 6) * diameterMm ** 3,
      diameterMm,
      necroticFraction,
      shells,
    });
    const measurement: LesionMeasurement = {
      reference: WHITE,
      lesions: [lesion(10, 0.2, [0.7, 0.9, NaN, 1.0]), lesion(20, 0.4, [0.8, NaN, NaN, 1.0]), lesion(5, 0, [0.6, 1.0, NaN, 1.0])],
    };

    it('name the features in order', () => {
      assert.deepEqual(patientPhenotypeFeatureNames(), [
        'log1p_lesions',
        'mean_log_diameter',
        'min_log_diameter',
        'mean_necrotic_fraction',
        'mean_shell_1',
        'mean_shell_2',
        'mean_shell_3',
        'mean_shell_4',
      ]);
      assert.deepEqual(patientPhenotypeFeatureNames(2).slice(4), ['mean_shell_1', 'mean_shell_2']);
    });

    it('summarise the lesions, ignoring NaN shells', () => {
      const f = patientPhenotypeFeatures(measurement);
      assert.equal(f.length, patientPhenotypeFeatureNames().length);
      const expected = [Math.log(4), (Math.log(10) + Math.log(20) + Math.log(5)) / 3, Math.log(5), 0.2, 0.7, 0.95, NaN, 1.0];
      expected.forEach((e, k) => {
        if (Number.isNaN(e)) assert.ok(Number.isNaN(f[k]), `feature ${k}: ${f[k]}`);
        else close(f[k], e, 1e-12, patientPhenotypeFeatureNames()[k]);
      });
      const two = patientPhenotypeFeatures(measurement, 2);
      assert.equal(two.length, patientPhenotypeFeatureNames(2).length);
      assert.deepEqual(two, f.slice(0, 6));
    });

    it('are the count 0 and NaN for the rest without a lesion', () => {
      const f = patientPhenotypeFeatures({ reference: WHITE, lesions: [] });
      assert.equal(f.length, 8);
      assert.equal(f[0], 0);
      assert.ok(f.slice(1).every(Number.isNaN), `features ${f.join(', ')}`);
    });

    it('follow measureLesions end to end', () => {
      const s = scene(ISO);
      addLesion(s, { centre: [14, 24, 14], radius: 6, coreRadius: 3, halo: { reach: 0.5, value: () => OEDEMA } });
      addLesion(s, { centre: [32, 24, 34], radius: 4 });
      const m = measureLesions(s);
      const f = patientPhenotypeFeatures(m);
      close(f[0], Math.log(3), 1e-12, 'log1p_lesions');
      close(f[2], Math.log(Math.min(...m.lesions.map((l) => l.diameterMm))), 1e-12, 'min_log_diameter');
      close(f[3], (m.lesions[0].necroticFraction + m.lesions[1].necroticFraction) / 2, 1e-12, 'mean_necrotic_fraction');
      assert.ok(f[4] < 0.9 && f[4] > OEDEMA / WHITE, `mean_shell_1 ${f[4]}: one lesion with oedema, one without`);
    });
  });

  describe('validation', () => {
    it('resolves defaults and overrides', () => {
      assert.deepEqual(resolveLesionPhenotypeOptions(), lesionPhenotypeDefaults);
      const o = resolveLesionPhenotypeOptions({ shellCount: 2, tissueRange: [0.3, 1.5] });
      assert.equal(o.shellCount, 2);
      assert.deepEqual(o.tissueRange, [0.3, 1.5]);
      assert.equal(o.minVolumeMm3, lesionPhenotypeDefaults.minVolumeMm3);
      assert.equal(resolveLesionPhenotypeOptions({ minVolumeMm3: 0 }).minVolumeMm3, 0);
    });

    const bad: Array<Partial<LesionPhenotypeOptions>> = [
      { minExtentMm: 0 },
      { necroticLevel: -0.1 },
      { shellWidth: NaN },
      { minVolumeMm3: -1 },
      { minVolumeMm3: NaN },
      { shellCount: 0 },
      { shellCount: 2.5 },
      { tissueRange: [1.2, 0.5] },
      { tissueRange: [1, 1] },
      { tissueRange: [NaN, 1] },
    ];
    for (const options of bad) {
      it(`rejects ${JSON.stringify(options, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v))}`, () => {
        assert.throws(() => resolveLesionPhenotypeOptions(options), ConfigError);
      });
    }

    it('measureLesions checks its options and inputs', () => {
      const s = scene([[8, 8, 8], [1, 1, 1]]);
      assert.throws(() => measureLesions(s, { shellCount: 0 }), ConfigError);
      assert.throws(() => measureLesions({ ...s, image: s.image.subarray(1) }), RangeError);
      assert.throws(() => measureLesions({ ...s, mask: new Uint8Array(s.mask.length + 1) }), RangeError);
      assert.throws(() => measureLesions({ ...s, image: new Float32Array(s.image.length) }), RangeError);
      assert.throws(() => measureLesions({ ...s, image: new Float32Array(s.image.length).fill(-5) }), RangeError);
    });
  });
});
