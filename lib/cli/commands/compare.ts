import { compareDefaults, compareStudy, verdictSentence } from '../../experiments/compare';
import { loadStudy } from '../../experiments/study';
import { flagOptions, integerOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv compare --study DIR [--reference NAME] [--json] [--threshold 0.5] [--bootstrap 10000] [--seed 0]
                       [--partial]

Compares every model variant of a finished study (egfr-gtv ablate) with a reference variant on the same test
patients, per test set (definitions in docs/stats.md; differences are variant minus reference):
  n                                  patients compared; each variant's per-patient value is the mean over its seeds
  dice_diff, dice_diff_ci95          mean paired Dice difference, bootstrap 95% interval resampling patients
  dice_wilcoxon_p                    Wilcoxon signed-rank, two-sided, zero differences dropped
  auc_diff, auc_diff_ci95, auc_delong_p   DeLong's test of the two correlated ROC curves (seed-mean probabilities)
  accuracy_diff, mcnemar_p           accuracy at --threshold, exact McNemar test
  *_p_holm                           Holm's adjustment of each p family across the table's comparisons
  dice_mde, auc_mde                  the smallest differences the comparison could detect (alpha 0.05, power 0.8)
  dice_seed_sd, auc_seed_sd          seed-to-seed spread of the variant's cohort mean
A key a variant can not have (seg-only has no AUC) is null, with the reason in reasons. reference_figures gives the
reference's own Dice and accuracy per set with 95% bootstrap intervals (the numbers the paper reports).

  --reference NAME   a variant as the report names it ('mtl · uncertainty', or 'mtl/uncertainty'), or a bare model
                     name when the study has that model with one weighting only (default: the grid's first model and
                     weighting)
  --partial          compare a study that is not finished on its finished cells (each variant on its finished seeds;
                     the output lists the pending cells); without it, unfinished cells are an error`;

export const command: Command = {
  name: 'compare',
  summary: "paired statistics of a study's variants against a reference: Dice, AUC (DeLong), accuracy (McNemar), Holm",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, { ...stringOptions('study', 'reference', 'threshold', 'bootstrap', 'seed'), ...flagOptions('json', 'partial') });
    const dir = requireOption(values, 'study');
    const threshold = numberOption(values, 'threshold', compareDefaults.threshold);
    const replicates = integerOption(values, 'bootstrap', compareDefaults.replicates, 2);
    const seed = integerOption(values, 'seed', compareDefaults.seed, 0);
    const study = await loadStudy(dir);
    const result = compareStudy(study, { ...(values.reference !== undefined ? { reference: values.reference } : {}), threshold, replicates, seed, partial: values.partial === true });
    if (values.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      process.stdout.write(`reference: ${result.reference}\n${result.comparisons.map((c) => verdictSentence(c, result.reference)).join('\n')}\n`);
    }
    return 0;
  },
};
