import { DatasetError } from '../errors';
import { rocCurve } from './classification';

/** A decision threshold chosen on validation data, with the operating point it gives there. */
export interface ChosenThreshold {
  threshold: number;
  /** Youden's J = sensitivity + specificity - 1 = tpr - fpr at that threshold, on the data it was chosen on. */
  youdenJ: number;
  sensitivity: number;
  specificity: number;
}

/**
 * The threshold that maximises Youden's J (tpr - fpr) over the distinct scores of validation data, a case being
 * positive when its score is >= the threshold. Among equal maxima the highest threshold wins (the fewest cases
 * called positive), so the choice is deterministic. Choose it on validation data and apply it, unchanged, to the
 * test data: choosing on the test data would report an optimistic operating point.
 * Throws a `DatasetError` when only one class is present, since J is then undefined.
 */
export function youdenThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>): ChosenThreshold {
  const roc = rocCurve(labels, scores);
  if (!roc) throw new DatasetError('cannot choose a threshold: only one class present in the validation data');
  let best = roc[1];
  for (const p of roc.slice(2)) if (p.tpr - p.fpr > best.tpr - best.fpr) best = p;
  return { threshold: best.threshold, youdenJ: best.tpr - best.fpr, sensitivity: best.tpr, specificity: 1 - best.fpr };
}
