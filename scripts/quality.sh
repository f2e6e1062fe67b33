#!/usr/bin/env bash
# The quality run of issue 6: the default multi-task model on the synthetic cohort.
# 1. synthesises (once; kept in datasets/generated/quality/) an internal training cohort, three internal test cohorts
#    (same centre, other patients; seed 14 was made after the patient model's first fusion rule was settled and seed
#    15 after its lesion screen and per-source calibration were, each to check a design on patients nobody had looked
#    at) and an external test cohort (the other centre);
# 2. trains the default multi-task model (mtl: MSA encoder with CSA on the two coarsest stages, U-Net decoder,
#    hybrid CNN-Transformer classifier, uncertainty weighting) at its default 128 px on the internal training cohort,
#    holding out a share of its patients for validation and keeping the best validation epoch. 128 px keeps the
#    synthetic 1.5 mm grid's in-plane resolution; coarser grids cap the Dice of small lesions (a perfect prediction at
#    96 px brought back to the input grid keeps a mean Dice of 0.92 on the internal test cohort, at 64 px only 0.84,
#    measured with the ground truth as the prediction). Training ends by fitting the patient-level EGFR model
#    (lib/patient/patient-model.ts: the network's log-odds plus those of the predicted lesions' phenotypes);
# 3. evaluates it on the test cohorts (patient-level 3D Dice; EGFR AUC of the patient model, of the network alone and
#    of the phenotypes alone) with the default area-weighted slice aggregation;
# 4. prints one JSON object: the figures, the label rule's ceiling on each test cohort, the AUC and ceiling pooled
#    over the 3 x 80 internal test patients (egfr-gtv metrics cls on the pooled patients; one cohort of 80 gives an
#    AUC a 95% interval about +-0.09 wide), the settings, the wall time of each phase and the CPU time (user + system,
#    all threads) of the training process.
# 5. (issue 16) measures, on the internal test cohort (seed 12) and the external one, the network alone
#    (--network-only) and each test-time option for the network alone and with the patient model (--tta: the
#    left-right flip; --adapt-bn: batch-norm statistics re-estimated on each patient's slices), and the model grid's
#    own ceiling on them (the ground truth put on the model grid as the prediction and brought back to the input grid:
#    the in-plane resampling's loss; the slice axis keeps the acquired slices, lib/preprocess/config.ts
#    ANISOTROPY_THRESHOLD). QUALITY_TEST_TIME=0 leaves the test-time evaluations out. The test-time options were not
#    chosen on any test cohort: both are reported, neither is the default. Training uses the scanner randomisation
#    of lib/data/scanner-randomisation.ts (on by default), whose ranges come from physics and the anchors' defaults
#    (MONAI, nnU-Net, SynthSeg), not from the external centre.
# The aggregation is not chosen on the validation patients: on 30 of them it was noise (run qB: 'max' won there with
# AUC 0.80 and scored 0.71 on the internal test cohort, against 0.77 for the default).
# QUALITY_TRAIN=0 evaluates an existing run again without training it (refitting its patient model).
# Every setting below can be overridden from the environment, e.g. QUALITY_STEPS=300 bash scripts/quality.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

root=${QUALITY_ROOT:-datasets/generated/quality}
run=${QUALITY_RUN:-runs/quality}
train_cases=${QUALITY_TRAIN_CASES:-300}
test_cases=${QUALITY_TEST_CASES:-80}
backend=${QUALITY_BACKEND:-}
# The training takes egfr-gtv train's own defaults (lib/train/config.ts: the quality settings, 128 px, best epoch
# kept); each QUALITY_* variable below overrides one of them.
train_args=()
add_train_arg() { # env-value option
  if [ -n "$1" ]; then train_args+=("$2" "$1"); fi
}
add_train_arg "${QUALITY_SIZE:-}" --size
add_train_arg "${QUALITY_STEPS:-}" --steps
add_train_arg "${QUALITY_STEPS_PER_EPOCH:-}" --steps-per-epoch
add_train_arg "${QUALITY_BATCH:-}" --batch
add_train_arg "${QUALITY_LR:-}" --lr
add_train_arg "${QUALITY_WEIGHT_DECAY:-}" --weight-decay
add_train_arg "${QUALITY_TUMOUR_FRACTION:-}" --tumour-fraction
add_train_arg "${QUALITY_VAL_FRACTION:-}" --val-fraction
add_train_arg "${QUALITY_SEED:-}" --seed
cli=./bin/egfr-gtv.js

synth() { # dir cases seed centre
  if [ ! -f "$1/labels.csv" ]; then
    "$cli" synth --out "$1" --cases "$2" --seed "$3" --centre "$4" --json > /dev/null
  fi
}

start=$(date +%s)
train_dir="$root/internal-train-$train_cases"
internal_dir="$root/internal-test-$test_cases"
confirm_dir="$root/internal-confirm-$test_cases"
fresh_dir="$root/internal-fresh-$test_cases"
external_dir="$root/external-test-$test_cases"
synth "$train_dir" "$train_cases" 11 internal
synth "$internal_dir" "$test_cases" 12 internal
synth "$confirm_dir" "$test_cases" 14 internal
synth "$fresh_dir" "$test_cases" 15 internal
synth "$external_dir" "$test_cases" 13 external
synth_done=$(date +%s)

backend_args=()
if [ -n "$backend" ]; then backend_args=(--backend "$backend"); fi
if [ "${QUALITY_TRAIN:-1}" = 1 ]; then
  rm -rf "$run"
  "$cli" train --data "$train_dir" --model mtl --out "$run" "${train_args[@]}" "${backend_args[@]}" --json > "$run.train.json"
else
  "$cli" patient-model --run "$run" --data "$train_dir" --json > "$run.patient-model.json"
fi
train_done=$(date +%s)
"$cli" eval --run "$run" --data "$internal_dir" --json "${backend_args[@]}" > "$run.internal.json"
"$cli" eval --run "$run" --data "$confirm_dir" --json "${backend_args[@]}" > "$run.confirm.json"
"$cli" eval --run "$run" --data "$fresh_dir" --json "${backend_args[@]}" > "$run.fresh.json"
"$cli" eval --run "$run" --data "$external_dir" --json "${backend_args[@]}" > "$run.external.json"
if [ "${QUALITY_TEST_TIME:-1}" = 1 ]; then
  for cohort in internal:"$internal_dir" external:"$external_dir"; do
    name=${cohort%%:*}
    dir=${cohort#*:}
    "$cli" eval --run "$run" --data "$dir" --json --network-only --out "$run/eval/$name-network" "${backend_args[@]}" > "$run.$name.network.json"
    for option in tta adapt-bn; do
      "$cli" eval --run "$run" --data "$dir" --json "--$option" --out "$run/eval/$name-$option" "${backend_args[@]}" > "$run.$name.$option.json"
      "$cli" eval --run "$run" --data "$dir" --json "--$option" --network-only --out "$run/eval/$name-network-$option" "${backend_args[@]}" > "$run.$name.network.$option.json"
    done
  done
fi
eval_done=$(date +%s)

# The model grid's ceiling: the ground truth as the prediction, brought back to the input grid.
grid_ceiling() { # dir -> JSON {patients, dice_mean, dice_min, anisotropic_inputs}
  CEILING_DIR="$1" CEILING_SIZE="${QUALITY_SIZE:-128}" npx tsx -e '
const { openDataset } = require("./lib/data/dataset");
const { readCaseInput } = require("./lib/data/case-input");
const { resolvePreprocessConfig, sliceAnisotropy } = require("./lib/preprocess/config");
const { prepareCase } = require("./lib/preprocess/prepare-case");
const { toInputGrid } = require("./lib/eval/predict");
const { segmentationMetrics } = require("./lib/metrics/segmentation");
(async () => {
  const config = resolvePreprocessConfig({ size: Number(process.env.CEILING_SIZE) });
  const dataset = await openDataset(process.env.CEILING_DIR, { layout: "native", sequences: ["t1c"] });
  const dice = [];
  let anisotropic = 0;
  for (const c of dataset.cases) {
    const input = await readCaseInput(c, ["t1c"]);
    const prepared = prepareCase(input, config);
    const oracle = { probability: { ...prepared.mask, data: Float32Array.from(prepared.mask.data) }, classProbabilities: [], tumourAreaMm2: new Float64Array(prepared.grid.dims[2]) };
    dice.push(segmentationMetrics(toInputGrid(oracle, prepared).mask, input.mask).dice);
    if (sliceAnisotropy(prepared.source.spacing).anisotropic) anisotropic++;
  }
  console.log(JSON.stringify({ patients: dice.length, dice_mean: dice.reduce((a, b) => a + b, 0) / dice.length, dice_min: Math.min(...dice), anisotropic_inputs: anisotropic }));
})();'
}
echo "{\"internal\": $(grid_ceiling "$internal_dir"), \"external\": $(grid_ceiling "$external_dir")}" > "$run.grid-ceiling.json"

node -e '
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const [cli, run, internalDir, confirmDir, freshDir, externalDir, synthS, trainS, evalS] = process.argv.slice(1);
const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
const train = read(`${run}.train.json`);
const figures = (name, dir) => {
  const e = read(`${run}.${name}.json`);
  const c = read(`${dir}/cohort.json`).ceiling;
  const auc = e.classification ? e.classification.auc : null;
  return {
    patients: e.patients,
    dice_mean: e.segmentation ? e.segmentation.dice.mean : null,
    dice_median: e.segmentation ? e.segmentation.dice.median : null,
    hd95_mm_median: e.segmentation ? e.segmentation.hd95_mm.median : null,
    lesion_sensitivity_mean: e.segmentation ? e.segmentation.lesion_sensitivity.mean : null,
    egfr_auc: auc,
    egfr_auc_ci95: e.classification ? e.classification.auc_ci95 : null,
    egfr_source: e.egfr_source,
    egfr_auc_network_alone: e.network_auc,
    egfr_auc_phenotypes_alone: e.phenotype_auc,
    egfr_accuracy: e.classification ? e.classification.accuracy : null,
    ceiling_auc_phenotype: c.cohort.phenotype.auc,
    ceiling_auc_latent: c.cohort.latent.auc,
    ceiling_auc_expected_phenotype: c.expected.phenotype.auc,
    auc_gap_to_phenotype_ceiling: auc === null ? null : c.cohort.phenotype.auc - auc,
  };
};
const internal = figures("internal", internalDir);
const confirm = figures("confirm", confirmDir);
const fresh = figures("fresh", freshDir);
// Pooled over the internal test cohorts: the model probabilities from the patients.csv of each eval and the label
// rule posterior from the meta.json of each case, scored by the same command a user would run.
const pooledScores = { model: ["label,score"], ceiling: ["label,score"] };
for (const [name, dir] of [["internal", internalDir], ["confirm", confirmDir], ["fresh", freshDir]]) {
  const [header, ...lines] = fs.readFileSync(read(`${run}.${name}.json`).patients_csv, "utf8").trim().split("\n");
  const col = header.split(",");
  for (const line of lines) {
    const cells = line.split(",");
    const id = cells[col.indexOf("case_id")];
    const label = Number(cells[col.indexOf("label")]) > 0 ? 1 : 0;
    const posterior = read(path.join(dir, id, "meta.json")).egfrPosterior.phenotype;
    pooledScores.model.push(`${label},${cells[col.indexOf("egfr_probability")]}`);
    pooledScores.ceiling.push(`${label},${1 - posterior.wildtype}`);
  }
}
const pooledAuc = (kind) => {
  const file = `${run}.pooled-${kind}.csv`;
  fs.writeFileSync(file, pooledScores[kind].join("\n") + "\n");
  return JSON.parse(execFileSync(cli, ["metrics", "cls", "--csv", file, "--json"], { encoding: "utf8" }));
};
const pooledModel = pooledAuc("model");
const pooledCeiling = pooledAuc("ceiling");
const pooled = {
  patients: pooledScores.model.length - 1,
  egfr_auc: pooledModel.auc,
  egfr_auc_ci95: pooledModel.auc_ci95,
  ceiling_auc_phenotype: pooledCeiling.auc,
  auc_gap_to_phenotype_ceiling: pooledCeiling.auc - pooledModel.auc,
};
const optional = (file) => (fs.existsSync(file) ? read(file) : null);
const brief = (name, variant, dir) => {
  if (!fs.existsSync(`${run}.${name}.${variant}.json`)) return null;
  const f = figures(`${name}.${variant}`, dir);
  return { dice_mean: f.dice_mean, dice_median: f.dice_median, lesion_sensitivity_mean: f.lesion_sensitivity_mean, egfr_auc: f.egfr_auc, egfr_accuracy: f.egfr_accuracy, auc_gap_to_phenotype_ceiling: f.auc_gap_to_phenotype_ceiling };
};
const testTime = (name, dir) => ({
  network_alone: brief(name, "network", dir),
  tta: brief(name, "tta", dir),
  adapt_bn: brief(name, "adapt-bn", dir),
  network_alone_tta: brief(name, "network.tta", dir),
  network_alone_adapt_bn: brief(name, "network.adapt-bn", dir),
});
const external = figures("external", externalDir);
const met = (f) => ({
  dice_mean_ge_0_80: f.dice_mean !== null && f.dice_mean >= 0.8,
  auc_within_0_05_of_ceiling: f.auc_gap_to_phenotype_ceiling !== null && f.auc_gap_to_phenotype_ceiling <= 0.05,
});
console.log(JSON.stringify({
  internal,
  internal_confirm: confirm,
  internal_fresh: fresh,
  internal_pooled: pooled,
  external,
  test_time: { internal: testTime("internal", internalDir), external: testTime("external", externalDir) },
  grid_ceiling: optional(`${run}.grid-ceiling.json`),
  targets: {
    internal: met(internal),
    internal_confirm: met(confirm),
    internal_fresh: met(fresh),
    internal_pooled: { auc_within_0_05_of_ceiling: pooled.auc_gap_to_phenotype_ceiling <= 0.05 },
    internal_dice_mean_ge_0_89: [internal, confirm, fresh].every((f) => f.dice_mean !== null && f.dice_mean >= 0.89),
    external: {
      dice_mean_ge_0_80: external.dice_mean !== null && external.dice_mean >= 0.8,
      lesion_sensitivity_ge_0_80: external.lesion_sensitivity_mean !== null && external.lesion_sensitivity_mean >= 0.8,
      auc_within_0_10_of_ceiling: external.auc_gap_to_phenotype_ceiling !== null && external.auc_gap_to_phenotype_ceiling <= 0.1,
      accuracy_ge_0_75: external.egfr_accuracy !== null && external.egfr_accuracy >= 0.75,
    },
  },
  train: { backend: train.backend, steps: train.steps, best_epoch: train.best_epoch, train_cases: train.train_cases, val_cases: train.val_cases, last_validation: train.last_validation },
  seconds: { synth: Number(synthS), train: Number(trainS), eval: Number(evalS), training_loop: train.seconds, train_cpu: train.cpu_seconds },
  run,
}));
' "$cli" "$run" "$internal_dir" "$confirm_dir" "$fresh_dir" "$external_dir" "$((synth_done - start))" "$((train_done - synth_done))" "$((eval_done - train_done))"
