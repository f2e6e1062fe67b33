import { DatasetError } from '../errors';
import { argmax, oneVsRestAuc } from '../util/ranking';

/**
 * Multi-class metrics (e.g. 3-class EGFR status) from class labels 0..K-1 and per-case class probabilities (one row
 * of K scores per case):
 * - predicted class = argmax of the row, the lowest index winning a tie (numpy's argmax);
 * - accuracy = fraction of cases whose predicted class is the label;
 * - confusion[t][p] = cases of true class t predicted as p (rows true, columns predicted, as scikit-learn);
 * - perClassSensitivity[k] = confusion[k][k] / cases of class k (recall), null when class k has no cases;
 * - perClassAuc[k] = the ROC AUC of (label == k) against column k (one-vs-rest, `oneVsRestAuc`);
 * - macroAucOvr = unweighted mean of perClassAuc, as scikit-learn's roc_auc_score(multi_class='ovr',
 *   average='macro'); null when some class is absent or is every case (its one-vs-rest AUC is then undefined), with
 *   the reason in `undefinedBecause`.
 */
export interface MulticlassMetrics {
  n: number;
  numClasses: number;
  accuracy: number;
  macroAucOvr: number | null;
  perClassAuc: (number | null)[];
  perClassSensitivity: (number | null)[];
  confusion: number[][];
  undefinedBecause: { macroAucOvr?: string };
}

export function multiclassMetrics(labels: ArrayLike<number>, probabilities: ArrayLike<ArrayLike<number>>): MulticlassMetrics {
  const n = labels.length;
  if (n === 0) throw new DatasetError('no cases to score');
  if (probabilities.length !== n) throw new DatasetError(`${n} labels but ${probabilities.length} probability rows`);
  const k = probabilities[0].length;
  if (k < 2) throw new DatasetError(`need at least 2 classes, got rows of ${k} probabilities`);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = probabilities[i];
    if (row.length !== k) throw new DatasetError(`probability row ${i} has ${row.length} values, row 0 has ${k}`);
    const t = labels[i];
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new DatasetError(`label at position ${i} is ${t}, not a class in 0..${k - 1}`);
    for (let c = 0; c < k; c++) {
      if (!Number.isFinite(row[c])) throw new DatasetError(`probability ${c} of row ${i} is ${row[c]}, not a finite number`);
    }
    const best = argmax(row);
    confusion[t][best]++;
    if (best === t) correct++;
  }
  const perClassSensitivity = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total > 0 ? row[c] / total : null;
  });
  const { perClass: perClassAuc, macro: macroAucOvr } = oneVsRestAuc(labels, probabilities, k);
  const undefinedClasses = perClassAuc.flatMap((a, c) => (a === null ? [c] : []));
  return {
    n,
    numClasses: k,
    accuracy: correct / n,
    macroAucOvr,
    perClassAuc,
    perClassSensitivity,
    confusion,
    undefinedBecause:
      macroAucOvr === null
        ? { macroAucOvr: `one-vs-rest AUC undefined for class ${undefinedClasses.join(', ')}: absent or the only class present` }
        : {},
  };
}
