/**
 * Ranking primitives on scores, without input checks: for code that built its labels and scores itself (the
 * synthetic cohort's ceiling). The checked versions for user data, which name a bad position, are `rocAuc` and
 * `multiclassMetrics` in metrics/, built on these.
 */

/** Index of the largest value, the lowest index winning a tie (numpy's argmax); -1 for an empty row. */
export function argmax(row: ArrayLike<number>): number {
  if (row.length === 0) return -1;
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
}

/**
 * Area under the ROC curve as the Mann-Whitney statistic: the probability that a random positive case scores higher
 * than a random negative one, a tie counting one half. Computed from mid-ranks (tied scores share the mean of their
 * ranks) as (R₊ - n₊(n₊ + 1)/2) / (n₊·n₋), R₊ the rank sum of the positives; equal to the trapezoidal area under the
 * ROC curve and to scikit-learn's `roc_auc_score`. Labels must be 0 or 1 and scores finite. Null when only one class
 * is present (no pair to compare).
 */
export function rankAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const n = labels.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i];
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Ranks start..end-1 (0-based) are tied: each gets the 1-based mid-rank.
    const midRank = (start + 1 + end) / 2;
    for (let r = start; r < end; r++) if (labels[order[r]] === 1) rankSumPos += midRank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * One-vs-rest AUCs of class labels 0..k-1 against rows of k scores: perClass[c] is `rankAuc` of (label == c) against
 * column c, null when class c is absent or is every case; macro is their unweighted mean (scikit-learn's
 * roc_auc_score(multi_class='ovr', average='macro')), null when any class's AUC is.
 */
export function oneVsRestAuc(labels: ArrayLike<number>, scores: ArrayLike<ArrayLike<number>>, k: number): { perClass: (number | null)[]; macro: number | null } {
  const n = labels.length;
  const perClass = Array.from({ length: k }, (_, c) =>
    rankAuc(Float64Array.from({ length: n }, (_, i) => (labels[i] === c ? 1 : 0)), Float64Array.from({ length: n }, (_, i) => scores[i][c])));
  const macro = perClass.every((a) => a !== null) ? (perClass as number[]).reduce((a, b) => a + b, 0) / k : null;
  return { perClass, macro };
}
