import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';

/**
 * Lobulated shapes: a radius that varies smoothly with direction, 1 + Σ a (exp(κ(u·v - 1)) - mean) over a few
 * von Mises bumps (direction v, amplitude a, concentration κ). The bump's mean over the sphere, (1 - e^{-2κ}) / 2κ,
 * is subtracted so that lobulation reshapes a lesion without changing its average size. Painting evaluates the
 * factor at every voxel of a lesion's box, so it is tabulated once on a cube map and read back bilinearly.
 */
export interface Lobe {
  direction: Vec3;
  amplitude: number;
  kappa: number;
}

export function drawLobes(rng: Rng, count: number, amplitude: [number, number], kappa: [number, number]): Lobe[] {
  return Array.from({ length: count }, () => ({
    direction: randomDirection(rng),
    amplitude: rng.uniform(amplitude[0], amplitude[1]),
    kappa: rng.uniform(kappa[0], kappa[1]),
  }));
}

export function randomDirection(rng: Rng): Vec3 {
  const z = rng.uniform(-1, 1);
  const phi = rng.uniform(0, 2 * Math.PI);
  const r = Math.sqrt(1 - z * z);
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

/** The radius factor in unit direction u, never below 0.4 (a bump cannot pinch the shape to a point). */
export function radiusFactor(lobes: Lobe[], ux: number, uy: number, uz: number): number {
  let f = 1;
  for (const l of lobes) {
    const c = ux * l.direction[0] + uy * l.direction[1] + uz * l.direction[2];
    f += l.amplitude * (Math.exp(l.kappa * (c - 1)) - (1 - Math.exp(-2 * l.kappa)) / (2 * l.kappa));
  }
  return Math.max(0.4, f);
}

/** Cells per cube face edge: the bumps are at least ~20 degrees wide, so 32 cells (under 3 degrees) resolve them. */
const FACE = 32;

/** `radiusFactor` tabulated on a cube map; `max` is the largest tabulated value (a tight bound on the shape). */
export class LobeTable {
  readonly max: number;
  private readonly values: Float32Array;

  constructor(lobes: Lobe[]) {
    const n = FACE + 1;
    this.values = new Float32Array(6 * n * n);
    let max = 0;
    for (let face = 0; face < 6; face++) {
      for (let b = 0; b < n; b++) {
        for (let a = 0; a < n; a++) {
          const u = [0, 0, 0];
          const s = (2 * a) / FACE - 1;
          const t = (2 * b) / FACE - 1;
          const axis = face >> 1;
          u[axis] = face & 1 ? -1 : 1;
          u[(axis + 1) % 3] = s;
          u[(axis + 2) % 3] = t;
          const l = Math.hypot(u[0], u[1], u[2]);
          const f = radiusFactor(lobes, u[0] / l, u[1] / l, u[2] / l);
          this.values[(face * n + b) * n + a] = f;
          max = Math.max(max, f);
        }
      }
    }
    this.max = max;
  }

  /** The factor in direction (x, y, z), which need not be normalised; 1 at the origin. */
  at(x: number, y: number, z: number): number {
    const ax = Math.abs(x);
    const ay = Math.abs(y);
    const az = Math.abs(z);
    let axis: number;
    let m: number;
    if (ax >= ay && ax >= az) {
      axis = 0;
      m = ax;
    } else if (ay >= az) {
      axis = 1;
      m = ay;
    } else {
      axis = 2;
      m = az;
    }
    if (m === 0) return 1;
    const c = [x, y, z];
    const face = 2 * axis + (c[axis] < 0 ? 1 : 0);
    const s = ((c[(axis + 1) % 3] / m + 1) * FACE) / 2;
    const t = ((c[(axis + 2) % 3] / m + 1) * FACE) / 2;
    const a0 = Math.min(FACE - 1, Math.floor(s));
    const b0 = Math.min(FACE - 1, Math.floor(t));
    const fa = s - a0;
    const fb = t - b0;
    const n = FACE + 1;
    const base = (face * n + b0) * n + a0;
    const v = this.values;
    return (1 - fb) * ((1 - fa) * v[base] + fa * v[base + 1]) + fb * ((1 - fa) * v[base + n] + fa * v[base + n + 1]);
  }
}
