/**
 * Percentiles with linear interpolation between the two nearest ranks, exactly as numpy's default
 * `np.percentile(values, q)` (method 'linear'): with the values sorted ascending as x[0..n-1],
 * h = (n - 1) * q / 100 and the result is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * NaN for an empty input, so a caller decides what an undefined percentile means.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  return percentiles(values, [q])[0];
}

/** Several percentiles of the same values with one sort (sorting dominates on whole volumes). */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  for (const q of qs) {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  }
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => {
    const h = ((n - 1) * q) / 100;
    const lo = Math.floor(h);
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
  });
}

/** The median (the 50th percentile: the mean of the two middle values for an even count). */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}
