import { EGFR_CLASS_NAMES, type EgfrScheme } from '../data/egfr';
import { ConfigError } from '../errors';
import type { Rng } from '../util/rng';

/**
 * The label-generating rule of the synthetic cohort: each patient's EGFR status shifts a latent "mutant-likeness"
 * score z, and z shifts the distributions of the lesions' phenotype in the directions reported for EGFR-mutant
 * lung-cancer brain metastases (more and smaller lesions, more often solid enhancement, less perilesional oedema;
 * wild-type the reverse). The class means of z overlap by an amount set by the difficulty, and a fraction of the
 * recorded labels is flipped (label noise), so that even a perfect reader of the images has a known ceiling.
 * The effect sizes below are the generator's own choices, not estimates from patients.
 */

export type EgfrLabel = 'wildtype' | 'mutant' | '19del' | 'l858r';
export type Difficulty = 'easy' | 'medium' | 'hard';
export type Enhancement = 'solid' | 'ring';

/** The classes of each scheme, in the class-index order of the project's loader. */
export const EGFR_CLASSES = EGFR_CLASS_NAMES as Record<EgfrScheme, EgfrLabel[]>;

export interface DifficultySetting {
  /** SD of z around its class mean: the class overlap. */
  latentSd: number;
  /** Probability that a recorded label is replaced by another class (uniformly). */
  labelNoise: number;
}

export const DIFFICULTIES: Record<Difficulty, DifficultySetting> = {
  easy: { latentSd: 0.5, labelNoise: 0.02 },
  medium: { latentSd: 0.8, labelNoise: 0.05 },
  hard: { latentSd: 1.2, labelNoise: 0.1 },
};

/**
 * Phenotype distributions given z. Both mutant classes sit on the mutant side; 19del further out than L858R (the
 * generator's choice, so that the 3-class task has a direction to learn; the literature on 19del vs L858R brain
 * metastasis imaging is thin and inconsistent).
 */
export const PHENOTYPE_MODEL = {
  classMean: { wildtype: -1, mutant: 1, '19del': 1.25, l858r: 0.75 } as Record<EgfrLabel, number>,
  /** Lesion count = 1 + Poisson(exp(logRate + slope·z)), capped at `maxLesions` of the config. */
  count: { logRate: 0, slope: 0.55 },
  /** ln(diameter mm) ~ Normal(ln(median) + slope·z, sd), truncated to [min, max]. */
  diameter: { median: 13, slope: -0.35, sd: 0.45, minMm: 3, maxMm: 32 },
  /** P(ring) = logistic(intercept + slope·z + sizeSlope·ln(d / median)); below `minRingMm` a lesion is solid. */
  ring: { intercept: -0.3, slope: -1.1, sizeSlope: 2, minRingMm: 8 },
  /** Necrotic core radius / lesion radius for ring lesions, uniform (independent of z). */
  coreFraction: { min: 0.45, max: 0.75 },
  /** Oedema reach beyond the lesion edge / lesion radius: ln ~ Normal(ln(median) + slope·z, sd). */
  oedema: { median: 0.8, slope: -0.4, sd: 0.4 },
};

export interface EgfrConfig {
  scheme: EgfrScheme;
  /** Prior probability of each class of the scheme (normalised); default uniform. */
  prior?: Partial<Record<EgfrLabel, number>>;
  difficulty: Difficulty;
  maxLesions: number;
}

export interface LesionPhenotype {
  diameterMm: number;
  enhancement: Enhancement;
  /** Necrotic core radius as a fraction of the lesion radius (0 for solid lesions). */
  coreFraction: number;
  /** Oedema reach beyond the lesion edge, as a fraction of the lesion radius. */
  oedemaRatio: number;
}

export interface PatientPhenotype {
  /** The recorded label (after label noise): what labels.csv says. */
  label: EgfrLabel;
  /** The class that generated the phenotype. */
  generatingLabel: EgfrLabel;
  labelFlipped: boolean;
  latent: number;
  lesions: LesionPhenotype[];
}

/** The class priors of a config, normalised, in scheme order. */
export function classPrior(config: EgfrConfig): number[] {
  const classes = EGFR_CLASSES[config.scheme];
  const raw = classes.map((c) => config.prior?.[c] ?? 1);
  for (const key of Object.keys(config.prior ?? {})) {
    if (!classes.includes(key as EgfrLabel)) throw new ConfigError(`EGFR prior names '${key}', not a class of the ${config.scheme} scheme`);
  }
  if (raw.some((p) => !(p >= 0)) || raw.every((p) => p === 0)) throw new ConfigError('EGFR prior must be non-negative and not all zero');
  const s = raw.reduce((a, b) => a + b, 0);
  return raw.map((p) => p / s);
}

/**
 * Exact recorded-class counts for a cohort of n from the prior (largest remainder), shuffled: a cohort's label
 * balance is its prior, not a draw from it.
 */
export function assignLabels(rng: Rng, n: number, config: EgfrConfig): EgfrLabel[] {
  const classes = EGFR_CLASSES[config.scheme];
  const prior = classPrior(config);
  const counts = prior.map((p) => Math.floor(p * n));
  const order = prior.map((p, c) => ({ c, r: p * n - counts[c] })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let i = 0; counts.reduce((a, b) => a + b, 0) < n; i++) counts[order[i].c]++;
  const labels: EgfrLabel[] = [];
  classes.forEach((c, k) => {
    for (let i = 0; i < counts[k]; i++) labels.push(c);
  });
  return rng.shuffle(labels);
}

/**
 * Draws a patient given the recorded label (the one labels.csv will hold): with the difficulty's label-noise
 * probability the phenotype was generated by another class (uniformly), then the latent score and the lesions.
 */
export function drawPhenotype(rng: Rng, label: EgfrLabel, config: EgfrConfig): PatientPhenotype {
  const classes = EGFR_CLASSES[config.scheme];
  const setting = DIFFICULTIES[config.difficulty];
  const m = PHENOTYPE_MODEL;
  const labelFlipped = rng.bernoulli(setting.labelNoise);
  const generatingLabel = labelFlipped ? rng.pick(classes.filter((c) => c !== label)) : label;
  const latent = rng.normal(m.classMean[generatingLabel], setting.latentSd);
  const n = Math.min(config.maxLesions, 1 + poisson(rng, Math.exp(m.count.logRate + m.count.slope * latent)));
  const lesions: LesionPhenotype[] = [];
  for (let i = 0; i < n; i++) {
    const d = m.diameter;
    let diameterMm: number;
    do diameterMm = Math.exp(rng.normal(Math.log(d.median) + d.slope * latent, d.sd));
    while (diameterMm < d.minMm || diameterMm > d.maxMm);
    const ring = diameterMm >= m.ring.minRingMm && rng.bernoulli(ringProbability(latent, diameterMm));
    const coreFraction = ring ? rng.uniform(m.coreFraction.min, m.coreFraction.max) : 0;
    const oedemaRatio = Math.exp(rng.normal(Math.log(m.oedema.median) + m.oedema.slope * latent, m.oedema.sd));
    lesions.push({ diameterMm, enhancement: ring ? 'ring' : 'solid', coreFraction, oedemaRatio });
  }
  return { label, generatingLabel, labelFlipped, latent, lesions };
}

function ringProbability(latent: number, diameterMm: number): number {
  const r = PHENOTYPE_MODEL.ring;
  return 1 / (1 + Math.exp(-(r.intercept + r.slope * latent + r.sizeSlope * Math.log(diameterMm / PHENOTYPE_MODEL.diameter.median))));
}

/** Knuth's multiplication method; the rates here are small (a few), where it is exact and fast. */
function poisson(rng: Rng, rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** The grid on which posteriors integrate over z: wide enough for every class mean ± 6 SD of the hardest setting. */
const Z_GRID = Array.from({ length: 601 }, (_, i) => -8 + (16 * i) / 600);

/**
 * P(recorded class | z) for each class of the scheme: the Bayes rule a reader who knew z exactly would apply.
 */
export function posteriorGivenLatent(latent: number, config: EgfrConfig): number[] {
  const sd = DIFFICULTIES[config.difficulty].latentSd;
  const likelihood = EGFR_CLASSES[config.scheme].map((c) => Math.exp(logNormalPdf(latent, PHENOTYPE_MODEL.classMean[c], sd)));
  return recordedPosterior(likelihood, config);
}

/**
 * P(recorded class | lesion phenotypes): the Bayes rule a reader who measured every lesion's size, enhancement
 * pattern and oedema exactly (but not z) would apply, integrating z over a grid.
 */
export function posteriorGivenPhenotype(lesions: LesionPhenotype[], config: EgfrConfig): number[] {
  const m = PHENOTYPE_MODEL;
  const d = m.diameter;
  const logLik = Z_GRID.map((z) => {
    const rate = Math.exp(m.count.logRate + m.count.slope * z);
    const extra = lesions.length - 1;
    let ll = extra < config.maxLesions - 1 ? -rate + extra * Math.log(rate) - logFactorial(extra) : Math.log(poissonTail(rate, extra));
    for (const l of lesions) {
      const mu = Math.log(d.median) + d.slope * z;
      const truncation = normalCdf((Math.log(d.maxMm) - mu) / d.sd) - normalCdf((Math.log(d.minMm) - mu) / d.sd);
      ll += logNormalPdf(Math.log(l.diameterMm), mu, d.sd) - Math.log(truncation);
      if (l.diameterMm >= m.ring.minRingMm) {
        const p = ringProbability(z, l.diameterMm);
        ll += Math.log(l.enhancement === 'ring' ? p : 1 - p);
      }
      ll += logNormalPdf(Math.log(l.oedemaRatio), Math.log(m.oedema.median) + m.oedema.slope * z, m.oedema.sd);
    }
    return ll;
  });
  const top = Math.max(...logLik);
  const sd = DIFFICULTIES[config.difficulty].latentSd;
  const likelihood = EGFR_CLASSES[config.scheme].map((c) => {
    let s = 0;
    for (let i = 0; i < Z_GRID.length; i++) s += Math.exp(logLik[i] - top + logNormalPdf(Z_GRID[i], m.classMean[c], sd));
    return s;
  });
  return recordedPosterior(likelihood, config);
}

/**
 * P(recorded class | evidence) from the evidence's likelihood under each generating class: a recorded class c was
 * generated by c with probability 1 - ε and by each other class with ε / (K - 1).
 */
function recordedPosterior(likelihood: number[], config: EgfrConfig): number[] {
  const prior = classPrior(config);
  const eps = DIFFICULTIES[config.difficulty].labelNoise;
  const k = likelihood.length;
  const total = likelihood.reduce((a, b) => a + b, 0);
  const joint = likelihood.map((l, c) => prior[c] * ((1 - eps) * l + (eps / (k - 1)) * (total - l)));
  const z = joint.reduce((a, b) => a + b, 0);
  return joint.map((j) => j / z);
}

function logNormalPdf(x: number, mu: number, sd: number): number {
  return -0.5 * ((x - mu) / sd) ** 2 - Math.log(sd * Math.sqrt(2 * Math.PI));
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** P(Poisson(rate) >= k). */
function poissonTail(rate: number, k: number): number {
  let cdf = 0;
  for (let i = 0; i < k; i++) cdf += Math.exp(-rate + i * Math.log(rate) - logFactorial(i));
  return Math.max(1e-300, 1 - cdf);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, absolute error below 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
