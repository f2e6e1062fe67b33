import type { Vec3 } from '../volume/volume';
import type { Rng } from '../util/rng';

/**
 * Smooth scalar fields on a voxel grid (x fastest, as `Volume`): separable Gaussian blur and cubic B-spline
 * upsampling of a coarse random lattice. The generator draws every smooth random quantity (elastic displacement,
 * bias field, enhancement texture) as a few random numbers on a coarse lattice upsampled this way, which is far
 * cheaper than blurring white noise at full resolution and gives a field whose smoothness is set by the lattice step.
 */

/** Blurs `data` in place along each axis with a Gaussian of the given standard deviation in voxels (0 skips it). */
export function gaussianBlur(data: Float32Array, dims: Vec3, sigmaVoxels: Vec3): Float32Array {
  for (let axis = 0; axis < 3; axis++) {
    const sigma = sigmaVoxels[axis];
    if (sigma > 0) convolveAxis(data, dims, axis, gaussianKernel(sigma));
  }
  return data;
}

/** Blurs in place along z with a box of `width` voxels (possibly fractional: the end taps get the remainder). */
export function boxBlurZ(data: Float32Array, dims: Vec3, width: number): Float32Array {
  if (width <= 1) return data;
  const half = width / 2;
  const reach = Math.ceil(half - 0.5);
  const kernel = new Float32Array(2 * reach + 1);
  for (let t = -reach; t <= reach; t++) kernel[t + reach] = Math.max(0, Math.min(1, half + 0.5 - Math.abs(t)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  for (let t = 0; t < kernel.length; t++) kernel[t] /= sum;
  convolveAxis(data, dims, 2, kernel);
  return data;
}

function gaussianKernel(sigma: number): Float32Array {
  const reach = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * reach + 1);
  let sum = 0;
  for (let t = -reach; t <= reach; t++) {
    k[t + reach] = Math.exp((-0.5 * t * t) / (sigma * sigma));
    sum += k[t + reach];
  }
  for (let t = 0; t < k.length; t++) k[t] /= sum;
  return k;
}

/** 1D convolution along one axis with edge clamping, so a blurred field keeps its level at the grid border. */
function convolveAxis(data: Float32Array, dims: Vec3, axis: number, kernel: Float32Array): void {
  const [nx, ny, nz] = dims;
  const len = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const reach = (kernel.length - 1) / 2;
  const line = new Float32Array(len);
  const lines = (nx * ny * nz) / len;
  for (let l = 0; l < lines; l++) {
    let start: number;
    if (axis === 0) start = l * nx;
    else if (axis === 1) start = (l % nx) + nx * ny * Math.floor(l / nx);
    else start = l;
    for (let t = 0; t < len; t++) line[t] = data[start + t * stride];
    for (let t = 0; t < len; t++) {
      let acc = 0;
      for (let q = -reach; q <= reach; q++) {
        const s = t + q < 0 ? 0 : t + q >= len ? len - 1 : t + q;
        acc += kernel[q + reach] * line[s];
      }
      data[start + t * stride] = acc;
    }
  }
}

/** Cubic B-spline basis weights for the four lattice nodes around fractional offset f in [0, 1). */
function bsplineWeights(f: number, out: Float64Array): void {
  const f2 = f * f;
  const f3 = f2 * f;
  out[0] = (1 - 3 * f + 3 * f2 - f3) / 6;
  out[1] = (4 - 6 * f2 + 3 * f3) / 6;
  out[2] = (1 + 3 * f + 3 * f2 - 3 * f3) / 6;
  out[3] = f3 / 6;
}

/**
 * Upsamples a coarse lattice to `dims` with a cubic B-spline, one axis at a time. Lattice node c sits at voxel
 * (c - 1) * step, so the lattice needs floor((n - 1) / step) + 4 nodes per axis to cover n voxels (see
 * `latticeDims`). The result is C2-smooth, which keeps a deformation built from it free of creases.
 */
export function bsplineUpsample(coarse: Float32Array, coarseDims: Vec3, dims: Vec3, step: Vec3): Float32Array {
  let cur = coarse;
  let curDims: Vec3 = [...coarseDims];
  const w = new Float64Array(4);
  for (let axis = 0; axis < 3; axis++) {
    const outDims: Vec3 = [...curDims];
    outDims[axis] = dims[axis];
    const out = new Float32Array(outDims[0] * outDims[1] * outDims[2]);
    const inStride = axis === 0 ? 1 : axis === 1 ? curDims[0] : curDims[0] * curDims[1];
    const outStride = axis === 0 ? 1 : axis === 1 ? outDims[0] : outDims[0] * outDims[1];
    const [ox, oy, oz] = outDims;
    for (let t = 0; t < dims[axis]; t++) {
      const u = t / step[axis];
      const c = Math.floor(u);
      bsplineWeights(u - c, w);
      for (let k = 0; k < (axis === 2 ? 1 : oz); k++) {
        for (let j = 0; j < (axis === 1 ? 1 : oy); j++) {
          for (let i = 0; i < (axis === 0 ? 1 : ox); i++) {
            const base = i + curDims[0] * (j + curDims[1] * k);
            const src = base + c * inStride;
            const v = w[0] * cur[src] + w[1] * cur[src + inStride] + w[2] * cur[src + 2 * inStride] + w[3] * cur[src + 3 * inStride];
            out[i + ox * (j + oy * k) + t * outStride] = v;
          }
        }
      }
    }
    cur = out;
    curDims = outDims;
  }
  return cur;
}

/** The coarse lattice dims `bsplineUpsample` needs to cover `dims` with nodes every `step` voxels. */
export function latticeDims(dims: Vec3, step: Vec3): Vec3 {
  return [0, 1, 2].map((a) => Math.floor((dims[a] - 1) / step[a]) + 4) as Vec3;
}

/**
 * A smooth random field with zero mean and (approximately) unit standard deviation whose correlation length is about
 * `stepMm`: independent normals on a lattice with that spacing, upsampled by cubic B-spline. The B-spline averages
 * neighbouring nodes, which shrinks the variance by a known factor; dividing by it restores unit SD.
 */
export function smoothRandomField(rng: Rng, dims: Vec3, spacing: Vec3, stepMm: number): Float32Array {
  const step = spacing.map((s) => Math.max(1, stepMm / s)) as Vec3;
  const cd = latticeDims(dims, step);
  const coarse = new Float32Array(cd[0] * cd[1] * cd[2]);
  for (let i = 0; i < coarse.length; i++) coarse[i] = rng.normal();
  const field = bsplineUpsample(coarse, cd, dims, step);
  // The variance of a B-spline-weighted sum of unit normals is, per axis, the mean sum of squared weights (≈ 0.48).
  const scale = 1 / Math.pow(BSPLINE_MEAN_SQUARED_WEIGHT_SUM, 1.5);
  for (let i = 0; i < field.length; i++) field[i] *= scale;
  return field;
}

/** The mean over f in [0, 1) of Σ w_i(f)², computed once by quadrature (the 1D variance factor of the spline). */
const BSPLINE_MEAN_SQUARED_WEIGHT_SUM = (() => {
  const w = new Float64Array(4);
  let acc = 0;
  const n = 1000;
  for (let t = 0; t < n; t++) {
    bsplineWeights((t + 0.5) / n, w);
    acc += w[0] * w[0] + w[1] * w[1] + w[2] * w[2] + w[3] * w[3];
  }
  return acc / n;
})();
