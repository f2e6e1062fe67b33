import { basename, resolve } from 'node:path';
import { UsageError } from '../../errors';
import { runAblation } from '../../experiments/ablation';
import { ensureStudyCohorts, studyCohortsRequest, studyCohortsRoot } from '../../experiments/cohorts';
import { gridCells, readGrid } from '../../experiments/grid';
import { meanSdTable, summariseResults, tableMarkdown } from '../../experiments/results';
import { terminalProgress } from '../../train/progress';
import { isFastMode } from '../../util/mode';
import { createStagedProgress, formatDuration } from '../../util/progress';
import { integerOption, nameValueOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv ablate --grid FILE [--out DIR] [--data DIR --test NAME=DIR ...] [--bootstrap N] [--max-cells N]

Runs a grid of models x task weightings x seeds (grids/*.json; the format is documented in lib/experiments/grid.ts):
each cell is trained on the development cohort and evaluated on every test cohort. Results go to the study folder
--out (default runs/<grid name>, or runs/<grid name>-fast in fast mode): one run folder and per-patient evaluations per
cell, and results.csv, the tidy table of all finished cells. Re-running the same command skips finished cells and
continues a half-finished one from its last checkpoint.

Without --data, the shared synthetic study cohorts are used (datasets/generated/, generated when missing): the
development cohort and the internal and external test cohorts. EGFR_GTV_FAST=1 runs the grid's "fast" section on the
small fast-mode cohorts.

  --data DIR          development cohort (project-native layout): training and validation
  --test NAME=DIR     a test cohort and its name in the results (repeatable; needs --data)
  --bootstrap N       bootstrap replicates of the AUC interval per test cohort (default 1000)
  --max-cells N       train at most N cells in this call, then stop (the rest stay for a later call)`;

export const command: Command = {
  name: 'ablate',
  summary: 'run a grid of models x weightings x seeds (resumable) and write one tidy results table',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...stringOptions('grid', 'out', 'data', 'bootstrap', 'max-cells'),
      test: { type: 'string', multiple: true },
    });
    const gridFile = requireOption(values, 'grid');
    const fast = isFastMode();
    const grid = await readGrid(gridFile, { fast });
    const bootstrap = integerOption(values, 'bootstrap', 1000, 2);
    const maxCellsValue = integerOption(values, 'max-cells', undefined, 0);
    const testArgs = nameValueOption(values.test, 'test', 'NAME=DIR');
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
      const cohorts = await ensureStudyCohorts(studyCohortsRoot(fast), studyCohortsRequest(fast), {
        onCase: createStagedProgress((role) => `synth ${role}`),
      });
      data = cohorts.internal;
      tests = { internal: cohorts['internal-test'], external: cohorts.external };
    }
    const out = values.out ?? resolve('runs', `${grid.name}${fast ? '-fast' : ''}`);
    const total = gridCells(grid).length;
    process.stderr.write(`ablate: grid ${basename(gridFile)} (${grid.name}${fast ? ', fast mode' : ''}): ${total} cells -> ${out}\n`);
    const result = await runAblation({
      grid,
      out,
      data,
      tests,
      bootstrap,
      ...(maxCellsValue !== undefined ? { maxCells: maxCellsValue } : {}),
      trainCallbacks: () => terminalProgress(),
      onEvent: (e) => {
        const at = 'index' in e ? `[${e.index + 1}/${e.total}] ` : '';
        if (e.kind === 'skip') process.stderr.write(`${at}${e.cell.id}: finished earlier, skipped\n`);
        if (e.kind === 'start') process.stderr.write(`${at}${e.cell.id}: ${e.resumed ? 'continuing from its checkpoint' : 'training'}\n`);
        if (e.kind === 'evaluated') {
          const seg = e.summary.segmentation;
          const cls = e.summary.classification;
          const f = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
          process.stderr.write(`  ${e.set}: ${e.summary.patients} patients, dice ${f(seg?.dice.mean)}, auc ${f(cls?.auc)}\n`);
        }
        if (e.kind === 'done') process.stderr.write(`${at}${e.cell.id}: done in ${formatDuration(e.seconds)}\n`);
      },
    });
    const summary = summariseResults(result.rows);
    for (const set of Object.keys(tests)) {
      process.stdout.write(`\n${set}:\n${tableMarkdown(meanSdTable(summary, set, ['dice', 'hd95_mm', 'auc', 'accuracy']))}\n`);
    }
    process.stdout.write(`\nresults: ${resolve(out, 'results.csv')}\n`);
    if (result.pending.length > 0) process.stdout.write(`${result.pending.length} cells not run yet (--max-cells); run the same command again to continue\n`);
    return 0;
  },
};
