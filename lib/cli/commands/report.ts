import { basename, resolve } from 'node:path';
import { loadStudy } from '../../experiments/study';
import { writeReport } from '../../report/report';
import { integerOption, nameValueOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv report --study DIR [--out DIR] [--title T] [--fact NAME=VALUE ...] [--bootstrap N]

Writes the HTML report of a study folder made by 'egfr-gtv ablate': index.html with the mean +/- sd tables per test
cohort and the figures (model comparison, Dice boxes, training curves, ROC with bootstrap bands, confusion matrices,
calibration, best/median/worst overlays), figures/*.png, results.csv and summary.csv. Default --out:
reports/<name of the study folder>. Prints the path of index.html.

  --fact NAME=VALUE   a line under the title (repeatable), e.g. --fact "run time=12 min"
  --bootstrap N       replicates of the ROC bands and AUC intervals (default 1000)`;

export const command: Command = {
  name: 'report',
  summary: 'write the HTML report (tables, PNG figures, CSVs) of an ablation study folder',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('study', 'out', 'title', 'bootstrap'),
      fact: { type: 'string', multiple: true },
    });
    const studyDir = requireOption(values, 'study');
    const replicates = integerOption(values, 'bootstrap', 1000, 2);
    const facts = nameValueOption(values.fact, 'fact');
    const study = await loadStudy(studyDir);
    const out = values.out ?? resolve('reports', basename(resolve(studyDir)));
    const files = await writeReport(study, out, { replicates, facts, ...(values.title ? { title: values.title } : {}) });
    process.stdout.write(`${files.html}\n`);
    return 0;
  },
};
