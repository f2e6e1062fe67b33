import { CENTRE_NAMES } from '../../synth/centres';
import { SCANNER_FIELDS, readScannerProfile } from '../../synth/scanner-profile';
import { loadColin27 } from '../../synth/colin27';
import type { EgfrScheme } from '../../data/egfr';
import { DIFFICULTIES, EGFR_CLASSES, type Difficulty } from '../../synth/egfr-phenotype';
import { exportCohort } from '../../synth/export';
import { createProgress } from '../../util/progress';
import { choiceOption, flagOptions, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

export const command: Command = {
  name: 'synth',
  summary: 'generate a synthetic brain-metastasis cohort with EGFR labels on real (Colin27) anatomy',
  usage: [
    'usage: egfr-gtv synth --out DIR --cases N --seed S [--centre internal|external] [--difficulty easy|medium|hard]',
    '                      [--scheme binary|three-class] [--flair] [--max-lesions K] [--scanner FILE.json] [--overwrite] [--json]',
    '',
    'Writes DIR/labels.csv, DIR/cohort.json and DIR/<case_id>/{t1c,flair,gtv}.nii.gz + meta.json (the project-native',
    'layout). The same options give the same bytes. The model, its parameters and its limits: datasets/README.md.',
    '',
    '  --out DIR          output folder (must not exist unless --overwrite); written as DIR.partial, then renamed',
    '  --cases N          number of patients (one case each)',
    '  --seed S           integer seed, 0..2^32-1',
    "  --centre C         scanner characteristics: 'internal' (default; thin slices, good SNR) or 'external'",
    '  --scanner FILE     your own scanner: a JSON object with every field of a centre profile as a [lo, hi] range',
    `                     (${SCANNER_FIELDS.join(', ')}; see lib/synth/centres.ts); the centre still names the`,
    '                     cases, whose patients are the same as without it; recorded in cohort.json',
    '  --difficulty D     class overlap and label noise of the EGFR rule: easy, medium (default), hard',
    "  --scheme S         'binary' (wildtype/mutant, default) or 'three-class' (wildtype/19del/l858r)",
    '  --flair            also write a FLAIR-like second channel',
    '  --max-lesions K    cap on metastases per patient (default 8)',
    '  --json             print the summary (counts, label-rule ceiling) as one JSON object',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('out', 'cases', 'seed', 'centre', 'difficulty', 'scheme', 'max-lesions', 'scanner'),
      ...flagOptions('flair', 'overwrite', 'json'),
    });
    const out = requireOption(values, 'out');
    requireOption(values, 'cases');
    requireOption(values, 'seed');
    const centre = choiceOption(values, 'centre', CENTRE_NAMES, 'internal');
    const difficulty = choiceOption(values, 'difficulty', Object.keys(DIFFICULTIES) as Difficulty[], 'medium');
    const scheme = choiceOption(values, 'scheme', Object.keys(EGFR_CLASSES) as EgfrScheme[], 'binary');
    const cases = numberOption(values, 'cases', 0);
    const seed = numberOption(values, 'seed', 0);
    const maxLesions = numberOption(values, 'max-lesions', 8);
    const scanner = values.scanner !== undefined ? readScannerProfile(values.scanner) : undefined;
    const anatomy = await loadColin27();
    const progress = createProgress('synth', cases);
    progress.update(0);
    const summary = await exportCohort(
      anatomy,
      { cases, seed, centre, difficulty, scheme, flair: Boolean(values.flair), maxLesions, ...(scanner ? { scanner } : {}) },
      out,
      { overwrite: Boolean(values.overwrite), onCase: (done, _total, meta) => progress.update(done, meta.caseId) },
    );
    progress.finish();
    if (values.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      const c = summary.ceiling;
      const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
      process.stdout.write(
        [
          `wrote ${summary.cases} cases to ${summary.out}`,
          `egfr ${Object.entries(summary.counts).map(([k, n]) => `${k} ${n}`).join(', ')}; ${summary.lesions} lesions (${summary.droppedLesions} found no room)`,
          `label-rule ceiling (expected): latent accuracy ${f(c.expected.latent.accuracy)} AUC ${f(c.expected.latent.auc)}; ` +
            `phenotype accuracy ${f(c.expected.phenotype.accuracy)} AUC ${f(c.expected.phenotype.auc)}`,
          `label-rule ceiling (this cohort): phenotype accuracy ${f(c.cohort.phenotype.accuracy)} AUC ${f(c.cohort.phenotype.auc)}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
