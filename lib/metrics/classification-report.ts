import { bootstrapBinaryCi, type BootstrapOptions, type ConfidenceInterval } from './bootstrap';
import { binaryClassificationMetrics, rocAuc, type BinaryClassificationMetrics } from './classification';

/** `BinaryClassificationMetrics` plus the bootstrap confidence interval of the AUC. */
export interface BinaryClassificationReport extends BinaryClassificationMetrics {
  /** Stratified percentile bootstrap interval of the AUC (`bootstrapBinaryCi`); null when the AUC is undefined. */
  aucCi: ConfidenceInterval | null;
}

/**
 * The metrics of binary predictions at `threshold` with a seeded bootstrap interval of the AUC: the one summary the
 * command line and the evaluation report both print.
 */
export function binaryClassificationReport(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
  bootstrap: Partial<BootstrapOptions> = {},
): BinaryClassificationReport {
  const m = binaryClassificationMetrics(labels, scores, threshold);
  const aucCi = m.auc === null ? null : bootstrapBinaryCi(labels, scores, rocAuc, bootstrap);
  return { ...m, aucCi };
}
