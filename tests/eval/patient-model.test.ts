import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ModelFileError } from '../../lib/errors';
import { openDataset } from '../../lib/data/dataset';
import { readCaseInput } from '../../lib/data/slice-dataset';
import { initEngine } from '../../lib/engine';
import { fitPatientModel } from '../../lib/eval/fit-patient-model';
import {
  fusePatientEgfr,
  loadPatientModel,
  logOdds,
  phenotypeOf,
  phenotypeSequence,
  savePatientModel,
  PATIENT_MODEL_FORMAT,
  type PatientModel,
} from '../../lib/eval/patient-model';
import { predictCase } from '../../lib/eval/predict';
import { loadRun } from '../../lib/eval/run';
import { lesionPhenotypeDefaults, logisticLogit, patientPhenotypeFeatureNames, sigmoid } from '../../lib/radiomics';
import { readRunConfig, runPaths } from '../../lib/train/run-folder';
import { tinyRun } from '../cli/tiny-run';

/** A patient model whose phenotype logit is `intercept` for every patient (all weights 0). */
function constantModel(intercept: number, priorLogOdds = 0, temperature = 1): PatientModel {
  const names = patientPhenotypeFeatureNames();
  return {
    format: PATIENT_MODEL_FORMAT,
    formatVersion: 1,
    sequence: 't1c',
    sequenceIndex: 0,
    measurement: { ...lesionPhenotypeDefaults },
    phenotype: { names, mean: names.map(() => 0), sd: names.map(() => 1), intercept, weights: names.map(() => 0), l2: 1 },
    priorLogOdds,
    temperature,
    fitted: { trainPatients: 10, valPatients: 4, created: '2026-11-27T00:00:00.000Z' },
  };
}

describe('patient model', function () {
  this.timeout(120000);

  it('measures the post-contrast T1 when the run has one, else the first sequence', () => {
    assert.deepEqual(phenotypeSequence(['flair', 't1c']), { sequence: 't1c', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['FLAIR', 'T1Gd', 't2']), { sequence: 'T1Gd', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['t1', 't1-ce']), { sequence: 't1-ce', sequenceIndex: 1 });
    assert.deepEqual(phenotypeSequence(['flair', 't2']), { sequence: 'flair', sequenceIndex: 0 });
  });

  it('adds the two log-odds, subtracts the prior once (Bayes rule for independent evidence) and scales by the temperature', () => {
    const phenotype = { features: patientPhenotypeFeatureNames().map(() => 0.3), lesions: 2 };
    const out = fusePatientEgfr(constantModel(0.8, 0.25), phenotype, 0.7);
    assert.ok(Math.abs(out.probability - sigmoid(0.8 + Math.log(0.7 / 0.3) - 0.25)) < 1e-12);
    const tempered = fusePatientEgfr(constantModel(0.8, 0.25, 0.4), phenotype, 0.7);
    assert.ok(Math.abs(tempered.probability - sigmoid(0.4 * (0.8 + Math.log(0.7 / 0.3) - 0.25))) < 1e-12);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('train fits it for an mtl run (training patients, then validation), and predictCase fuses it with the network', async () => {
    const { run, data } = await tinyRun();
    const pm = await loadPatientModel(run);
    assert.ok(pm, 'the mtl training run wrote patient-model.json');
    const config = await readRunConfig(run);
    assert.equal(pm.fitted.trainPatients, config.data.train.length);
    assert.equal(pm.fitted.valPatients, config.data.val.length);
    assert.ok(Number.isFinite(pm.temperature) && pm.temperature > 0);
    const dataset = await openDataset(data, { layout: 'native', sequences: config.data.sequences });
    const labels = config.data.train.map((id) => dataset.cases.find((c) => c.id === id)!.labels.egfr!);
    const mutants = labels.filter((l) => l > 0).length;
    assert.ok(Math.abs(pm.priorLogOdds - Math.log(mutants / (labels.length - mutants))) < 1e-12);
    // Without the network there is nothing to calibrate on; the phenotype model is the same.
    const uncalibrated = await fitPatientModel(config, dataset.cases);
    assert.deepEqual(uncalibrated.phenotype, pm.phenotype);
    assert.equal(uncalibrated.temperature, 1);
    assert.equal(uncalibrated.fitted.valPatients, 0);

    await initEngine({ backend: 'wasm' });
    const { model } = await loadRun(run);
    try {
      // Refitting with the saved network on the backend it was trained on gives the same model (but the timestamp).
      const refit = await fitPatientModel(config, dataset.cases, { network: model });
      assert.deepEqual({ ...refit, fitted: { ...refit.fitted, created: '' } }, { ...pm, fitted: { ...pm.fitted, created: '' } });
      const input = await readCaseInput(dataset.cases.find((c) => c.id === config.data.val[0])!, config.data.sequences);
      const plain = predictCase(model, input, config.data.preprocess);
      assert.equal(plain.patient, null);
      const fused = predictCase(model, input, config.data.preprocess, { patientModel: pm });
      assert.ok(fused.patient && fused.egfr);
      assert.equal(fused.patient.networkProbability, fused.egfr.probability);
      assert.equal(fused.egfr.probability, plain.egfr!.probability);
      const phenotype = phenotypeOf(pm, input.images, fused.mask!, input.id);
      const expected = sigmoid(pm.temperature * (logisticLogit(pm.phenotype, phenotype.features) + logOdds(fused.egfr.probability) - pm.priorLogOdds));
      assert.ok(Math.abs(fused.patient.probability - expected) < 1e-12);
      assert.equal(fused.patient.lesions, phenotype.lesions);
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
