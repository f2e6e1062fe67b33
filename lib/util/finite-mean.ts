/** The mean of the finite values (NaN and ±Infinity left out); NaN when there is none. */
export function finiteMean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  }
  return n ? s / n : NaN;
}
