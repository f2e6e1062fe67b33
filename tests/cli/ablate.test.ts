import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';
import { RESULT_COLUMNS } from '../../lib/experiments/results';
import { tinyGrid, writeTinyCohort } from '../experiments/tiny-study';
import { indexedJobManifest, toYaml } from '../../lib/experiments/kubernetes';
import { ablateSbatch, reportSbatch, type SlurmScriptOptions } from '../../lib/experiments/slurm';


describe('cli ablate', function () {
  this.timeout(120000);
  let root: string;
  let gridFile: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'cli-ablate-'));
    gridFile = join(root, 'tiny.json');
    writeFileSync(gridFile, JSON.stringify({ ...tinyGrid, models: ['mtl'] }));
  });

  it('answers bad usage with exit status 2 and a bad grid with 1, naming the file', async () => {
    assert.equal((await runCli(['ablate'])).code, 2);
    assert.equal((await runCli(['ablate', '--grid', gridFile, '--test', 'x=/tmp'])).code, 2);
    assert.equal((await runCli(['ablate', '--grid', gridFile, '--data', root, '--test', 'no-equals-sign'])).code, 2);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...tinyGrid, models: ['resnet'] }));
    const r = await runCli(['ablate', '--grid', bad, '--data', root, '--test', `t=${root}`]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(bad) && /unknown model 'resnet'/.test(r.stderr));
  });

  it('runs a grid on given cohorts, prints the table, and skips finished cells when run again', async () => {
    const data = await writeTinyCohort(join(root, 'dev'), 8, 7);
    const test = await writeTinyCohort(join(root, 'test'), 4, 8);
    const out = join(root, 'study');
    const args = ['ablate', '--grid', gridFile, '--data', data, '--test', `held-out=${test}`, '--out', out, '--bootstrap', '20'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /held-out:\n\| model \| weighting \| seeds \| dice/);
    assert.match(first.stdout, /\| mtl \| uncertainty \| 1 \| \d\.\d{3}/);
    const results = join(out, 'results.csv');
    assert.equal(readFileSync(results, 'utf8').split('\n')[0], RESULT_COLUMNS.join(','));
    assert.ok(existsSync(join(out, 'cells', 'mtl__uncertainty__s1', 'run', 'model')));
    const again = await runCli(args);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /mtl__uncertainty__s1: finished earlier, skipped/);
  });

  it('--print k8s prints an Indexed Job: one pod per cell, the study on a PVC, requests per pod, image and command', async () => {
    const grid = join(root, 'two.json');
    writeFileSync(grid, JSON.stringify(tinyGrid));
    const r = await runCli(['ablate', '--grid', grid, '--out', '/studies/tiny', '--data', '/data/dev', '--test', 'ext=/data/ext', '--print', 'k8s',
      '--image', 'registry.example/egfr-gtv:1', '--array-parallel', '1', '--cpus-per-task', '4', '--mem', '8Gi', '--pvc', 'studies']);
    assert.equal(r.code, 0, r.stderr);
    const args = ['ablate', '--grid', grid, '--out', '/studies/tiny', '--data', '/data/dev', '--test', 'ext=/data/ext', '--bootstrap', '1000'];
    const m = indexedJobManifest({ name: 'egfr-gtv-tiny', completions: 2, parallelism: 1, image: 'registry.example/egfr-gtv:1', command: ['egfr-gtv'], args,
      claimName: 'studies', mountPath: '/studies', cpu: 4, memory: '8Gi', fast: false });
    assert.equal(r.stdout, toYaml(m));
    const spec = m.spec as { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: Array<Record<string, unknown>>; volumes: unknown[] } } };
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.completions, 2);
    assert.equal(spec.parallelism, 1);
    const c = spec.template.spec.containers[0] as { image: string; args: string[]; resources: { requests: Record<string, string> }; env: Array<{ name: string; value: string }>; volumeMounts: Array<{ mountPath: string }> };
    assert.equal(c.image, 'registry.example/egfr-gtv:1');
    assert.deepEqual(c.resources.requests, { cpu: '4', memory: '8Gi' });
    assert.deepEqual(c.env.find((e) => e.name === 'EGFR_GTV_TASK_COUNT'), { name: 'EGFR_GTV_TASK_COUNT', value: '2' });
    assert.equal(c.volumeMounts[0].mountPath, '/studies');
    assert.deepEqual(spec.template.spec.volumes, [{ name: 'study', persistentVolumeClaim: { claimName: 'studies' } }]);
    assert.match(r.stdout, /^apiVersion: batch\/v1\nkind: Job\n/);
    assert.match(r.stdout, /\n {2}completionMode: Indexed\n/);
    assert.match(r.stdout, /\n( *)- name: ablate\n\1 {2}image: "registry.example\/egfr-gtv:1"\n/);
    assert.equal((await runCli(['ablate', '--grid', grid, '--print', 'k8s'])).code, 2, 'needs cohorts as the pods see them');
  });

  it('writes readable sbatch scripts: the array, threads from --cpus-per-task, the report after it', () => {
    const o: SlurmScriptOptions = { grid: '/g/quick.json', out: '/s/quick', gridName: 'quick', fast: true, tasks: 8, command: ['node', '/p/bin/egfr-gtv.js'],
      workdir: '/p', workerArgs: ['--data', '/d', '--test', 'internal=/t'], cpusPerTask: 2, mem: '8G', time: '02:00:00', partition: 'gpu', gres: 'gpu:1', arrayParallel: 3 };
    const a = ablateSbatch(o);
    for (const line of ['#SBATCH --array=0-7%3', '#SBATCH --cpus-per-task=2', '#SBATCH --mem=8G', '#SBATCH --time=02:00:00', '#SBATCH --partition=gpu', '#SBATCH --gres=gpu:1',
      '#SBATCH --output=/s/quick/slurm/logs/ablate-%A_%a.out', 'export EGFR_GTV_FAST=1', 'EGFR_GTV=(node /p/bin/egfr-gtv.js)', '"${EGFR_GTV[@]}" backend']) {
      assert.ok(a.includes(line + '\n'), `${line} in\n${a}`);
    }
    assert.match(a, /exec "\$\{EGFR_GTV\[@\]\}" ablate --grid \/g\/quick.json --out \/s\/quick --data \/d --test internal=\/t \\\n {2}--task-index "\$\{SLURM_ARRAY_TASK_ID:-0\}" --task-count "\$\{SLURM_ARRAY_TASK_COUNT:-1\}"/);
    assert.match(a, /export EGFR_NATIVE_THREADS=\$threads/);
    assert.match(reportSbatch(o), /ablate --grid \/g\/quick.json --out \/s\/quick --collect\n/);
  });
});
