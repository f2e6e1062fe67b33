import { argmax, oneVsRestAuc, rankAuc } from '../util/ranking';
import { Rng } from '../util/rng';
import {
  EGFR_CLASSES,
  assignLabels,
  classPrior,
  drawPhenotype,
  posteriorGivenLatent,
  posteriorGivenPhenotype,
  type EgfrConfig,
  type PatientPhenotype,
} from './egfr-phenotype';

/**
 * How well the label-generating rule itself predicts the recorded labels: the ceiling a model could approach.
 * `latent`: the Bayes rule given each patient's latent score (the rule that generated the phenotype).
 * `phenotype`: the Bayes rule given the exact lesion phenotypes (count, sizes, enhancement, oedema) but not the
 * latent score: the tighter bound for a model that reads everything the images show about the label.
 */
export interface CeilingMetrics {
  accuracy: number;
  /** Binary: ROC AUC of P(mutant). 3-class: macro one-vs-rest AUC. Null when a class is missing. */
  auc: number | null;
  /** ROC AUC of any-mutant vs wild-type, scored by 1 - P(wildtype); equals `auc` in the binary scheme. */
  mutantAuc: number | null;
}

export interface Ceiling {
  latent: CeilingMetrics;
  phenotype: CeilingMetrics;
}

/** The ceiling measured on the given patients against their recorded labels. */
export function ceilingOf(patients: PatientPhenotype[], config: EgfrConfig): Ceiling {
  return {
    latent: metricsOf(patients, config, (p) => posteriorGivenLatent(p.latent, config)),
    phenotype: metricsOf(patients, config, (p) => posteriorGivenPhenotype(p.lesions, config)),
  };
}

/** Patients simulated for the expected ceiling: its binomial SE on an accuracy near 0.8 is about 0.006. */
export const EXPECTED_CEILING_PATIENTS = 4000;

const expectedCache = new Map<string, Ceiling>();

/**
 * The expected ceiling of a config: the same rule on `n` simulated patients (phenotypes only, no images) from a
 * fixed seed, so that it is a property of the config (memoised per process) against which a small cohort's own
 * ceiling can be read.
 */
export function expectedCeiling(config: EgfrConfig, n = EXPECTED_CEILING_PATIENTS): Ceiling {
  const key = JSON.stringify([config.scheme, config.difficulty, config.maxLesions, classPrior(config), n]);
  let c = expectedCache.get(key);
  if (!c) {
    const rng = new Rng(EXPECTED_CEILING_SEED);
    const patients = assignLabels(rng, n, config).map((label) => drawPhenotype(rng, label, config));
    c = ceilingOf(patients, config);
    expectedCache.set(key, c);
  }
  return c;
}

const EXPECTED_CEILING_SEED = 0x5eed;

function metricsOf(patients: PatientPhenotype[], config: EgfrConfig, posterior: (p: PatientPhenotype) => number[]): CeilingMetrics {
  const classes = EGFR_CLASSES[config.scheme];
  const labels = patients.map((p) => classes.indexOf(p.label));
  const probs = patients.map(posterior);
  const accuracy = labels.filter((l, i) => argmax(probs[i]) === l).length / labels.length;
  const mutant = labels.map((l) => (classes[l] === 'wildtype' ? 0 : 1));
  const mutantAuc = rankAuc(mutant, probs.map((p) => 1 - p[classes.indexOf('wildtype')]));
  return { accuracy, auc: classes.length === 2 ? mutantAuc : oneVsRestAuc(labels, probs, classes.length).macro, mutantAuc };
}
