import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { writeNifti } from '../io/nifti-write';
import { writeFileAtomic } from '../util/atomic-write';
import type { Anatomy } from './anatomy';
import { ceilingOf, expectedCeiling, EXPECTED_CEILING_PATIENTS, type Ceiling } from './ceiling';
import { cohortLabels, egfrConfigOf, generateCase, resolveCohortConfig, type CaseMeta, type CohortConfig, type SynthCase } from './cohort';
import { EGFR_CLASSES, posteriorGivenLatent, posteriorGivenPhenotype, type EgfrLabel, type PatientPhenotype } from './egfr-phenotype';

/**
 * Writes a cohort in the project-native layout:
 *   <out>/labels.csv, <out>/cohort.json, <out>/<case_id>/{t1c,flair,gtv}.nii.gz and meta.json.
 * Everything goes to `<out>.partial` first, renamed to `<out>` only when complete, so a folder named `<out>` is
 * always a whole cohort. The bytes depend only on the anatomy and the config (no timestamps; gzip has mtime 0).
 */
export interface ExportOptions {
  /** Replace an existing `<out>`; otherwise an existing one is a ConfigError. */
  overwrite?: boolean;
  /** Called after each case is written. */
  onCase?(done: number, total: number, meta: CaseMeta): void;
}

export interface CohortSummary {
  out: string;
  cases: number;
  counts: Record<string, number>;
  lesions: number;
  droppedLesions: number;
  ceiling: { cohort: Ceiling; expected: Ceiling };
}

/** The per-case files. The GTV file's name contains "gtv", which is how the native loader finds the mask. */
export const CASE_FILES = { t1c: 't1c.nii.gz', flair: 'flair.nii.gz', gtv: 'gtv.nii.gz', meta: 'meta.json' };

export const LABELS_CSV_COLUMNS = [
  'case_id',
  'egfr',
  'patient_id',
  'centre',
  'n_lesions',
  'gtv_ml',
  'oedema_ml',
  'n_ring',
  'max_diameter_mm',
  'difficulty',
] as const;

export async function exportCohort(anatomy: Anatomy, partial: Partial<CohortConfig>, out: string, opts: ExportOptions = {}): Promise<CohortSummary> {
  const config = resolveCohortConfig(partial);
  const target = resolve(out);
  const staging = `${target}.partial`;
  if ((await exists(target)) && !opts.overwrite) {
    throw new ConfigError('output folder exists; choose another one or allow overwriting', target);
  }
  await fs.mkdir(dirname(target), { recursive: true });
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging);

  const labels = cohortLabels(config);
  const egfr = egfrConfigOf(config);
  const rows: string[] = [LABELS_CSV_COLUMNS.join(',')];
  const patients: PatientPhenotype[] = [];
  let lesions = 0;
  let dropped = 0;
  // Generation is synchronous CPU work; the previous case's gzip and writes run meanwhile on libuv's threads.
  let pending: Promise<void> = Promise.resolve();
  for (let i = 0; i < config.cases; i++) {
    const c = generateCase(anatomy, config, i, labels[i]);
    await pending;
    pending = writeCase(staging, c, config);
    const m = c.meta;
    rows.push(labelsRow(m));
    patients.push(phenotypeOf(m));
    lesions += m.lesions.length;
    dropped += m.droppedLesions.length;
    opts.onCase?.(i + 1, config.cases, m);
  }
  await pending;

  const counts = Object.fromEntries(EGFR_CLASSES[config.scheme].map((k) => [k, labels.filter((l) => l === k).length]));
  const ceiling = { cohort: ceilingOf(patients, egfr), expected: expectedCeiling(egfr) };
  const cohortJson = {
    generator: 'egfr-gtv synth',
    config,
    anatomy: { template: 'Colin27 (ch2, ch2bet) from Debian mricron-data', dims: anatomy.dims, spacing: anatomy.spacing, tissueLevels: anatomy.levels },
    counts: { cases: config.cases, egfr: counts, lesions, droppedLesions: dropped },
    ceiling,
    ceilingNote:
      'Accuracy and AUC of the label-generating rule against the recorded labels. latent: the Bayes rule given each ' +
      "patient's latent score; phenotype: given every lesion's exact size, enhancement pattern and oedema. cohort: on " +
      `these cases; expected: on ${EXPECTED_CEILING_PATIENTS} simulated patients of the same config.`,
    files: CASE_FILES,
  };
  await writeFileAtomic(join(staging, 'labels.csv'), rows.join('\n') + '\n');
  await writeFileAtomic(join(staging, 'cohort.json'), JSON.stringify(cohortJson, null, 2) + '\n');

  if (await exists(target)) {
    const old = `${target}.old`;
    await fs.rm(old, { recursive: true, force: true });
    await fs.rename(target, old);
    await fs.rename(staging, target);
    await fs.rm(old, { recursive: true, force: true });
  } else {
    await fs.rename(staging, target);
  }
  return { out: target, cases: config.cases, counts, lesions, droppedLesions: dropped, ceiling };
}

async function writeCase(root: string, c: SynthCase, config: CohortConfig): Promise<void> {
  const dir = join(root, c.meta.caseId);
  await fs.mkdir(dir);
  const egfr = egfrConfigOf(config);
  const classes = EGFR_CLASSES[config.scheme];
  const named = (p: number[]) => Object.fromEntries(classes.map((k, i) => [k, round4(p[i])])) as Record<EgfrLabel, number>;
  const phenotype = phenotypeOf(c.meta);
  const meta = {
    ...c.meta,
    egfrPosterior: {
      latent: named(posteriorGivenLatent(phenotype.latent, egfr)),
      phenotype: named(posteriorGivenPhenotype(phenotype.lesions, egfr)),
    },
    files: { t1c: CASE_FILES.t1c, ...(c.flair ? { flair: CASE_FILES.flair } : {}), gtv: CASE_FILES.gtv },
  };
  const writes = [
    writeNifti(join(dir, CASE_FILES.t1c), c.t1c, { description: 'egfr-gtv synthetic T1 post-contrast' }),
    writeNifti(join(dir, CASE_FILES.gtv), c.gtv, { description: 'egfr-gtv GTV (enhancing + necrotic)' }),
    writeFileAtomic(join(dir, CASE_FILES.meta), JSON.stringify(meta, null, 2) + '\n'),
  ];
  if (c.flair) writes.push(writeNifti(join(dir, CASE_FILES.flair), c.flair, { description: 'egfr-gtv synthetic FLAIR' }));
  await Promise.all(writes);
}

/** The phenotype the label rule saw: every drawn lesion, placed or not. */
function phenotypeOf(m: CaseMeta): PatientPhenotype {
  return {
    label: m.egfr,
    generatingLabel: m.egfrGenerating,
    labelFlipped: m.labelFlipped,
    latent: m.latent,
    lesions: [...m.lesions, ...m.droppedLesions].map(({ diameterMm, enhancement, coreFraction, oedemaRatio }) => ({ diameterMm, enhancement, coreFraction, oedemaRatio })),
  };
}

function labelsRow(m: CaseMeta): string {
  const oedema = m.lesions.reduce((s, l) => s + l.oedemaMl, 0);
  const maxD = m.lesions.reduce((s, l) => Math.max(s, l.diameterMm), 0);
  const values: Record<(typeof LABELS_CSV_COLUMNS)[number], string | number> = {
    case_id: m.caseId,
    egfr: m.egfr,
    patient_id: m.patientId,
    centre: m.centre,
    n_lesions: m.lesions.length,
    gtv_ml: m.gtvMl,
    oedema_ml: Math.round(oedema * 1000) / 1000,
    n_ring: m.lesions.filter((l) => l.enhancement === 'ring').length,
    max_diameter_mm: Math.round(maxD * 10) / 10,
    difficulty: m.difficulty,
  };
  return LABELS_CSV_COLUMNS.map((k) => String(values[k])).join(',');
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
