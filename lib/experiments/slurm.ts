/**
 * A study on a Slurm cluster, through Slurm itself (no scheduler of ours): `ablate.sbatch`, a job array with one task
 * per cell, each task an `egfr-gtv ablate` worker (lib/experiments/ablation.ts: its share first, then any unclaimed
 * cell; claims with leases make a killed task's cell continue elsewhere from its checkpoint), and `report.sbatch`,
 * which runs after the array (--dependency=afterany) and rebuilds results.csv and the report from the finished cells'
 * records. Both scripts land in <study>/slurm/ and are meant to be read, edited and submitted by hand as well.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { readCellFailure, readCellRecord, studyPaths } from './study-folder';
import { readClaim } from './claims';

export interface SlurmScriptOptions {
  /** The grid file (absolute) and the study folder (absolute). */
  grid: string;
  out: string;
  gridName: string;
  fast: boolean;
  /** Number of array tasks (normally the number of cells not finished yet). */
  tasks: number;
  /** The command that runs egfr-gtv on the nodes, e.g. ['node', '/home/me/egfr-gtv/bin/egfr-gtv.js']. */
  command: string[];
  /** The folder the tasks start in (the project root). */
  workdir: string;
  /** Arguments every worker gets after `ablate --grid G --out DIR` (cohorts, bootstrap). */
  workerArgs: string[];
  partition?: string;
  cpusPerTask: number;
  mem?: string;
  time?: string;
  /** At most this many tasks at once (the %K of --array). */
  arrayParallel?: number;
  /** e.g. 'gpu:1' for a GPU partition (docs/cluster.md). */
  gres?: string;
  /** Lease of a cell's claim in seconds (EGFR_GTV_LEASE_SECONDS in the tasks), when not the default. */
  leaseSeconds?: number;
  /** Write the HTML report in the report job (default true). */
  report?: boolean;
}

/** Quotes a word for bash when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const words = (list: string[]) => list.map(shellQuote).join(' ');

export const slurmPaths = (out: string) => {
  const dir = studyPaths(out).slurm;
  return {
    dir,
    ablate: join(dir, 'ablate.sbatch'),
    report: join(dir, 'report.sbatch'),
    logs: join(dir, 'logs'),
    /** The log of one array task, as the scripts' --output patterns name it. */
    taskLog: (job: string, task: number | string) => join(dir, 'logs', `ablate-${job}_${task}.out`),
    reportLog: (job: string) => join(dir, 'logs', `report-${job}.out`),
  };
};

export const arraySpec = (tasks: number, parallel?: number) => `0-${tasks - 1}${parallel ? `%${parallel}` : ''}`;

function sbatchLines(lines: Array<[string, string | number | undefined]>): string[] {
  return lines.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `#SBATCH --${k}=${v}`);
}

function environment(o: SlurmScriptOptions): string[] {
  return [
    '# Threads per task follow --cpus-per-task: the native engine (EGFR_NATIVE_THREADS), and TensorFlow and OpenMP for',
    '# the tfjs-node(-gpu) backends.',
    'threads=${SLURM_CPUS_PER_TASK:-1}',
    'export EGFR_NATIVE_THREADS=$threads TF_NUM_INTRAOP_THREADS=$threads TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=$threads',
    ...(o.fast ? ['export EGFR_GTV_FAST=1'] : []),
    ...(o.leaseSeconds !== undefined ? [`export EGFR_GTV_LEASE_SECONDS=${o.leaseSeconds}`] : []),
    `cd ${shellQuote(o.workdir)}`,
    `EGFR_GTV=(${words(o.command)})`,
  ];
}

/** The array job: one task per cell, each a worker on the study folder. */
export function ablateSbatch(o: SlurmScriptOptions): string {
  const p = slurmPaths(o.out);
  return [
    '#!/bin/bash',
    `# egfr-gtv ablate on Slurm: grid ${o.gridName}${o.fast ? ' (fast mode)' : ''}, study folder ${o.out}.`,
    '# Written by `egfr-gtv ablate --submit slurm`, which submitted it as',
    `#   sbatch --array=${arraySpec(o.tasks, o.arrayParallel)} ${p.ablate}`,
    `#   sbatch --dependency=afterany:<array job id> ${p.report}`,
    '# Edit and submit it by hand the same way. Task i takes cells i, i+N, i+2N, ... first (N tasks), then helps with',
    '# any cell nobody holds; a cell is trained by one task at a time (its claim, cells/<cell>/claim.json, is refreshed',
    "# during training); a killed or cancelled task's cell is taken over once its lease expired and continues from its",
    '# checkpoint. Submitting the array again continues the study; finished cells are skipped.',
    ...sbatchLines([
      ['job-name', `egfr-gtv-${o.gridName}`],
      ['array', arraySpec(o.tasks, o.arrayParallel)],
      ['cpus-per-task', o.cpusPerTask],
      ['mem', o.mem],
      ['time', o.time],
      ['partition', o.partition],
      ['gres', o.gres],
      ['output', join(p.logs, 'ablate-%A_%a.out')],
    ]),
    ...(o.gres ? [] : ['# On a GPU partition (with @tensorflow/tfjs-node-gpu installed, docs/cluster.md), one GPU per task:', '##SBATCH --gres=gpu:1']),
    'set -euo pipefail',
    ...environment(o),
    `export EGFR_GTV_LOG=${shellQuote(p.logs)}/ablate-\${SLURM_ARRAY_JOB_ID:-\${SLURM_JOB_ID:-local}}_\${SLURM_ARRAY_TASK_ID:-0}.out`,
    'echo "task ${SLURM_ARRAY_TASK_ID:-0} of ${SLURM_ARRAY_TASK_COUNT:-1} on $(hostname) with $threads threads, started $(date -Is)"',
    '# The engine report: the backend in use (tensorflow-gpu on a GPU node), its threads, and why faster ones were skipped.',
    '"${EGFR_GTV[@]}" backend',
    `exec "\${EGFR_GTV[@]}" ablate --grid ${shellQuote(o.grid)} --out ${shellQuote(o.out)} ${words(o.workerArgs)} \\`,
    '  --task-index "${SLURM_ARRAY_TASK_ID:-0}" --task-count "${SLURM_ARRAY_TASK_COUNT:-1}"',
    '',
  ].join('\n');
}

/** The job after the array: results.csv from the finished cells' records, the status of every cell, the report. */
export function reportSbatch(o: SlurmScriptOptions): string {
  const p = slurmPaths(o.out);
  return [
    '#!/bin/bash',
    `# egfr-gtv ablate on Slurm, after the array of ${p.ablate}: rebuilds results.csv from the finished cells' records,`,
    '# lists unfinished and failed cells with their log files (exit status 1 when there are any) and writes the report.',
    `# By hand: sbatch --dependency=afterany:<array job id> ${p.report}`,
    ...sbatchLines([
      ['job-name', `egfr-gtv-${o.gridName}-report`],
      ['cpus-per-task', o.cpusPerTask],
      ['mem', o.mem],
      ['time', o.time],
      ['partition', o.partition],
      ['output', join(p.logs, 'report-%j.out')],
    ]),
    'set -euo pipefail',
    ...environment(o),
    `exec "\${EGFR_GTV[@]}" ablate --grid ${shellQuote(o.grid)} --out ${shellQuote(o.out)} --collect${o.report === false ? ' --no-report' : ''}`,
    '',
  ].join('\n');
}

/** Runs a Slurm command; its stdout, or a ConfigError with its stderr. */
export function slurmCommand(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new ConfigError(missing ? `${cmd} not found: is this a Slurm login node? (PATH=${process.env.PATH})` : `${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      } else resolvePromise(stdout);
    });
  });
}

/** Writes both scripts into <study>/slurm/ (and its logs/ folder). */
export async function writeSlurmScripts(o: SlurmScriptOptions): Promise<{ ablate: string; report: string }> {
  const p = slurmPaths(o.out);
  await fs.mkdir(p.logs, { recursive: true });
  await fs.writeFile(p.ablate, ablateSbatch(o), { mode: 0o755 });
  await fs.writeFile(p.report, reportSbatch(o), { mode: 0o755 });
  return { ablate: p.ablate, report: p.report };
}

/** Submits the array and the report after it; the two job ids. */
export async function submitSlurm(o: SlurmScriptOptions): Promise<{ arrayJob: string; reportJob: string }> {
  const { ablate, report } = await writeSlurmScripts(o);
  const id = (text: string) => text.trim().split(';')[0];
  const arrayJob = id(await slurmCommand('sbatch', ['--parsable', `--array=${arraySpec(o.tasks, o.arrayParallel)}`, ablate]));
  const reportJob = id(await slurmCommand('sbatch', ['--parsable', `--dependency=afterany:${arrayJob}`, report]));
  return { arrayJob, reportJob };
}

/** Job ids (array tasks as `<job>_<task>`) of `jobs` still pending or running, from squeue (no accounting needed). */
export async function activeJobs(jobs: string[]): Promise<Array<{ id: string; state: string }>> {
  let text: string;
  try {
    text = await slurmCommand('squeue', ['-h', '-o', '%i %T', '-j', jobs.join(',')]);
  } catch (err) {
    if (/Invalid job id/i.test((err as Error).message)) return [];
    throw err;
  }
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 2)
    .map(([id, state]) => ({ id, state }));
}

/** Polls squeue until none of `jobs` is pending or running; `onChange` hears each new picture. */
export async function waitForJobs(jobs: string[], onChange?: (active: Array<{ id: string; state: string }>) => void, pollMs = 2000): Promise<void> {
  let last = '';
  for (;;) {
    const active = await activeJobs(jobs);
    const picture = active.map((a) => `${a.id} ${a.state}`).join(',');
    if (picture !== last) onChange?.(active);
    last = picture;
    if (active.length === 0) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Where each cell of a study stands, for --wait, the report job and people. */
export interface CellStatus {
  cell: string;
  state: 'finished' | 'failed' | 'claimed' | 'not started';
  /** The log file of the worker that failed it or holds it. */
  log?: string;
  error?: string;
}

export async function studyStatus(out: string, cellIds: string[]): Promise<CellStatus[]> {
  const paths = studyPaths(out);
  const status: CellStatus[] = [];
  for (const cell of cellIds) {
    if (await readCellRecord(out, cell)) {
      status.push({ cell, state: 'finished' });
      continue;
    }
    const failure = await readCellFailure(out, cell);
    const claim = await readClaim(paths.claim(cell), 0).catch(() => null);
    if (failure) status.push({ cell, state: 'failed', error: failure.error, ...(failure.log ? { log: failure.log } : {}) });
    else if (claim) status.push({ cell, state: 'claimed', ...(claim.log ? { log: claim.log } : {}) });
    else status.push({ cell, state: 'not started' });
  }
  return status;
}

/** One line per cell that is not finished: `  <cell>: failed: <error> (log: <file>)`. */
export function unfinishedLines(status: CellStatus[]): string[] {
  return status
    .filter((s) => s.state !== 'finished')
    .map((s) => `  ${s.cell}: ${s.state === 'claimed' ? 'not finished (its worker stopped)' : s.state}${s.error ? `: ${s.error}` : ''}${s.log ? ` (log: ${s.log})` : ''}`);
}
