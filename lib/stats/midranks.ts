/**
 * Mid-ranks ("average" ranks): the 1-based ranks of the values in ascending order, tied values sharing the mean of
 * the ranks they span, as scipy.stats.rankdata(values, method='average'). The Wilcoxon statistic ranks |d| this way
 * and the fast DeLong algorithm (Sun & Xu 2014) builds the AUC's structural components from them. `tieSizes` lists
 * the size of every group of two or more equal values, for the tie corrections. Values must not be NaN.
 */
export function midranks(values: ArrayLike<number>): { ranks: Float64Array; tieSizes: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 (0-based) hold equal values: each gets the mean of the 1-based ranks start+1..end.
    const rank = (start + 1 + end) / 2;
    for (let r = start; r < end; r++) ranks[order[r]] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}
