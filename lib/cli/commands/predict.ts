import { BACKEND_NAMES, initEngine } from '../../engine/backend';
import { defaultAggregateOptions, sliceAggregations } from '../../eval/aggregate';
import { UsageError } from '../../errors';
import { predictFiles } from '../../eval/predict';
import { loadPatientModel } from '../../patient/patient-model';
import { loadRun } from '../../eval/run';
import { writeNifti } from '../../io/nifti-write';
import { NON_FINITE_RULES, nonFiniteReport, withNonFinite } from '../../io/non-finite';
import { choiceOption, flagOptions, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';
import { TEST_TIME_USAGE, testTimeOptions } from '../test-time';

const usage = `usage: egfr-gtv predict --run RUN --in IMAGE.nii.gz [--in IMAGE2.nii.gz ...] --out MASK.nii.gz
                        [--prob PROB.nii.gz] [--threshold 0.5] [--aggregation M] [--network-only] [--backend B]
                        [--non-finite error|zero] [--tta] [--tta-flips x,y] [--adapt-bn]

Predicts one case with a run's final model. Give one --in per sequence the model was trained on, in the run's order
(config.json, data.sequences); all on one grid. Writes the GTV mask (uint8 0/1) on the input's grid with the input's
affine, optionally the tumour probability map, and prints one JSON object: egfr_probability, egfr_class_probabilities
(the network's aggregate of its slice probabilities), gtv_ml, mask, backend. egfr_probability is P(any mutation): with
the run's patient model (RUN/patient-model.json) the mask keeps only the components its lesion screen accepts, and
the probability is the network's fused with those lesions' phenotypes, reported with network_egfr_probability,
phenotype_egfr_probability, lesions and lesions_rejected; without one (or with --network-only) the mask is the
network's and the probability its own 1 - P(wild-type).

  --aggregation M   how slice probabilities become the patient's: ${sliceAggregations.join(', ')} (default
                    ${defaultAggregateOptions.method}: mean weighted by the predicted tumour area of each slice)
  --non-finite R    NaN or infinite voxels in an image: error (default: refuse it, naming the file and the count) or
                    zero (replace them by 0; the JSON adds non_finite_replaced and non_finite_files)
${TEST_TIME_USAGE}`;

export const command: Command = {
  name: 'predict',
  summary: 'predict the GTV mask (in the input grid) and the EGFR probability of one case',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('run', 'out', 'prob', 'threshold', 'backend', 'aggregation', 'non-finite', 'tta-flips'),
      ...flagOptions('network-only', 'tta', 'adapt-bn'),
      in: { type: 'string', multiple: true },
    });
    const runDir = requireOption(values, 'run');
    const out = requireOption(values, 'out');
    const inputs = values.in ?? [];
    if (inputs.length === 0) throw new UsageError('missing required option --in');
    const backend = choiceOption(values, 'backend', BACKEND_NAMES);
    const method = choiceOption(values, 'aggregation', sliceAggregations, defaultAggregateOptions.method);
    const threshold = numberOption(values, 'threshold', 0.5);
    const nonFinite = choiceOption(values, 'non-finite', NON_FINITE_RULES, 'error');
    if (!(threshold > 0 && threshold < 1)) throw new UsageError(`--threshold must be in (0, 1), got ${threshold}`);
    const engine = await initEngine(backend ? { backend } : {});
    const { config, model } = await loadRun(runDir);
    try {
      const patientModel = values['network-only'] ? null : await loadPatientModel(runDir);
      const { result: prediction, replaced } = await withNonFinite(nonFinite, () =>
        predictFiles(model, inputs, config.data.sequences, config.data.preprocess, { threshold, aggregation: { method }, patientModel, ...testTimeOptions(values) }),
      );
      if (prediction.mask) await writeNifti(out, prediction.mask);
      if (values.prob && prediction.probability) await writeNifti(values.prob, prediction.probability);
      const classes = config.data.classes;
      const report = {
        egfr_probability: prediction.patient?.probability ?? prediction.egfr?.probability ?? null,
        ...(prediction.patient
          ? {
              network_egfr_probability: prediction.patient.networkProbability,
              phenotype_egfr_probability: prediction.patient.phenotypeProbability,
              lesions: prediction.patient.lesions,
              lesions_rejected: prediction.patient.rejected,
            }
          : {}),
        egfr_class_probabilities: prediction.egfr ? Object.fromEntries(classes.map((c, i) => [c, prediction.egfr!.classProbabilities[i]])) : null,
        gtv_ml: prediction.gtvMl,
        mask: prediction.mask ? out : null,
        backend: engine.backend,
        ...(nonFinite === 'zero' ? nonFiniteReport(replaced) : {}),
      };
      process.stdout.write(JSON.stringify(report) + '\n');
      return 0;
    } finally {
      model.dispose();
    }
  },
};
