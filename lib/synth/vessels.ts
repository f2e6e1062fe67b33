import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';
import { drawVoxel, voxelSampler } from './sampling';

/**
 * Enhancing vessels of a post-contrast T1: random smooth tubes that start in the sulci and cisterns (where cortical
 * veins and arteries run) and wander with a slowly turning direction until they leave the brain or reach their
 * length. Each case draws its own, so that bright dots and lines, a classic mimic of small metastases on 2D slices,
 * appear in every scan but never in the same place.
 */
export interface VesselConfig {
  count: number;
  lengthMm: [number, number];
  radiusMm: [number, number];
  /** SD of the direction change per millimetre (radians): the tortuosity. */
  turnPerMm: number;
  /** Vessels start no deeper than this below the brain surface: in sulci and cisterns, not in the ventricles. */
  maxStartDepthMm: number;
}

export const defaultVesselConfig: VesselConfig = {
  count: 60,
  lengthMm: [10, 60],
  radiusMm: [0.4, 1.0],
  turnPerMm: 0.12,
  maxStartDepthMm: 12,
};

/**
 * A 0..1 partial-volume map of vessel lumen. Vessels start where there is CSF (`csf`, the CSF fraction) within
 * `maxStartDepthMm` of the brain surface (`depth`, mm).
 */
export function paintVessels(
  rng: Rng,
  dims: Vec3,
  spacing: Vec3,
  brain: Float32Array,
  csf: Float32Array,
  depth: Float32Array,
  config: VesselConfig = defaultVesselConfig,
): Float32Array {
  const n = dims[0] * dims[1] * dims[2];
  const out = new Float32Array(n);
  const starts = voxelSampler(csf, (v) => brain[v] >= 0.5 && depth[v] <= config.maxStartDepthMm);
  if (starts.total === 0) return out;
  const h = Math.min(...spacing);
  const stepMm = h / 2;
  for (let s = 0; s < config.count; s++) {
    const v = drawVoxel(rng, starts);
    const p: Vec3 = [v % dims[0], Math.floor(v / dims[0]) % dims[1], Math.floor(v / (dims[0] * dims[1]))];
    let dir = randomUnit(rng);
    const length = rng.uniform(config.lengthMm[0], config.lengthMm[1]);
    const radius = rng.uniform(config.radiusMm[0], config.radiusMm[1]);
    for (let t = 0; t < length; t += stepMm) {
      const q = Math.round(p[0]) + dims[0] * (Math.round(p[1]) + dims[1] * Math.round(p[2]));
      if (!(q >= 0 && q < n) || brain[q] < 0.5) break;
      // Vessels taper towards their end.
      paintBall(out, dims, spacing, p, radius * (1 - (0.5 * t) / length), h);
      const turn = randomUnit(rng);
      const a = config.turnPerMm * Math.sqrt(stepMm);
      dir = normalise([dir[0] + a * turn[0], dir[1] + a * turn[1], dir[2] + a * turn[2]]);
      for (let ax = 0; ax < 3; ax++) p[ax] += (dir[ax] * stepMm) / spacing[ax];
      if (p.some((c, ax) => c < 0 || c > dims[ax] - 1)) break;
    }
  }
  return out;
}

function paintBall(out: Float32Array, dims: Vec3, spacing: Vec3, c: Vec3, r: number, h: number): void {
  const reach = r + h;
  const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor(c[a] - reach / spacing[a])));
  const hi = [0, 1, 2].map((a) => Math.min(dims[a] - 1, Math.ceil(c[a] + reach / spacing[a])));
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) {
        const d = Math.hypot((i - c[0]) * spacing[0], (j - c[1]) * spacing[1], (k - c[2]) * spacing[2]);
        // A tube thinner than a voxel fills only part of it: the partial-volume fraction falls with the voxel size.
        const w = Math.min(1, (2 * r) / h) * Math.max(0, Math.min(1, 0.5 + (r - d) / h));
        const v = i + dims[0] * (j + dims[1] * k);
        if (w > out[v]) out[v] = w;
      }
    }
  }
}

function randomUnit(rng: Rng): Vec3 {
  const z = rng.uniform(-1, 1);
  const phi = rng.uniform(0, 2 * Math.PI);
  const r = Math.sqrt(1 - z * z);
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

function normalise(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
