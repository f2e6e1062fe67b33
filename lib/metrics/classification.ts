import { DatasetError } from '../errors';
import { rankAuc } from '../util/ranking';

/**
 * Checks a binary classification input: as many scores as labels, at least one case, labels exactly 0 or 1 and
 * finite scores. Throws a `DatasetError` naming the first bad position.
 */
export function assertBinaryInput(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new DatasetError(`${labels.length} labels but ${scores.length} scores`);
  }
  if (labels.length === 0) throw new DatasetError('no cases to score');
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new DatasetError(`label at position ${i} is ${labels[i]}, not 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new DatasetError(`score at position ${i} is ${scores[i]}, not a finite number`);
  }
}

/**
 * Area under the ROC curve (`rankAuc`: the Mann-Whitney statistic from mid-ranks, equal to the trapezoidal area
 * under `rocCurve` and to scikit-learn's `roc_auc_score`) after checking the input. Null when only one class is
 * present (no pair to compare).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  assertBinaryInput(labels, scores);
  return rankAuc(labels, scores);
}

/** One operating point: cases with score >= threshold are called positive. */
export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/**
 * The full ROC curve: one point per distinct score, thresholds descending, a case called positive when its score is
 * >= the threshold, starting at (fpr 0, tpr 0) with threshold +Infinity and ending at (1, 1). Every distinct
 * threshold is kept (scikit-learn's `roc_curve(..., drop_intermediate=False)`). Null when only one class is present.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] | null {
  assertBinaryInput(labels, scores);
  const n = labels.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i];
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    if (labels[order[r]] === 1) tp++;
    else fp++;
    if (r + 1 < n && scores[order[r + 1]] === scores[order[r]]) continue;
    points.push({ threshold: scores[order[r]], fpr: fp / nNeg, tpr: tp / nPos });
  }
  return points;
}

/** Counts at a threshold; rows of the usual 2x2 table. */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** The confusion matrix when a case is called positive if its score is >= `threshold`. */
export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ConfusionMatrix {
  assertBinaryInput(labels, scores);
  const c: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const called = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (called) c.tp++;
      else c.fn++;
    } else if (called) c.fp++;
    else c.tn++;
  }
  return c;
}

/**
 * Brier score: the mean of (score - label)², for scores that are probabilities. Null when a score lies outside
 * [0, 1], since the score is then not a probability and the number would mean nothing.
 */
export function brierScore(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  assertBinaryInput(labels, scores);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (scores[i] < 0 || scores[i] > 1) return null;
    sum += (scores[i] - labels[i]) ** 2;
  }
  return sum / labels.length;
}

/**
 * Binary classification metrics at one threshold (a case is positive when score >= threshold):
 * accuracy = (TP + TN) / n; sensitivity = TP / (TP + FN); specificity = TN / (TN + FP); ppv = TP / (TP + FP);
 * npv = TN / (TN + FN); f1 = 2·TP / (2·TP + FP + FN); balancedAccuracy = (sensitivity + specificity) / 2; plus the
 * threshold-free auc (`rocAuc`), brier (`brierScore`) and roc (`rocCurve`).
 * A metric whose denominator is zero, or an AUC/ROC with a single class present, is null, and `undefinedBecause`
 * says why for each such key, so a JSON report is always well-formed and self-explaining.
 */
export interface BinaryClassificationMetrics {
  n: number;
  positives: number;
  negatives: number;
  threshold: number;
  auc: number | null;
  accuracy: number;
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
  f1: number | null;
  balancedAccuracy: number | null;
  brier: number | null;
  confusion: ConfusionMatrix;
  roc: RocPoint[] | null;
  undefinedBecause: Partial<Record<UndefinableKey, string>>;
}

type UndefinableKey = 'auc' | 'sensitivity' | 'specificity' | 'ppv' | 'npv' | 'f1' | 'balancedAccuracy' | 'brier' | 'roc';

export function binaryClassificationMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): BinaryClassificationMetrics {
  const confusion = confusionAt(labels, scores, threshold);
  const { tp, fp, tn, fn } = confusion;
  const why: Partial<Record<UndefinableKey, string>> = {};
  const ratio = (key: UndefinableKey, num: number, den: number, reason: string): number | null => {
    if (den > 0) return num / den;
    why[key] = reason;
    return null;
  };
  const sensitivity = ratio('sensitivity', tp, tp + fn, 'no positive cases');
  const specificity = ratio('specificity', tn, tn + fp, 'no negative cases');
  const ppv = ratio('ppv', tp, tp + fp, 'no case called positive');
  const npv = ratio('npv', tn, tn + fn, 'no case called negative');
  const f1 = ratio('f1', 2 * tp, 2 * tp + fp + fn, 'no positive cases and none called positive');
  let balancedAccuracy: number | null = null;
  if (sensitivity !== null && specificity !== null) balancedAccuracy = (sensitivity + specificity) / 2;
  else why.balancedAccuracy = 'sensitivity or specificity undefined: only one class present';
  const auc = rocAuc(labels, scores);
  const roc = rocCurve(labels, scores);
  if (auc === null) why.auc = why.roc = `only one class present (${tp + fn} positive, ${tn + fp} negative)`;
  const brier = brierScore(labels, scores);
  if (brier === null) why.brier = 'scores outside [0, 1] are not probabilities';
  return {
    n: labels.length,
    positives: tp + fn,
    negatives: tn + fp,
    threshold,
    auc,
    accuracy: (tp + tn) / labels.length,
    sensitivity,
    specificity,
    ppv,
    npv,
    f1,
    balancedAccuracy,
    brier,
    confusion,
    roc,
    undefinedBecause: why,
  };
}
