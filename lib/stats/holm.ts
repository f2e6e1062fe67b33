/**
 * Holm's step-down adjustment of p-values for multiple comparisons (Holm, Scand. J. Statist. 1979), controlling the
 * family-wise error rate. With the m defined p-values sorted ascending, p₍₁₎ ≤ ... ≤ p₍ₘ₎, the adjusted values are
 * p̃₍ᵢ₎ = min(1, max_{j ≤ i} (m - j + 1)·p₍ⱼ₎): the running maximum makes them non-decreasing in sorted order, so a
 * hypothesis is never rejected after a smaller p-value was not. Equal p-values get equal adjusted values.
 * statsmodels.stats.multitest.multipletests(p, method='holm')[1] and R's p.adjust(p, 'holm').
 *
 * null or NaN entries (a comparison that could not be made) are not counted in m and come back as null; the result
 * is in the input order. Throws a RangeError for a defined value outside [0, 1].
 */
export function holm(pValues: readonly (number | null)[]): (number | null)[] {
  const defined: number[] = [];
  pValues.forEach((p, i) => {
    if (p === null || Number.isNaN(p)) return;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-value at position ${i} is ${p}, not in [0, 1]`);
    defined.push(i);
  });
  const order = defined.sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const m = order.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] as number)));
    adjusted[index] = running;
  });
  return adjusted;
}
