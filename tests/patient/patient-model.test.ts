import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DatasetError, ModelFileError } from '../../lib/errors';
import { openDataset } from '../../lib/data/dataset';
import { readCaseInput } from '../../lib/data/case-input';
import { initEngine } from '../../lib/engine';
import { fitCandidateScreen, fitPatientModel, MIN_CANDIDATES_PER_KIND } from '../../lib/patient/fit';
import {
  fusePatientEgfr,
  loadPatientModel,
  logOdds,
  phenotypeOf,
  phenotypeSequence,
  savePatientModel,
  screenLesions,
  PATIENT_MODEL_FORMAT,
  PATIENT_MODEL_VERSION,
  type CandidateScreen,
  type PatientModel,
} from '../../lib/patient/patient-model';
import { networkPredictor, predictCase } from '../../lib/eval/predict';
import { loadRun } from '../../lib/eval/run';
import {
  DEFAULT_RIM_MM,
  LESION_CANDIDATE_FEATURES,
  lesionPhenotypeDefaults,
  logisticLogit,
  patientPhenotypeFeatureNames,
  sigmoid,
  type LogisticModel,
} from '../../lib/patient';
import { Rng } from '../../lib/util/rng';
import type { Vec3 } from '../../lib/volume/volume';
import { readRunConfig, runPaths } from '../../lib/train/run-folder';
import { tinyRun } from '../cli/tiny-run';

/** A logistic model of the given features whose logit is intercept + Σ weights · raw features (mean 0, SD 1). */
function linearModel(names: string[], intercept: number, weights: number[] = names.map(() => 0)): LogisticModel {
  return { names, mean: names.map(() => 0), sd: names.map(() => 1), intercept, weights, l2: 1 };
}

/** A patient model whose phenotype logit is `intercept` for every patient (all weights 0). */
function constantModel(intercept: number, priorLogOdds = 0, temperatures: { network?: number; phenotype?: number; sum?: number } = {}): PatientModel {
  return {
    format: PATIENT_MODEL_FORMAT,
    formatVersion: PATIENT_MODEL_VERSION,
    sequence: 't1c',
    sequenceIndex: 0,
    measurement: { ...lesionPhenotypeDefaults },
    candidates: null,
    phenotype: linearModel(patientPhenotypeFeatureNames(), intercept),
    priorLogOdds,
    networkTemperature: temperatures.network ?? 1,
    phenotypeTemperature: temperatures.phenotype ?? 1,
    temperature: temperatures.sum ?? 1,
    fitted: { trainPatients: 10, valPatients: 4, candidatePatients: 3, candidates: 20, falseCandidates: 6, created: '2026-11-27T00:00:00.000Z' },
  };
}

/** A screen that keeps components of more than `minMm3` (P = sigmoid(10 · (ln V − ln minMm3)))). */
function volumeScreen(minMm3: number): CandidateScreen {
  const names = [...LESION_CANDIDATE_FEATURES];
  return { model: linearModel(names, -10 * Math.log(minMm3), names.map((n) => (n === 'log_volume' ? 10 : 0))), threshold: 0.5, rimMm: 3 };
}

describe('patient model', function () {
  this.timeout(120000);

  it('measures the post-contrast T1 when the run has one, else the first sequence', () => {
    assert.deepEqual(phenotypeSequence(['flair', 't1c']), { sequence: 't1c', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['FLAIR', 'T1Gd', 't2']), { sequence: 'T1Gd', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['t1', 't1-ce']), { sequence: 't1-ce', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['flair', 't2']), { sequence: 'flair', sequenceIndex: 0 });
  });

  it('adds the two log-odds, subtracts the prior once (Bayes rule for independent evidence) and scales by the temperatures', () => {
    const phenotype = { features: patientPhenotypeFeatureNames().map(() => 0.3), lesions: 2 };
    const out = fusePatientEgfr(constantModel(0.8, 0.25), phenotype, 0.7);
    assert.ok(Math.abs(out.probability - sigmoid(0.8 + Math.log(0.7 / 0.3) - 0.25)) < 1e-12);
    const tempered = fusePatientEgfr(constantModel(0.8, 0.25, { sum: 0.4 }), phenotype, 0.7);
    assert.ok(Math.abs(tempered.probability - sigmoid(0.4 * (0.8 + Math.log(0.7 / 0.3) - 0.25))) < 1e-12);
    // Each source's evidence (its log-odds minus the prior) is scaled by its own temperature before the sum.
    const calibrated = fusePatientEgfr(constantModel(0.8, 0.25, { network: 0.3, phenotype: 1.5, sum: 0.9 }), phenotype, 0.7);
    assert.ok(Math.abs(calibrated.probability - sigmoid(0.9 * (0.25 + 1.5 * (0.8 - 0.25) + 0.3 * (Math.log(0.7 / 0.3) - 0.25)))) < 1e-12);
    assert.equal(tempered.phenotypeProbability, out.phenotypeProbability);
    assert.ok(Math.abs(out.phenotypeProbability - sigmoid(0.8)) < 1e-12);
    assert.equal(out.networkProbability, 0.7);
    assert.equal(out.lesions, 2);
    // A saturated network stays finite: its log-odds are clamped at ±ln(10⁶).
    assert.ok(Math.abs(logOdds(1) - Math.log(1e6)) < 1e-3 && Math.abs(logOdds(0) + Math.log(1e6)) < 1e-3);
    assert.equal(logOdds(0.5), 0);
    const sure = fusePatientEgfr(constantModel(-2), phenotype, 1);
    assert.ok(sure.probability > 0.999 && sure.probability < 1);
  });

  it('saves atomically and loads back; a missing file is null, a corrupt or foreign one a ModelFileError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-pm-'));
    try {
      assert.equal(await loadPatientModel(dir), null);
      const pm = constantModel(0.5, -0.1);
      await savePatientModel(dir, pm);
      assert.deepEqual(await loadPatientModel(dir), pm);
      const file = runPaths(dir).patientModel;
      const text = readFileSync(file, 'utf8');
      const rejects = async (content: string, pattern: RegExp) => {
        writeFileSync(file, content);
        await assert.rejects(loadPatientModel(dir), (e: Error) => e instanceof ModelFileError && e.message.includes(file) && pattern.test(e.message));
      };
      await rejects(text.slice(0, text.length / 2), /not valid JSON/);
      await rejects(JSON.stringify({ ...pm, format: 'other' }), /not a egfr-gtv-patient-model file/);
      await rejects(JSON.stringify({ ...pm, priorLogOdds: null }), /priorLogOdds/);
      await rejects(JSON.stringify({ ...pm, temperature: 0 }), /temperature must be a finite number > 0/);
      await rejects(JSON.stringify({ ...pm, sequenceIndex: -1 }), /sequence/);
      await rejects(JSON.stringify({ ...pm, phenotype: { ...pm.phenotype, names: pm.phenotype.names.slice().reverse() } }), /features must be log1p_lesions/);
      await rejects(JSON.stringify({ ...pm, phenotype: { ...pm.phenotype, sd: pm.phenotype.sd.map(() => 0) } }), /not a logistic model/);
      await rejects(JSON.stringify({ ...pm, measurement: { ...pm.measurement, shellWidth: -1 } }), /shellWidth/);
      await rejects(JSON.stringify({ ...pm, formatVersion: 3 }), /version 1 or 2/);
      await rejects(JSON.stringify({ ...pm, networkTemperature: -1 }), /networkTemperature must be a finite number > 0/);
      const screened = { ...pm, candidates: volumeScreen(30) };
      await rejects(JSON.stringify({ ...screened, candidates: { ...screened.candidates, threshold: 2 } }), /threshold must be a probability/);
      await rejects(JSON.stringify({ ...screened, candidates: { ...screened.candidates, rimMm: 0 } }), /rimMm/);
      await rejects(JSON.stringify({ ...screened, candidates: { ...screened.candidates, model: linearModel(['a'], 0) } }), /screen's features must be log_volume/);
      await rejects(JSON.stringify({ ...screened, candidates: 7 }), /candidates must be/);
      await savePatientModel(dir, screened);
      assert.deepEqual(await loadPatientModel(dir), screened);
      // A file of version 1 (no screen, one temperature) loads as a version 2 model that fuses as it did.
      const { candidates, networkTemperature, phenotypeTemperature, ...v1 } = pm;
      assert.equal(candidates, null);
      assert.ok(networkTemperature === 1 && phenotypeTemperature === 1);
      writeFileSync(file, JSON.stringify({ ...v1, formatVersion: 1, fitted: { trainPatients: 10, valPatients: 4, created: 'then' } }));
      const migrated = await loadPatientModel(dir);
      assert.deepEqual(migrated, { ...pm, fitted: { trainPatients: 10, valPatients: 4, created: 'then', candidatePatients: 0, candidates: 0, falseCandidates: 0 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('its screen drops the components it rejects (and those too small to be a lesion) and counts those of lesion size', () => {
    const dims: Vec3 = [40, 40, 40];
    const affine = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    const image = { data: new Float32Array(40 ** 3).fill(1000), dims, spacing: [1, 1, 1] as Vec3, affine };
    const mask = { ...image, data: new Uint8Array(40 ** 3) };
    const radii = [
      { c: [8, 8, 8], r: 6 },
      { c: [28, 28, 28], r: 2 },
      { c: [30, 8, 30], r: 1.5 },
      { c: [8, 32, 20], r: 0.5 },
    ];
    for (let k = 0, v = 0; k < 40; k++)
      for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++, v++) if (radii.some(({ c, r }) => Math.hypot(i - c[0], j - c[1], k - c[2]) <= r)) mask.data[v] = 1;
    const pm = { ...constantModel(0), candidates: volumeScreen(30) };
    // Kept: the balls of radius 6 and 2 (33 voxels > 30); rejected: radius 1.5 (27 voxels, lesion-sized).
    const sizes = radii.map(({ r }) => {
      let n = 0;
      for (let k = -7; k <= 7; k++) for (let j = -7; j <= 7; j++) for (let i = -7; i <= 7; i++) if (Math.hypot(i, j, k) <= r) n++;
      return n;
    });
    const screened = screenLesions(pm, [image], mask, 'scene');
    let kept = 0;
    for (const v of screened.mask.data) kept += v;
    const keptSizes = sizes.filter((n) => n > 30);
    assert.equal(kept, keptSizes.reduce((a, b) => a + b, 0));
    // The single voxel (radius 0.5) is no lesion at all: dropped, not counted as rejected.
    assert.equal(screened.rejected, sizes.filter((n, i) => n <= 30 && radii[i].r >= 1.5).length);
    assert.deepEqual(screened.mask.dims, mask.dims);
    assert.equal(screenLesions(constantModel(0), [image], mask, 'scene').mask, mask);
    assert.throws(() => screenLesions(pm, [], mask, 'scene.nii.gz'), (e: Error) => e instanceof DatasetError && e.message.includes('scene.nii.gz'));
  });

  it('fits a candidate screen only from enough true and false candidates', () => {
    const rng = new Rng(3);
    const features = Array.from({ length: 40 }, () => LESION_CANDIDATE_FEATURES.map(() => rng.normal(0, 1)));
    const truth = features.map((f) => (f[0] > 0 ? 1 : 0));
    const screen = fitCandidateScreen(features, truth, { l2: 1, threshold: 0.4 })!;
    assert.ok(screen && screen.threshold === 0.4 && screen.rimMm === DEFAULT_RIM_MM);
    assert.deepEqual(screen.model.names, [...LESION_CANDIDATE_FEATURES]);
    assert.ok(screen.model.weights[0] > 0);
    const fewFalse = truth.map((_, i) => (i < MIN_CANDIDATES_PER_KIND - 1 ? 0 : 1));
    assert.equal(fitCandidateScreen(features, fewFalse, { l2: 1, threshold: 0.5 }), null);
    assert.equal(fitCandidateScreen([], [], { l2: 1, threshold: 0.5 }), null);
  });

  it('train fits it for an mtl run (training patients, then validation and screen patients), and predictCase screens the mask and fuses', async () => {
    const { run, data } = await tinyRun();
    const pm = await loadPatientModel(run);
    assert.ok(pm, 'the mtl training run wrote patient-model.json');
    const config = await readRunConfig(run);
    assert.equal(pm.fitted.trainPatients, config.data.train.length);
    assert.equal(pm.fitted.valPatients, config.data.val.length);
    assert.equal(pm.fitted.candidatePatients, Math.min(60, config.data.train.length));
    assert.ok(pm.fitted.falseCandidates <= pm.fitted.candidates);
    // The tiny network's masks give too few candidates of a kind to fit a screen, or enough: either is recorded.
    const enough = Math.min(pm.fitted.falseCandidates, pm.fitted.candidates - pm.fitted.falseCandidates) >= MIN_CANDIDATES_PER_KIND;
    assert.equal(pm.candidates !== null, enough);
    for (const t of [pm.temperature, pm.networkTemperature, pm.phenotypeTemperature]) assert.ok(Number.isFinite(t) && t > 0);
    const dataset = await openDataset(data, { layout: 'native', sequences: config.data.sequences });
    const labels = config.data.train.map((id) => dataset.cases.find((c) => c.id === id)!.labels.egfr!);
    const mutants = labels.filter((l) => l > 0).length;
    assert.ok(Math.abs(pm.priorLogOdds - Math.log(mutants / (labels.length - mutants))) < 1e-12);
    // Without the network there is nothing to calibrate on; the phenotype model is the same.
    const uncalibrated = await fitPatientModel(config, dataset.cases);
    assert.deepEqual(uncalibrated.phenotype, pm.phenotype);
    assert.deepEqual([uncalibrated.temperature, uncalibrated.networkTemperature, uncalibrated.phenotypeTemperature], [1, 1, 1]);
    assert.equal(uncalibrated.candidates, null);
    assert.equal(uncalibrated.fitted.valPatients, 0);

    await initEngine({ backend: 'wasm' });
    const { model } = await loadRun(run);
    try {
      // Refitting with the saved network on the backend it was trained on gives the same model (but the timestamp).
      const refit = await fitPatientModel(config, dataset.cases, { network: networkPredictor(model, config.data.preprocess) });
      assert.deepEqual({ ...refit, fitted: { ...refit.fitted, created: '' } }, { ...pm, fitted: { ...pm.fitted, created: '' } });
      // The thick-slice copies of the validation patients add candidates to the screen and change nothing else.
      const thinOnly = await fitPatientModel(config, dataset.cases, { network: networkPredictor(model, config.data.preprocess), thickSliceCopies: false });
      assert.ok(thinOnly.fitted.candidates <= refit.fitted.candidates);
      assert.equal(thinOnly.fitted.valPatients, refit.fitted.valPatients);
      assert.deepEqual([thinOnly.temperature, thinOnly.networkTemperature, thinOnly.phenotype], [refit.temperature, refit.networkTemperature, refit.phenotype]);
      const input = await readCaseInput(dataset.cases.find((c) => c.id === config.data.val[0])!, config.data.sequences);
      const plain = predictCase(model, input, config.data.preprocess);
      assert.equal(plain.patient, null);
      const fused = predictCase(model, input, config.data.preprocess, { patientModel: pm });
      assert.ok(fused.patient && fused.egfr);
      assert.equal(fused.patient.networkProbability, fused.egfr.probability);
      assert.equal(fused.egfr.probability, plain.egfr!.probability);
      const phenotype = phenotypeOf(pm, input.images, fused.mask!, input.id);
      const prior = pm.priorLogOdds;
      const evidence = pm.phenotypeTemperature * (logisticLogit(pm.phenotype, phenotype.features) - prior) + pm.networkTemperature * (logOdds(fused.egfr.probability) - prior);
      assert.ok(Math.abs(fused.patient.probability - sigmoid(pm.temperature * (prior + evidence))) < 1e-12);
      assert.equal(fused.patient.lesions, phenotype.lesions);
      // With a screen, the mask (and its volume) is the network's mask less the rejected components.
      const screen = { ...pm, candidates: volumeScreen(20) };
      const screened = predictCase(model, input, config.data.preprocess, { patientModel: screen });
      const expectedMask = screenLesions(screen, input.images, plain.mask!, input.id);
      assert.deepEqual(screened.mask!.data, expectedMask.mask.data);
      assert.equal(screened.patient!.rejected, expectedMask.rejected);
      let voxels = 0;
      for (const v of screened.mask!.data) voxels += v;
      const [sx, sy, sz] = screened.mask!.spacing;
      assert.ok(Math.abs(screened.gtvMl! - (voxels * sx * sy * sz) / 1000) < 1e-12);
      assert.ok(screened.mask!.data.every((v, i) => v <= plain.mask!.data[i]));
    } finally {
      model.dispose();
    }
  });

  it('needs an mtl run, and labels of both classes among the training patients', async () => {
    const { run, data } = await tinyRun();
    const config = await readRunConfig(run);
    const dataset = await openDataset(data, { layout: 'native', sequences: config.data.sequences });
    await assert.rejects(fitPatientModel({ ...config, model: { ...config.model, kind: 'seg' } }, dataset.cases), (e: Error) => e instanceof ConfigError && /needs an mtl run, not seg/.test(e.message));
    const oneClass = config.data.train.filter((id) => dataset.cases.find((c) => c.id === id)!.labels.egfr === 0);
    await assert.rejects(fitPatientModel({ ...config, data: { ...config.data, train: oneClass } }, dataset.cases), (e: Error) => e instanceof ConfigError && /needs both classes/.test(e.message));
    await assert.rejects(fitPatientModel({ ...config, data: { ...config.data, train: ['nobody'] } }, dataset.cases), /case nobody of the run's training split is not in the data folder/);
  });
});
