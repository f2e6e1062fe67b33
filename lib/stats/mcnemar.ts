import { DatasetError } from '../errors';

export interface McnemarResult {
  /** Patients (pairs of decisions). */
  n: number;
  /** Discordant pairs: the variant right and the reference wrong (b), and the other way round (c). */
  b: number;
  c: number;
  accuracy_variant: number;
  accuracy_reference: number;
  /** accuracy_variant - accuracy_reference, computed as (b - c) / n. */
  accuracy_diff: number;
  /** Two-sided exact p-value. */
  p: number;
}

/**
 * Exact McNemar test of paired correct/incorrect decisions (e.g. EGFR status called right or wrong per patient) of
 * two variants on the same patients. Concordant pairs carry no information; under the null each of the k = b + c
 * discordant pairs favours either variant with probability ½, so b ~ Binomial(k, ½).
 *
 * p is scipy.stats.binomtest(b, k, 0.5).pvalue (two-sided), which sums the probabilities of the outcomes no more
 * likely than the observed one (within a relative 1e-7) rather than doubling a tail. With p = ½ the binomial is
 * symmetric and unimodal, so (for min(b, c) below 10^7, where neighbouring probabilities differ by more than 1e-7)
 * those outcomes are exactly X ≤ min(b, c) and X ≥ max(b, c), and the two definitions agree:
 * p = min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(k, ½). b = c gives 1 (as scipy), and so does k = 0 (no discordant pair).
 */
export function mcnemar(variantCorrect: ArrayLike<boolean>, referenceCorrect: ArrayLike<boolean>): McnemarResult {
  const n = variantCorrect.length;
  if (referenceCorrect.length !== n) throw new DatasetError(`${n} decisions of the variant but ${referenceCorrect.length} of the reference`);
  if (n === 0) throw new DatasetError('no patients to compare');
  let b = 0;
  let c = 0;
  let rightVariant = 0;
  let rightReference = 0;
  for (let i = 0; i < n; i++) {
    if (variantCorrect[i]) rightVariant++;
    if (referenceCorrect[i]) rightReference++;
    if (variantCorrect[i] && !referenceCorrect[i]) b++;
    if (!variantCorrect[i] && referenceCorrect[i]) c++;
  }
  return {
    n,
    b,
    c,
    accuracy_variant: rightVariant / n,
    accuracy_reference: rightReference / n,
    accuracy_diff: (b - c) / n,
    p: Math.min(1, 2 * binomialHalfLowerTail(b + c, Math.min(b, c))),
  };
}

/**
 * P(X ≤ j) for X ~ Binomial(k, ½) and j ≤ k/2, without overflow or underflow for any k: the terms are summed relative
 * to the largest one, P(X = j) (ratios P(X = i - 1) / P(X = i) = i / (k - i + 1)), and P(X = j) = C(k, j) / 2^k is
 * built as a product whose factors of ½ are spent as soon as it exceeds 1, so it never overflows.
 */
function binomialHalfLowerTail(k: number, j: number): number {
  let relative = 1;
  let sum = 1;
  for (let i = j; i > 0; i--) {
    relative *= i / (k - i + 1);
    sum += relative;
  }
  let top = 1;
  let halvings = k;
  for (let i = 1; i <= j; i++) {
    top *= (k - j + i) / i;
    while (top > 1 && halvings > 0) {
      top /= 2;
      halvings--;
    }
  }
  return sum * top * 2 ** -halvings;
}
