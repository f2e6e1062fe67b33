import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';
import type { LesionPhenotype } from './egfr-phenotype';
import { LobeTable, drawLobes, randomDirection } from './lobes';
import { drawVoxel, voxelSampler } from './sampling';

/**
 * Places and paints metastases in one case. A lesion is a lobulated solid (a sphere whose radius varies with
 * direction through a few random von Mises bumps), solid or with a necrotic core, inside a halo of vasogenic oedema
 * that spreads along white matter and spares the cortex. Painting yields both partial-volume fractions (for the image)
 * and a label map whose enhancing + necrotic voxels are exactly the GTV.
 */

/** BraTS-METS label codes, so that the painted map reads like the public data sets' segmentations. */
export const LESION_LABEL = { necrotic: 1, oedema: 2, enhancing: 3 } as const;

export type Region = 'supratentorial' | 'infratentorial';

export interface PlacedLesion {
  phenotype: LesionPhenotype;
  region: Region;
  /** Centre in case voxel coordinates. */
  centreVoxel: Vec3;
  /** Radius before lobulation, mm. */
  radiusMm: number;
  /** Radius factors by direction of the outer surface, the necrotic core and the oedema's reach. */
  surface: LobeTable;
  core: LobeTable;
  /** Shift of the necrotic core from the lesion centre, mm: rims are rarely of even thickness. */
  coreOffsetMm: Vec3;
  oedema: LobeTable;
  /** Painted voxel counts. Oedema shared by two lesions counts for the first that painted it (or for none, where a
   * later lesion's tumour took the voxel). */
  voxels: { enhancing: number; necrotic: number; oedema: number };
}

/** The case-space maps lesion placement reads. */
export interface PlacementMaps {
  dims: Vec3;
  spacing: Vec3;
  /** Brain fraction (the warped template mask). */
  brain: Float32Array;
  /** Distance from the brain surface, mm (warped from the template). */
  depth: Float32Array;
  supratentorialPrior: Float32Array;
  infratentorialPrior: Float32Array;
  /** Tissue fractions, for the oedema's preference for white matter. */
  wm: Float32Array;
  gm: Float32Array;
}

export interface LesionMaps {
  /** 0 background, else a `LESION_LABEL` code. */
  labels: Uint8Array;
  /** Partial-volume fractions of enhancing tumour, necrotic core and oedema. */
  enhancing: Float32Array;
  necrotic: Float32Array;
  oedema: Float32Array;
  /** 1 + index of the lesion whose tumour covers the voxel most, 0 where there is no tumour. */
  owner: Uint8Array;
}

export interface LesionPlacementConfig {
  /** Probability that a lesion lies in the posterior fossa (cerebellum, brainstem) rather than the cerebrum. */
  infratentorialFraction: number;
  /** Minimum gap between two lesions' outer surfaces, mm. */
  minGapMm: number;
  /** Candidate centres drawn before a lesion is dropped. */
  maxTries: number;
}

export const defaultLesionPlacementConfig: LesionPlacementConfig = {
  infratentorialFraction: 0.15,
  minGapMm: 3,
  maxTries: 200,
};

/** Places the lesions largest first (the hardest to fit) and reports the ones that found no room. */
export function placeLesions(
  rng: Rng,
  phenotypes: LesionPhenotype[],
  maps: PlacementMaps,
  config: LesionPlacementConfig = defaultLesionPlacementConfig,
): { lesions: PlacedLesion[]; dropped: LesionPhenotype[] } {
  const order = phenotypes.map((p, i) => ({ p, i })).sort((a, b) => b.p.diameterMm - a.p.diameterMm || a.i - b.i);
  const lesions: PlacedLesion[] = [];
  const dropped: LesionPhenotype[] = [];
  for (const { p } of order) {
    const shape = drawShape(rng, p);
    const maxReach = shape.radiusMm * shape.surface.max;
    const region: Region = rng.bernoulli(config.infratentorialFraction) ? 'infratentorial' : 'supratentorial';
    const prior = region === 'infratentorial' ? maps.infratentorialPrior : maps.supratentorialPrior;
    const minDepth = maxReach + Math.max(...maps.spacing);
    const cdf = voxelSampler(prior, (v) => maps.depth[v] >= minDepth);
    let placed: PlacedLesion | undefined;
    for (let t = 0; t < config.maxTries && cdf.total > 0 && !placed; t++) {
      const v = drawVoxel(rng, cdf);
      const centre = voxelOf(v, maps.dims).map((c) => c + rng.uniform(-0.5, 0.5)) as Vec3;
      const clear = lesions.every((o) => distanceMm(o.centreVoxel, centre, maps.spacing) > maxReach + o.radiusMm * o.surface.max + config.minGapMm);
      const candidate: PlacedLesion = { phenotype: p, region, centreVoxel: centre, ...shape, voxels: { enhancing: 0, necrotic: 0, oedema: 0 } };
      if (clear && insideBrain(candidate, maps)) placed = candidate;
    }
    if (!placed) {
      dropped.push(p);
      continue;
    }
    lesions.push(placed);
  }
  return { lesions, dropped };
}

/**
 * Paints placed lesions on the case's (final) tissue maps. The brain test of placement holds here too when the maps
 * changed only by the lesions' own mass effect, which moves tissue away from each lesion and so keeps it in the brain.
 */
export function paintLesions(lesions: PlacedLesion[], maps: Pick<PlacementMaps, 'dims' | 'spacing' | 'brain' | 'wm' | 'gm'>): LesionMaps {
  const n = maps.dims[0] * maps.dims[1] * maps.dims[2];
  const out: LesionMaps = {
    labels: new Uint8Array(n),
    enhancing: new Float32Array(n),
    necrotic: new Float32Array(n),
    oedema: new Float32Array(n),
    owner: new Uint8Array(n),
  };
  lesions.forEach((l, i) => paintLesion(l, i + 1, maps, out));
  return out;
}

function drawShape(rng: Rng, p: LesionPhenotype): Pick<PlacedLesion, 'radiusMm' | 'surface' | 'core' | 'coreOffsetMm' | 'oedema'> {
  // Small metastases are round; lobulation grows with size.
  const lobulation = Math.min(1, p.diameterMm / 15);
  const radiusMm = p.diameterMm / 2;
  const shift = randomDirection(rng).map((c) => c * rng.uniform(0, 0.2) * radiusMm * p.coreFraction) as Vec3;
  return {
    radiusMm,
    surface: new LobeTable(drawLobes(rng, rng.int(3, 6), [0, 0.45 * lobulation], [3, 10])),
    core: new LobeTable(drawLobes(rng, rng.int(3, 5), [0, 0.5], [2, 8])),
    coreOffsetMm: shift,
    oedema: new LobeTable(drawLobes(rng, rng.int(3, 6), [0, 0.35], [3, 8])),
  };
}

function distanceMm(a: Vec3, b: Vec3, spacing: Vec3): number {
  return Math.hypot((a[0] - b[0]) * spacing[0], (a[1] - b[1]) * spacing[1], (a[2] - b[2]) * spacing[2]);
}

function voxelOf(v: number, dims: Vec3): Vec3 {
  const i = v % dims[0];
  const j = Math.floor(v / dims[0]) % dims[1];
  const k = Math.floor(v / (dims[0] * dims[1]));
  return [i, j, k];
}

/** Visits the voxels of the box around the lesion that can hold tumour (reach 1) or oedema, with geometry. */
function forEachVoxel(
  lesion: PlacedLesion,
  dims: Vec3,
  spacing: Vec3,
  reachMm: number,
  visit: (v: number, d: number, ux: number, uy: number, uz: number) => boolean | void,
): boolean {
  const c = lesion.centreVoxel;
  const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor(c[a] - reachMm / spacing[a])));
  const hi = [0, 1, 2].map((a) => Math.min(dims[a] - 1, Math.ceil(c[a] + reachMm / spacing[a])));
  for (let k = lo[2]; k <= hi[2]; k++) {
    const z = (k - c[2]) * spacing[2];
    for (let j = lo[1]; j <= hi[1]; j++) {
      const y = (j - c[1]) * spacing[1];
      for (let i = lo[0]; i <= hi[0]; i++) {
        const x = (i - c[0]) * spacing[0];
        const d = Math.hypot(x, y, z);
        if (d > reachMm) continue;
        const inv = d > 0 ? 1 / d : 0;
        if (visit(i + dims[0] * (j + dims[1] * k), d, x * inv, y * inv, z * inv) === false) return false;
      }
    }
  }
  return true;
}

/** Every voxel within one voxel of the tumour surface lies in the brain, so the skull strip never cuts a lesion. */
function insideBrain(lesion: PlacedLesion, maps: PlacementMaps): boolean {
  const margin = Math.max(...maps.spacing);
  const reach = lesion.radiusMm * lesion.surface.max + margin;
  return forEachVoxel(lesion, maps.dims, maps.spacing, reach, (v, d, ux, uy, uz) => {
    if (d <= lesion.radiusMm * lesion.surface.at(ux, uy, uz) + margin && maps.brain[v] < 0.5) return false;
  });
}

function paintLesion(lesion: PlacedLesion, id: number, maps: Pick<PlacementMaps, 'dims' | 'spacing' | 'brain' | 'wm' | 'gm'>, out: LesionMaps): void {
  const p = lesion.phenotype;
  const h = Math.cbrt(maps.spacing[0] * maps.spacing[1] * maps.spacing[2]);
  const ring = p.enhancement === 'ring';
  // The oedema's soft edge ends at most OEDEMA_SOFTNESS / 2 beyond its reach, which the box must include.
  const reach = (1 + OEDEMA_SOFTNESS) * lesion.radiusMm * lesion.surface.max * (1 + p.oedemaRatio * lesion.oedema.max) + 2 * h;
  const off = lesion.coreOffsetMm;
  // Oedema next to the tumour involves every tissue; further out it follows white matter (finger-like spread).
  const sparesCortexBeyondMm = 3;
  forEachVoxel(lesion, maps.dims, maps.spacing, reach, (v, d, ux, uy, uz) => {
    const rl = lesion.radiusMm * lesion.surface.at(ux, uy, uz);
    const ro = rl * (1 + p.oedemaRatio * lesion.oedema.at(ux, uy, uz));
    const soft = Math.max(h, OEDEMA_SOFTNESS * (ro - rl));
    if (d >= ro + soft / 2 && d >= rl + h / 2) return;
    const tumour = clamp01(0.5 + (rl - d) / h);
    // The core is measured from its own (shifted) centre and stops a voxel inside the surface: a rim always remains.
    let core = 0;
    let inCore = false;
    if (ring) {
      const cx = ux * d - off[0];
      const cy = uy * d - off[1];
      const cz = uz * d - off[2];
      const dc = Math.hypot(cx, cy, cz);
      const rc = rl * p.coreFraction * lesion.core.at(cx, cy, cz);
      core = Math.min(clamp01(0.5 + (rc - dc) / h), clamp01(0.5 + (rl - h - d) / h));
      inCore = dc <= rc && d <= rl - h;
    }
    const tissue = d <= rl + sparesCortexBeyondMm ? 1 : clamp01(maps.wm[v] + 0.25 * maps.gm[v]);
    const oedema = clamp01(0.5 + (ro - d) / soft) * tissue * (1 - tumour) * (maps.brain[v] >= 0.5 ? 1 : 0);
    if (tumour > out.enhancing[v] + out.necrotic[v]) {
      out.enhancing[v] = tumour - core;
      out.necrotic[v] = core;
      out.owner[v] = id;
    }
    out.oedema[v] = Math.max(out.oedema[v], oedema);
    if (d <= rl) {
      const label = inCore ? LESION_LABEL.necrotic : LESION_LABEL.enhancing;
      out.labels[v] = label;
      if (label === LESION_LABEL.necrotic) lesion.voxels.necrotic++;
      else lesion.voxels.enhancing++;
    } else if (oedema >= 0.5 && out.labels[v] === 0) {
      out.labels[v] = LESION_LABEL.oedema;
      lesion.voxels.oedema++;
    }
  });
}

/** Width of the oedema's fading edge as a fraction of its reach beyond the tumour. */
const OEDEMA_SOFTNESS = 0.15;

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
