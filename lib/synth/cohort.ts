import type { EgfrScheme } from '../data/egfr';
import type { Volume } from '../volume/volume';
import { ConfigError } from '../errors';
import { Rng } from '../util/rng';
import { tissueFractions, type Anatomy } from './anatomy';
import { drawContrast, renderSequence, type DrawnContrast, type Sequence } from './appearance';
import { CENTRE_NAMES, drawScanner, type CentreName, type CentreProfile, type ScannerParams } from './centres';
import { validateScannerProfile } from './scanner-profile';
import { addMassEffect, defaultDeformationConfig, sampleDeformation, warpVolumes, type DeformationConfig, type DeformationParams } from './deformation';
import {
  DIFFICULTIES,
  EGFR_CLASSES,
  assignLabels,
  drawPhenotype,
  type Difficulty,
  type EgfrConfig,
  type EgfrLabel,
  type LesionPhenotype,
} from './egfr-phenotype';
import { smoothRandomField } from './fields';
import { LESION_LABEL, defaultLesionPlacementConfig, paintLesions, placeLesions, type LesionPlacementConfig, type Region } from './lesions';
import { defaultVesselConfig, paintVessels, type VesselConfig } from './vessels';

/** Everything that defines a synthetic cohort; with the same anatomy, the same config gives the same cases. */
export interface CohortConfig {
  cases: number;
  seed: number;
  centre: CentreName;
  difficulty: Difficulty;
  scheme: EgfrScheme;
  /** Class priors of the scheme (normalised); uniform when omitted. */
  prior?: Partial<Record<EgfrLabel, number>>;
  /** Also render the FLAIR-like second channel. */
  flair: boolean;
  maxLesions: number;
  deformation: DeformationConfig;
  placement: LesionPlacementConfig;
  vessels: VesselConfig;
  /** A user scanner profile (lib/synth/scanner-profile.ts) in place of the centre's ranges; the centre still names the cases and their streams. */
  scanner?: CentreProfile;
}

export const defaultCohortConfig: CohortConfig = {
  cases: 100,
  seed: 1,
  centre: 'internal',
  difficulty: 'medium',
  scheme: 'binary',
  flair: false,
  maxLesions: 8,
  deformation: defaultDeformationConfig,
  placement: defaultLesionPlacementConfig,
  vessels: defaultVesselConfig,
};

/** Fills defaults and checks ranges; every public entry point goes through it. */
export function resolveCohortConfig(partial: Partial<CohortConfig> = {}): CohortConfig {
  const c: CohortConfig = { ...defaultCohortConfig, ...partial };
  if (!Number.isInteger(c.cases) || c.cases < 1) throw new ConfigError(`cases must be a positive integer, got ${c.cases}`);
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) throw new ConfigError(`seed must be an integer in 0..2^32-1, got ${c.seed}`);
  if (!CENTRE_NAMES.includes(c.centre)) throw new ConfigError(`centre must be one of ${CENTRE_NAMES.join(', ')}, got '${c.centre}'`);
  if (!(c.difficulty in DIFFICULTIES)) throw new ConfigError(`difficulty must be one of ${Object.keys(DIFFICULTIES).join(', ')}, got '${c.difficulty}'`);
  if (!(c.scheme in EGFR_CLASSES)) throw new ConfigError(`scheme must be one of ${Object.keys(EGFR_CLASSES).join(', ')}, got '${c.scheme}'`);
  if (!Number.isInteger(c.maxLesions) || c.maxLesions < 1 || c.maxLesions > 250) throw new ConfigError(`maxLesions must be an integer in 1..250, got ${c.maxLesions}`);
  if (c.scanner !== undefined) c.scanner = validateScannerProfile(c.scanner);
  return c;
}

export function egfrConfigOf(c: CohortConfig): EgfrConfig {
  return { scheme: c.scheme, prior: c.prior, difficulty: c.difficulty, maxLesions: c.maxLesions };
}

/** A lesion as recorded in meta.json. */
export interface LesionRecord extends LesionPhenotype {
  region: Region;
  /** Centre in voxel and world (mm) coordinates of the case grid. */
  centreVoxel: [number, number, number];
  centreMm: [number, number, number];
  /** Painted volumes, ml. */
  gtvMl: number;
  enhancingMl: number;
  necroticMl: number;
  oedemaMl: number;
  /** Signal levels relative to white matter in each rendered sequence. */
  level: Partial<Record<Sequence, { enhancing: number; necrotic: number }>>;
}

export interface CaseMeta {
  caseId: string;
  patientId: string;
  centre: CentreName;
  /** The seed stream of this case: the cohort seed and the case index. */
  seed: number;
  index: number;
  egfr: EgfrLabel;
  egfrGenerating: EgfrLabel;
  labelFlipped: boolean;
  latent: number;
  difficulty: Difficulty;
  lesions: LesionRecord[];
  /** Lesions drawn but not placed (no room in this brain); they are not in the images. */
  droppedLesions: LesionPhenotype[];
  gtvMl: number;
  deformation: DeformationParams & { shrink: number; massEffectLesions: number; massEffectFraction: number };
  scanner: ScannerParams;
  contrast: Partial<Record<Sequence, Omit<DrawnContrast, 'lesions'>>>;
}

export interface SynthCase {
  meta: CaseMeta;
  t1c: Volume<Int16Array>;
  flair?: Volume<Int16Array>;
  /** GTV = enhancing + necrotic voxels of `lesionLabels`. */
  gtv: Volume<Uint8Array>;
  /** 0 background, 1 necrotic, 2 oedema, 3 enhancing (BraTS-METS codes). */
  lesionLabels: Volume<Uint8Array>;
  /** The case's brain mask (the skull strip of its images). */
  brain: Uint8Array;
}

export function caseIdOf(config: CohortConfig, index: number): string {
  return `${config.centre === 'internal' ? 'int' : 'ext'}-s${config.seed}-${String(index + 1).padStart(4, '0')}`;
}

/** The recorded labels of every case: exact class counts from the prior, shuffled by the cohort seed. */
export function cohortLabels(config: CohortConfig): EgfrLabel[] {
  return assignLabels(new Rng(config.seed).fork(`${config.centre}-labels`), config.cases, egfrConfigOf(config));
}

/** Scale factors tried in turn when a drawn brain would touch the grid's border. */
const FIT_SHRINK = [1, 0.96, 0.92, 0.88];

/** Generates case `index` of the cohort, whose recorded EGFR label is `label`. Its random stream depends only on the cohort seed, the centre and the index. */
export function generateCase(anatomy: Anatomy, config: CohortConfig, index: number, label: EgfrLabel): SynthCase {
  // The centre is part of the stream: an external cohort drawn with the same seed holds other patients.
  const rng = new Rng(config.seed).fork(`${config.centre}-case-${index}`);
  const caseId = caseIdOf(config, index);
  const { dims, spacing, affine } = anatomy;
  const n = dims[0] * dims[1] * dims[2];
  const egfr = egfrConfigOf(config);
  const phenotype = drawPhenotype(rng.fork('phenotype'), label, egfr);

  let warped: Float32Array[] = [];
  let deformation: ReturnType<typeof sampleDeformation> | undefined;
  let shrink = 1;
  for (const s of FIT_SHRINK) {
    shrink = s;
    deformation = sampleDeformation(rng.fork('deformation'), dims, spacing, anatomy.centre, config.deformation, s);
    warped = warpVolumes(
      deformation,
      dims,
      [anatomy.t1, anatomy.brain, anatomy.enhancement],
      [anatomy.depth, anatomy.supratentorialPrior, anatomy.infratentorialPrior],
      anatomy.support,
    );
    if (!touchesBorder(warped[1], dims)) break;
  }
  let [t1, brain, enhancement] = warped;
  const [, , , depth, supra, infra] = warped;
  let tissue = brainTissue(t1, brain, anatomy);
  const placed = placeLesions(rng.fork('lesions'), phenotype.lesions, { dims, spacing, brain, depth, supratentorialPrior: supra, infratentorialPrior: infra, wm: tissue.wm, gm: tissue.gm }, config.placement);
  // Lesions of 1 cm or more push the surrounding tissue: fold that into the deformation and sample the anatomy again.
  const pushing = placed.lesions.filter((l) => l.radiusMm >= MASS_EFFECT_MIN_RADIUS_MM);
  if (pushing.length > 0) {
    addMassEffect(deformation!, dims, spacing, pushing, MASS_EFFECT_FRACTION);
    [t1, brain, enhancement] = warpVolumes(deformation!, dims, [anatomy.t1, anatomy.brain, anatomy.enhancement], [], anatomy.support);
    tissue = brainTissue(t1, brain, anatomy);
  }
  const maps = paintLesions(placed.lesions, { dims, spacing, brain, wm: tissue.wm, gm: tissue.gm });
  const vessels = paintVessels(rng.fork('vessels'), dims, spacing, brain, tissue.csf, depth, config.vessels);
  const scanner = drawScanner(rng.fork('scanner'), config.scanner ?? config.centre);
  const inputs = {
    dims,
    spacing,
    t1,
    brain,
    levels: anatomy.levels,
    normalEnhancement: enhancement,
    vessels,
    csf: tissue.csf,
    lesions: placed.lesions,
    maps,
    biasField: smoothRandomField(rng.fork('bias'), dims, spacing, BIAS_STEP_MM),
    texture: smoothRandomField(rng.fork('texture'), dims, spacing, TEXTURE_STEP_MM),
  };
  const sequences: Sequence[] = config.flair ? ['t1c', 'flair'] : ['t1c'];
  const images: Partial<Record<Sequence, Int16Array>> = {};
  const contrasts: Partial<Record<Sequence, DrawnContrast>> = {};
  for (const seq of sequences) {
    const c = drawContrast(rng.fork(`contrast-${seq}`), seq, placed.lesions.length, scanner);
    contrasts[seq] = c;
    images[seq] = renderSequence(rng.fork(`noise-${seq}`), inputs, seq, c, scanner);
  }

  const labels = maps.labels;
  const gtv = new Uint8Array(n);
  const brainMask = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    gtv[v] = labels[v] === LESION_LABEL.enhancing || labels[v] === LESION_LABEL.necrotic ? 1 : 0;
    brainMask[v] = brain[v] >= 0.5 ? 1 : 0;
  }
  const voxelMl = (spacing[0] * spacing[1] * spacing[2]) / 1000;
  const lesions: LesionRecord[] = placed.lesions.map((l, i) => {
    const c = l.centreVoxel;
    const mm = [0, 1, 2].map((r) => affine[r][0] * c[0] + affine[r][1] * c[1] + affine[r][2] * c[2] + affine[r][3]);
    const level: LesionRecord['level'] = {};
    for (const seq of sequences) level[seq] = contrasts[seq]!.lesions[i];
    return {
      ...l.phenotype,
      region: l.region,
      centreVoxel: c.map(round3) as [number, number, number],
      centreMm: mm.map(round3) as [number, number, number],
      gtvMl: round3((l.voxels.enhancing + l.voxels.necrotic) * voxelMl),
      enhancingMl: round3(l.voxels.enhancing * voxelMl),
      necroticMl: round3(l.voxels.necrotic * voxelMl),
      oedemaMl: round3(l.voxels.oedema * voxelMl),
      level,
    };
  });
  let gtvVoxels = 0;
  for (let v = 0; v < n; v++) gtvVoxels += gtv[v];
  const meta: CaseMeta = {
    caseId,
    patientId: `P-${caseId}`,
    centre: config.centre,
    seed: config.seed,
    index,
    egfr: phenotype.label,
    egfrGenerating: phenotype.generatingLabel,
    labelFlipped: phenotype.labelFlipped,
    latent: phenotype.latent,
    difficulty: config.difficulty,
    lesions,
    droppedLesions: placed.dropped,
    gtvMl: round3(gtvVoxels * voxelMl),
    deformation: { ...deformation!.params, shrink, massEffectLesions: pushing.length, massEffectFraction: MASS_EFFECT_FRACTION },
    scanner,
    contrast: Object.fromEntries(sequences.map((s) => [s, withoutLesions(contrasts[s]!)])),
  };
  const grid = { dims, spacing, affine };
  return {
    meta,
    t1c: { ...grid, data: images.t1c! },
    flair: images.flair ? { ...grid, data: images.flair } : undefined,
    gtv: { ...grid, data: gtv },
    lesionLabels: { ...grid, data: labels },
    brain: brainMask,
  };
}

/** Tissue fractions of the warped anatomy, 0 outside the brain. */
function brainTissue(t1: Float32Array, brain: Float32Array, anatomy: Anatomy): ReturnType<typeof tissueFractions> {
  const tissue = tissueFractions(t1, anatomy.levels);
  for (let v = 0; v < t1.length; v++) {
    if (brain[v] < 0.5) tissue.csf[v] = tissue.gm[v] = tissue.wm[v] = 0;
  }
  return tissue;
}

/** Lesions from this radius on displace tissue; smaller ones are treated as replacing it. */
const MASS_EFFECT_MIN_RADIUS_MM = 5;
/** Share of a lesion's volume that pushes tissue aside rather than replacing it. */
const MASS_EFFECT_FRACTION = 0.6;

/** Correlation length of the bias field (coil sensitivity varies over several centimetres). */
const BIAS_STEP_MM = 70;
/** Correlation length of tissue and enhancement texture. */
const TEXTURE_STEP_MM = 4;

function withoutLesions(c: DrawnContrast): Omit<DrawnContrast, 'lesions'> {
  const { csf, gm, oedema, normalEnhancement, vessel } = c;
  return { csf, gm, oedema, normalEnhancement, vessel };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Whether the brain reaches the grid's sides or top. The bottom slice is exempt: the template's brainstem is cut there,
 * as in a real scan.
 */
function touchesBorder(brain: Float32Array, dims: [number, number, number]): boolean {
  const [nx, ny, nz] = dims;
  const inside = (i: number, j: number, k: number) => brain[i + nx * (j + ny * k)] >= 0.5;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if (inside(i, j, nz - 1)) return true;
  for (let k = 0; k < nz; k++) {
    for (let t = 0; t < nx; t++) if (inside(t, 0, k) || inside(t, ny - 1, k)) return true;
    for (let t = 0; t < ny; t++) if (inside(0, t, k) || inside(nx - 1, t, k)) return true;
  }
  return false;
}
