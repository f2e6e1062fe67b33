/**
 * The standard normal distribution: CDF, survival function and quantile, to near machine precision.
 *
 * No other module has one to reuse: `synth/egfr-phenotype.ts` keeps a private Abramowitz-Stegun 7.1.26 CDF with an
 * absolute error of 1.5e-7, too coarse for p-values, and `tf.erf` runs on a backend in float32.
 *
 * The CDF is built from two textbook expansions (Abramowitz & Stegun, Handbook of Mathematical Functions, 1964),
 * with φ(x) = exp(-x²/2) / √(2π):
 * - 26.2.11, for |x| < 2: Φ(x) - 1/2 = φ(x) · Σₖ x^(2k+1) / (1·3·5···(2k+1)), a series of positive terms with
 *   no cancellation; the tail 1/2 - (Φ(x) - 1/2) loses at most a factor 22 (1/2 over Q(2) = 0.0228) of precision.
 * - 26.2.14, for |x| ≥ 2: Q(x) = 1 - Φ(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), the continued fraction of
 *   Mills' ratio, evaluated by the modified Lentz method; every quantity is positive, so the tail keeps its relative
 *   precision down to the underflow of φ (x ≈ 37.5).
 * Measured against mpmath at 50 digits on x in [-38, 9]: absolute error below 3e-16, and relative error in the lower
 * tail below 1e-14 wherever Φ(x) is a normal double (x > -37.6; the subnormal results below keep fewer bits).
 */

/** The switch between the series and the continued fraction: at 2 the series takes 25 terms, the fraction 106. */
const SERIES_LIMIT = 2;
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * φ(x) = exp(-x²/2) / √(2π), with x² split as in Cody's erfc (x = h + l, h = x rounded to 1/16): h² is exact, so the
 * rounding error of x² (relative error up to x²·ε in exp) is confined to the small (x - h)(x + h) term.
 */
function density(x: number): number {
  const h = Math.trunc(x * 16) / 16;
  return INV_SQRT_2PI * Math.exp(-0.5 * h * h) * Math.exp(-0.5 * (x - h) * (x + h));
}

/** Φ(x) - 1/2 by A&S 26.2.11, for |x| < SERIES_LIMIT (odd in x). */
function centralPart(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
    term *= x2 / (2 * k + 1);
    sum += term;
  }
  return density(x) * sum;
}

/**
 * Q(x) = 1 - Φ(x) by the continued fraction A&S 26.2.14, for x ≥ SERIES_LIMIT, by the modified Lentz method (Numerical
 * Recipes 3rd ed. §5.2). Its guards against a zero denominator are not needed: x > 0 and every partial numerator k > 0
 * keep c and d positive.
 */
function upperTail(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    d = 1 / (x + k * d);
    c = x + k / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return density(x) / f;
}

/** Φ(x) = P(Z ≤ x) for a standard normal Z; 0 and 1 at ∓Infinity, NaN for NaN. Matches scipy.special.ndtr. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  // Q(40) ≈ 4e-350 is below the smallest double: the tails are exactly 0 and 1 from there (and ±Infinity).
  if (Math.abs(x) > 40) return x > 0 ? 1 : 0;
  if (Math.abs(x) < SERIES_LIMIT) return 0.5 + centralPart(x);
  return x > 0 ? 1 - upperTail(x) : upperTail(-x);
}

/** Q(x) = 1 - Φ(x) = Φ(-x), computed without the cancellation of 1 - Φ(x) in the upper tail (scipy's norm.sf). */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/** Φ(x) - q, for x ≤ 0 and q ≤ 1/2, in the form that keeps its relative precision in each region. */
function cdfMinus(x: number, q: number): number {
  return x > -SERIES_LIMIT ? centralPart(x) - (q - 0.5) : upperTail(-x) - q;
}

/**
 * Φ⁻¹(p): the x with Φ(x) = p (scipy.special.ndtri / norm.ppf); -Infinity at 0, Infinity at 1, NaN outside [0, 1].
 * Solved in the lower half, q = min(p, 1 - p) (1 - p is exact for p ≥ 1/2), from the start of A&S 26.2.23
 * (|error| < 4.5e-4) by Halley's iteration x ← x - t / (1 + x·t/2), t = (Φ(x) - q) / φ(x), which converges cubically.
 * Measured against mpmath on p in [1e-300, 1 - 1e-12]: one step leaves errors up to 6e-9 (far tail), two reach
 * relative error 1.5e-15; the third costs three evaluations and keeps that margin wherever the start is worse.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = Math.min(p, 1 - p);
  const t = Math.sqrt(-2 * Math.log(q));
  let x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (let i = 0; i < 3; i++) {
    const step = cdfMinus(x, q) / density(x);
    x -= step / (1 + (x * step) / 2);
  }
  return p > 0.5 ? -x : x;
}
