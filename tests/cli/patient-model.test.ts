import { strict as assert } from 'node:assert';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPatientModel } from '../../lib/patient/patient-model';
import { runPaths } from '../../lib/train/run-folder';
import { runCli } from './run-cli';
import { TINY_TRAIN_ARGS, tinyRun } from './tiny-run';

describe('cli patient model', function () {
  this.timeout(60000);

  it("train writes it for mtl (not with --no-patient-model); patient-model refits the run's", async () => {
    const { root, run, data, trainOutput } = await tinyRun();
    assert.equal(JSON.parse(trainOutput.stdout).patient_model, runPaths(run).patientModel);
    const before = await loadPatientModel(run);
    const copy = join(root, 'refit-run');
    cpSync(run, copy, { recursive: true });
    rmSync(runPaths(copy).patientModel);
    const r = await runCli(['patient-model', '--run', copy, '--data', data, '--json', '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.patient_model, runPaths(copy).patientModel);
    assert.equal(report.train_patients, before!.fitted.trainPatients);
    assert.equal(report.val_patients, before!.fitted.valPatients);
    assert.ok(Math.abs(report.temperature - before!.temperature) < 1e-9);
    assert.ok(Math.abs(report.network_temperature - before!.networkTemperature) < 1e-9);
    assert.equal(report.candidate_patients, before!.fitted.candidatePatients);
    assert.equal(report.candidates, before!.fitted.candidates);
    assert.equal(report.candidate_screen === null, before!.candidates === null);
    const valOnly = await runCli(['patient-model', '--run', copy, '--data', data, '--json', '--backend', 'wasm', '--candidate-patients', '0']);
    assert.equal(valOnly.code, 0, valOnly.stderr);
    assert.equal(JSON.parse(valOnly.stdout).candidate_patients, 0);
    assert.deepEqual((await loadPatientModel(copy))!.phenotype, before!.phenotype);

    const without = join(root, 'no-pm-run');
    const t = await runCli(['train', '--data', data, '--out', without, ...TINY_TRAIN_ARGS, '--no-patient-model']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).patient_model, null);
    assert.equal(existsSync(runPaths(without).patientModel), false);
  });

  it('eval and predict use it unless --network-only', async () => {
    const { root, run, data } = await tinyRun();
    const evalArgs = ['eval', '--run', run, '--data', data, '--json', '--bootstrap', '10', '--backend', 'wasm'];
    const fused = JSON.parse((await runCli([...evalArgs, '--out', join(root, 'eval-fused')])).stdout);
    const network = JSON.parse((await runCli([...evalArgs, '--out', join(root, 'eval-network'), '--network-only'])).stdout);
    assert.equal(fused.egfr_source, 'patient-model');
    assert.equal(network.egfr_source, 'network');
    assert.equal(network.phenotype_auc, null);
    assert.equal(fused.network_auc, network.classification.auc);
    const rows = readFileSync(join(root, 'eval-fused', 'patients.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    for (const cells of rows) assert.ok(Number(cells[6]) >= 0 && Number(cells[6]) <= 1, 'phenotype_probability filled');

    const image = join(data, 'tiny-0', 't1c.nii.gz');
    const p = await runCli(['predict', '--run', run, '--in', image, '--out', join(root, 'pm-mask.nii.gz'), '--backend', 'wasm']);
    assert.equal(p.code, 0, p.stderr);
    const out = JSON.parse(p.stdout);
    for (const k of ['network_egfr_probability', 'phenotype_egfr_probability', 'lesions', 'lesions_rejected']) assert.ok(k in out, k);
    const plain = JSON.parse((await runCli(['predict', '--run', run, '--in', image, '--out', join(root, 'pm-mask2.nii.gz'), '--backend', 'wasm', '--network-only'])).stdout);
    assert.equal(plain.egfr_probability, out.network_egfr_probability);
    assert.equal('network_egfr_probability' in plain, false);
  });

  it('names the file on a missing run, a missing data folder or a corrupt patient model', async () => {
    const { root, run, data } = await tinyRun();
    const missing = await runCli(['patient-model', '--run', join(root, 'nope')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope.*run folder does not exist/);
    const badCount = await runCli(['patient-model', '--run', run, '--candidate-patients', '2.5']);
    assert.notEqual(badCount.code, 0);
    assert.match(badCount.stderr, /--candidate-patients must be an integer >= 0, got 2.5/);
    const noData = await runCli(['patient-model', '--run', run, '--data', join(root, 'no-data')]);
    assert.notEqual(noData.code, 0);
    assert.match(noData.stderr, /no-data.*data folder does not exist/);
    const broken = join(root, 'broken-pm-run');
    cpSync(run, broken, { recursive: true });
    writeFileSync(runPaths(broken).patientModel, '{"format": "egfr-gtv-patient-model", "formatVer');
    const r = await runCli(['eval', '--run', broken, '--data', data, '--json', '--backend', 'wasm']);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(runPaths(broken).patientModel), r.stderr);
    assert.match(r.stderr, /not valid JSON/);
  });
});
