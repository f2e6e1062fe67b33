/**
 * A study's reference results, small enough to commit (results/<grid>/): everything the report and the notebooks
 * draw from a study except the model weights and checkpoints, plus where the numbers came from. The folder is itself
 * a study folder (lib/experiments/study-folder.ts) that `loadStudy` reads:
 *   grid.json, results.csv
 *   cells/<cell>/result.json
 *   cells/<cell>/eval/<set>/patients.json, summary.json   (patients.csv, the same rows, stays behind)
 *   cells/<cell>/run/config.json, metrics.csv, task-weights.csv, gradient-diagnostics.csv (when present)
 *   provenance.json     the command, commit, machine, wall time and which cells were finished
 * It is written to <out>.partial and renamed into place, so an interrupted export never leaves a folder that looks
 * complete, and a previous export is replaced only by a finished one.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors';
import { runPaths } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic-write';
import { loadStudy } from './study';
import { studyPaths } from './study-folder';

export interface Provenance {
  /** The command that produced the study, as given by the caller (e.g. 'npm start'). */
  command: string;
  /** The git commit of the checkout, null outside a git checkout. */
  commit: string | null;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  /** Wall time of the command in seconds, when the caller measured it. */
  wallSeconds: number | null;
  finishedCells: number;
  pendingCells: string[];
  exported: string;
}

/** The checkout's commit, or null when git or the checkout is not there. */
function gitCommit(dir: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

async function copyIfPresent(from: string, to: string): Promise<void> {
  const data = await fs.readFile(from).catch(() => null);
  if (data === null) return;
  await fs.mkdir(dirname(to), { recursive: true });
  await fs.writeFile(to, data);
}

/** Exports the finished cells of the study in `studyDir` to `out` (see the file comment). */
export async function exportReferenceResults(
  studyDir: string,
  out: string,
  options: { command: string; wallSeconds?: number | null },
): Promise<Provenance> {
  const study = await loadStudy(studyDir);
  if (study.cells.length === 0) throw new ConfigError('the study has no finished cell to export', studyDir);
  const partial = `${out}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  const from = studyPaths(studyDir);
  const to = studyPaths(partial);
  await copyIfPresent(from.grid, to.grid);
  await copyIfPresent(from.results, to.results);
  for (const cell of study.cells) {
    const id = cell.record.cell;
    await copyIfPresent(from.record(id), to.record(id));
    for (const set of Object.keys(cell.patients)) {
      for (const file of ['patients.json', 'summary.json']) {
        await copyIfPresent(join(from.evaluation(id, set), file), join(to.evaluation(id, set), file));
      }
    }
    const run = runPaths(from.run(id));
    const runTo = runPaths(to.run(id));
    for (const key of ['config', 'metrics', 'taskWeights', 'gradientDiagnostics'] as const) await copyIfPresent(run[key], runTo[key]);
  }
  const provenance: Provenance = {
    command: options.command,
    commit: gitCommit(studyDir) ?? gitCommit(process.cwd()),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
    },
    wallSeconds: options.wallSeconds ?? null,
    finishedCells: study.cells.length,
    pendingCells: study.pending,
    exported: new Date().toISOString(),
  };
  await writeFileAtomic(join(partial, 'provenance.json'), JSON.stringify(provenance, null, 1) + '\n');
  // The previous export stays until the new one is in place.
  const previous = `${out}.previous`;
  await fs.rm(previous, { recursive: true, force: true });
  await fs.mkdir(dirname(out), { recursive: true });
  const hadPrevious = await fs.rename(out, previous).then(
    () => true,
    () => false,
  );
  await fs.rename(partial, out);
  if (hadPrevious) await fs.rm(previous, { recursive: true, force: true });
  return provenance;
}

/** Reads a reference-results folder's provenance.json. */
export async function readProvenance(dir: string): Promise<Provenance> {
  const file = join(dir, 'provenance.json');
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new ConfigError('no provenance.json: not a reference-results folder (egfr-gtv export-results writes one)', dir);
  });
  try {
    return JSON.parse(text) as Provenance;
  } catch (err) {
    throw new ConfigError(`provenance.json is not valid JSON (${(err as Error).message})`, file);
  }
}
