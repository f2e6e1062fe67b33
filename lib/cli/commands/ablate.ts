import { join, basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors';
import { runAblation, writeStudyResults } from '../../experiments/ablation';
import { ensureStudyCohorts, studyCohortsRequest, studyCohortsRoot } from '../../experiments/cohorts';
import { gridCells, readGrid } from '../../experiments/grid';
import { indexedJobManifest, toYaml } from '../../experiments/kubernetes';
import { meanSdTable, summariseResults, tableMarkdown, type ResultRow } from '../../experiments/results';
import { slurmPaths, studyStatus, submitSlurm, unfinishedLines, waitForJobs, type SlurmScriptOptions } from '../../experiments/slurm';
import { claimStudyFolder } from '../../experiments/study-folder';
import { loadStudy } from '../../experiments/study';
import { EGFR_GTV_BIN, startLocalWorkers, threadsPerWorker } from '../../experiments/workers';
import { writeReport } from '../../report/report';
import { isFastMode } from '../../util/mode';
import { createStagedProgress, formatDuration } from '../../util/progress';
import { choiceOption, flagOptions, integerOption, nameValueOption, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';
import { studyProgress } from '../../experiments/study-progress';

const usage = `usage: egfr-gtv ablate --grid FILE [--out DIR] [--data DIR --test NAME=DIR ...] [--bootstrap N] [--max-cells N]
         [--task-index I --task-count N] [--lease S] [--workers N]
         [--submit slurm [--partition P] [--cpus-per-task C] [--mem M] [--time T] [--array-parallel K] [--gres G] [--wait]]
         [--print k8s [--image I] [--k8s-command CMD] [--pvc NAME] [--mount DIR] [--array-parallel K]]
         [--collect [--no-report]]

Runs a grid of models x task weightings x seeds (grids/*.json; the format is documented in lib/experiments/grid.ts):
each cell is trained on the development cohort and evaluated on every test cohort. Results go to the study folder
--out (default runs/<grid name>, or runs/<grid name>-fast in fast mode): one run folder and per-patient evaluations per
cell, and results.csv, the tidy table of all finished cells. Re-running the same command skips finished cells and
continues a half-finished one from its last checkpoint.

Without --data, the shared synthetic study cohorts are used (datasets/generated/, generated when missing): the
development cohort and the internal and external test cohorts. EGFR_GTV_FAST=1 runs the grid's "fast" section on the
small fast-mode cohorts.

Several workers may share one study folder (docs/cluster.md): a cell is trained by the worker holding its claim
(cells/<cell>/claim.json, a lease refreshed during training); a killed worker's cell is taken over once its lease
expired and continues from its checkpoint.

  --data DIR          development cohort (project-native layout): training and validation
  --test NAME=DIR     a test cohort and its name in the results (repeatable; needs --data)
  --bootstrap N       bootstrap replicates of the AUC interval per test cohort (default 1000)
  --max-cells N       train at most N cells in this call, then stop (the rest stay for a later call)
  --task-index I      this worker's task (default SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX, else 0): it takes
  --task-count N      cells I, I+N, ... first, then helps with unclaimed ones (default SLURM_ARRAY_TASK_COUNT, or
                      EGFR_GTV_TASK_COUNT, else 1)
  --lease S           seconds a claim lives without a refresh (default EGFR_GTV_LEASE_SECONDS, else 60)
  --workers N         run N worker processes on this machine, the cores split between them
  --submit slurm      write <out>/slurm/ablate.sbatch (one array task per cell) and report.sbatch, submit them as
                      sbatch --array=0-(N-1)%K and a report job after it (--dependency=afterany)
  --cpus-per-task C   cores per task (default 1); the task's threads follow it
  --mem M, --time T, --partition P, --gres G (e.g. gpu:1)   passed to Slurm as they are
  --array-parallel K  at most K tasks (Slurm) or pods (Kubernetes) at once
  --wait              wait until the array and the report ended; exit 1 naming unfinished cells and their logs
  --print k8s         print a Kubernetes Indexed Job manifest (needs --data and --test, paths as the pods see them)
  --image I           the pods' image (default egfr-gtv:latest); --k8s-command CMD its command (default egfr-gtv)
  --pvc NAME          the PersistentVolumeClaim with the study folder (default egfr-gtv-studies), mounted at --mount
                      (default the parent of --out)
  --collect           train nothing: rebuild results.csv from the finished cells, list the unfinished ones (exit 1
                      when there are any) and write the HTML report to <out>/report (not with --no-report)`;

function printTables(rows: ResultRow[], sets: string[]): void {
  const summary = summariseResults(rows);
  for (const set of sets) process.stdout.write(`\n${set}:\n${tableMarkdown(meanSdTable(summary, set, ['dice', 'hd95_mm', 'auc', 'accuracy']))}\n`);
}

/** --task-index and --task-count, defaulting from Slurm's or Kubernetes' variables. */
function taskOptions(values: Record<string, unknown>): { taskIndex: number; taskCount: number } {
  const env = process.env;
  const envInt = (name: string) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : undefined);
  const slurmIndex = envInt('SLURM_ARRAY_TASK_ID');
  const index = slurmIndex !== undefined ? slurmIndex - (envInt('SLURM_ARRAY_TASK_MIN') ?? 0) : envInt('JOB_COMPLETION_INDEX');
  const count = slurmIndex !== undefined ? envInt('SLURM_ARRAY_TASK_COUNT') : envInt('EGFR_GTV_TASK_COUNT');
  const taskIndex = integerOption(values, 'task-index', index ?? 0, 0);
  const taskCount = integerOption(values, 'task-count', count ?? 1, 1);
  if (taskIndex >= taskCount) throw new UsageError(`--task-index ${taskIndex} must be below --task-count ${taskCount}`);
  return { taskIndex, taskCount };
}

/** The given arguments without the named options (and their values). */
function withoutOptions(args: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = names.find((n) => a === `--${n}` || a.startsWith(`--${n}=`));
    if (name === undefined) out.push(a);
    else if (a === `--${name}`) i++;
  }
  return out;
}

export const command: Command = {
  name: 'ablate',
  summary: 'run a grid of models x weightings x seeds (resumable; several workers, Slurm, Kubernetes) into one results table',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('grid', 'out', 'data', 'bootstrap', 'max-cells', 'task-index', 'task-count', 'lease', 'workers', 'submit', 'partition'),
      ...stringOptions('cpus-per-task', 'mem', 'time', 'array-parallel', 'gres', 'print', 'image', 'k8s-command', 'pvc', 'mount'),
      ...flagOptions('wait', 'collect', 'no-report'),
      test: { type: 'string', multiple: true },
    });
    const gridFile = requireOption(values, 'grid');
    const fast = isFastMode();
    const grid = await readGrid(gridFile, { fast });
    const bootstrap = integerOption(values, 'bootstrap', 1000, 2);
    const maxCellsValue = integerOption(values, 'max-cells', undefined, 0);
    const lease = values.lease !== undefined ? numberOption(values, 'lease', 60) : undefined;
    if (lease !== undefined && lease <= 0) throw new UsageError('--lease must be a positive number of seconds');
    const submit = choiceOption(values, 'submit', ['slurm'] as const);
    const print = choiceOption(values, 'print', ['k8s'] as const);
    const workers = integerOption(values, 'workers', undefined, 1);
    const cpus = integerOption(values, 'cpus-per-task', 1, 1);
    const parallel = integerOption(values, 'array-parallel', undefined, 1);
    const modes = [submit, print, workers, values.collect || undefined].filter((m) => m !== undefined);
    if (modes.length > 1) throw new UsageError('--submit, --print, --workers and --collect exclude one another');
    if (values.wait && !submit) throw new UsageError('--wait goes with --submit slurm');
    const testArgs = nameValueOption(values.test, 'test', 'NAME=DIR');
    const out = resolve(values.out ?? join('runs', `${grid.name}${fast ? '-fast' : ''}`));
    const cells = gridCells(grid);
    const total = cells.length;

    if (values.collect) {
      await claimStudyFolder(grid, out);
      const records = await writeStudyResults(out, cells);
      const rows = records.flatMap((r) => r.rows);
      const sets = [...new Set(rows.map((r) => r.set))];
      printTables(rows, sets);
      process.stdout.write(`\nresults: ${join(out, 'results.csv')} (${records.length}/${total} cells finished)\n`);
      if (!values['no-report'] && records.length > 0) {
        const files = await writeReport(await loadStudy(out), join(out, 'report'), { replicates: bootstrap });
        process.stdout.write(`report: ${files.html}\n`);
      }
      const lines = unfinishedLines(await studyStatus(out, cells.map((c) => c.id)));
      if (lines.length > 0) {
        process.stdout.write(`${lines.length} cells not finished:\n${lines.join('\n')}\n`);
        return 1;
      }
      return 0;
    }

    let data: string;
    let tests: Record<string, string>;
    if (values.data) {
      if (testArgs.length === 0) throw new UsageError('--data needs at least one --test NAME=DIR');
      data = values.data;
      tests = {};
      for (const [name, dir] of testArgs) {
        // The name becomes a results column value and part of folder names.
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--test name '${name}' must be letters, digits, '.', '_' or '-'`);
        if (tests[name]) throw new UsageError(`--test ${name} is given twice`);
        tests[name] = dir;
      }
    } else {
      if (testArgs.length > 0) throw new UsageError('--test needs --data');
      if (print) throw new UsageError('--print k8s needs --data and --test NAME=DIR (the cohorts as the pods see them)');
      const cohorts = await ensureStudyCohorts(studyCohortsRoot(fast), studyCohortsRequest(fast), {
        onCase: createStagedProgress((role) => `synth ${role}`),
      });
      data = cohorts.internal;
      tests = { internal: cohorts['internal-test'], external: cohorts.external };
    }
    // What every worker of a distributed run gets besides --grid and --out: the same cohorts, never a fresh generation each.
    const workerArgs = [
      '--data', resolve(data), ...Object.entries(tests).flatMap(([n, d]) => ['--test', `${n}=${resolve(d)}`]),
      '--bootstrap', String(bootstrap), ...(lease !== undefined ? ['--lease', String(lease)] : []),
    ];

    if (print === 'k8s') {
      const mount = values.mount ?? resolve(out, '..');
      const name = `egfr-gtv-${grid.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
      const manifest = indexedJobManifest({
        name,
        completions: total,
        parallelism: Math.min(total, parallel ?? total),
        image: values.image ?? 'egfr-gtv:latest',
        command: (values['k8s-command'] ?? 'egfr-gtv').split(/\s+/).filter(Boolean),
        args: ['ablate', '--grid', gridFile, '--out', values.out ?? out, '--data', data, ...Object.entries(tests).flatMap(([n, d]) => ['--test', `${n}=${d}`]), '--bootstrap', String(bootstrap)],
        claimName: values.pvc ?? 'egfr-gtv-studies',
        mountPath: mount,
        cpu: cpus,
        memory: values.mem ?? '4Gi',
        fast,
        ...(lease !== undefined ? { leaseSeconds: lease } : {}),
        ...(values.gres?.startsWith('gpu') ? { gpus: Number(values.gres.split(':')[1] ?? 1) } : {}),
      });
      process.stdout.write(toYaml(manifest));
      return 0;
    }

    process.stderr.write(`ablate: grid ${basename(gridFile)} (${grid.name}${fast ? ', fast mode' : ''}): ${total} cells -> ${out}\n`);
    await claimStudyFolder(grid, out);

    if (submit === 'slurm') {
      const status = await studyStatus(out, cells.map((c) => c.id));
      const open = status.filter((s) => s.state !== 'finished').length;
      if (open === 0) {
        process.stdout.write(`every cell is finished already: ${join(out, 'results.csv')}\n`);
        return 0;
      }
      const options: SlurmScriptOptions = {
        grid: resolve(gridFile), out, gridName: grid.name, fast, tasks: open, command: [process.execPath, EGFR_GTV_BIN], workdir: process.cwd(),
        workerArgs, cpusPerTask: cpus,
        ...(values.partition ? { partition: values.partition } : {}),
        ...(values.mem ? { mem: values.mem } : {}),
        ...(values.time ? { time: values.time } : {}),
        ...(values.gres ? { gres: values.gres } : {}),
        ...(parallel !== undefined ? { arrayParallel: parallel } : {}),
        ...(lease !== undefined ? { leaseSeconds: lease } : {}),
        report: !values['no-report'],
      };
      const { arrayJob, reportJob } = await submitSlurm(options);
      const paths = slurmPaths(out);
      process.stdout.write(`slurm: array job ${arrayJob} (${open} tasks${parallel ? `, ${parallel} at a time` : ''}: ${paths.ablate}), report job ${reportJob} after it\n`);
      process.stdout.write(`slurm: logs in ${paths.logs}\n`);
      if (!values.wait) return 0;
      const started = Date.now();
      await waitForJobs([arrayJob, reportJob], (active) => {
        const running = active.filter((a) => a.state === 'RUNNING').map((a) => a.id);
        process.stderr.write(`slurm: ${formatDuration((Date.now() - started) / 1000)}: ${active.length} jobs queued or running${running.length ? ` (running ${running.join(', ')})` : ''}\n`);
      });
      const after = await studyStatus(out, cells.map((c) => c.id));
      const lines = unfinishedLines(after);
      process.stdout.write(`slurm: everything ended after ${formatDuration((Date.now() - started) / 1000)}; report log ${paths.reportLog(reportJob)}\n`);
      if (lines.length > 0) {
        process.stdout.write(`${lines.length} of ${total} cells not finished:\n${lines.join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`all ${total} cells finished: ${join(out, 'results.csv')}\n`);
      return 0;
    }

    if (workers !== undefined) {
      const cores = availableParallelism();
      const threads = threadsPerWorker(workers, cores);
      process.stderr.write(`ablate: ${workers} workers on ${cores} cores, ${threads} threads each\n`);
      const childArgs = [...withoutOptions(args, ['workers', 'data', 'test', 'bootstrap', 'lease', 'out', 'grid']), '--grid', resolve(gridFile), '--out', out, ...workerArgs];
      const started = startLocalWorkers({ workers, cores, args: childArgs, onLine: (w, line) => process.stderr.write(`[worker ${w}] ${line}\n`) });
      const exits = await Promise.all(started.map((w) => w.exited));
      const records = await writeStudyResults(out, cells);
      printTables(records.flatMap((r) => r.rows), Object.keys(tests));
      process.stdout.write(`\nresults: ${join(out, 'results.csv')}\n`);
      const lines = unfinishedLines(await studyStatus(out, cells.map((c) => c.id)));
      const bad = exits.map((e, i) => ({ ...e, i })).filter((e) => e.code !== 0);
      for (const e of bad) process.stdout.write(`worker ${e.i} ended with ${e.signal ?? `exit status ${e.code}`}\n`);
      if (lines.length > 0) process.stdout.write(`${lines.length} cells not finished:\n${lines.join('\n')}\n`);
      return lines.length > 0 || bad.length > 0 ? 1 : 0;
    }

    const { taskIndex, taskCount } = taskOptions(values);
    const distributed = taskCount > 1;
    const prefix = distributed ? `[task ${taskIndex}/${taskCount}] ` : '';
    const progress = studyProgress(total, Object.keys(tests).length, { prefix });
    const result = await runAblation({
      grid,
      out,
      data,
      tests,
      bootstrap,
      taskIndex,
      taskCount,
      continueOnError: distributed,
      ...(lease !== undefined ? { leaseSeconds: lease } : {}),
      ...(process.env.EGFR_GTV_LOG ? { log: process.env.EGFR_GTV_LOG } : {}),
      ...(maxCellsValue !== undefined ? { maxCells: maxCellsValue } : {}),
      trainCallbacks: (cell) => progress.trainCallbacks(cell),
      onEvent: (e) => progress.onEvent(e),
    });
    if (distributed) {
      process.stdout.write(`${prefix}trained ${result.trained.length} cells (${result.trained.join(', ') || 'none'}); ${result.records.length}/${total} cells of the study finished\n`);
      if (result.failed.length > 0) process.stdout.write(`${prefix}failed: ${result.failed.join(', ')}\n`);
      return result.failed.length > 0 ? 1 : 0;
    }
    printTables(result.rows, Object.keys(tests));
    process.stdout.write(`\nresults: ${resolve(out, 'results.csv')}\n`);
    if (result.pending.length > 0) process.stdout.write(`${result.pending.length} cells not run yet (--max-cells); run the same command again to continue\n`);
    return 0;
  },
};
