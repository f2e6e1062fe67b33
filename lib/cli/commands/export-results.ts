import { exportReferenceResults } from '../../experiments/reference-results';
import { flagOptions, numberOption, parseCommandArgs, requireOption, stringOptions } from '../args';
import type { Command } from '../command';

const usage = `usage: egfr-gtv export-results --study DIR --out DIR [--command TEXT] [--wall-seconds S] [--json]

Exports a study's finished cells as reference results small enough to commit (the main job writes results/<grid>/):
the grid, the cells' records, every test patient's evaluation and the training logs and configs, without model
weights or checkpoints, plus provenance.json (the command, the commit, the machine, the wall time and the pending
cells). The folder is itself a study folder: egfr-gtv report and compare, and notebook 06, read it.

  --command TEXT     the command that produced the study, recorded in provenance.json (default 'egfr-gtv ablate')
  --wall-seconds S   its measured wall time`;

export const command: Command = {
  name: 'export-results',
  summary: "export a study's per-patient results and provenance, without weights, to commit as reference results",
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, { ...stringOptions('study', 'out', 'command', 'wall-seconds'), ...flagOptions('json') });
    const study = requireOption(values, 'study');
    const out = requireOption(values, 'out');
    const wall = values['wall-seconds'] !== undefined ? numberOption(values, 'wall-seconds', 0) : null;
    const provenance = await exportReferenceResults(study, out, { command: values.command ?? 'egfr-gtv ablate', wallSeconds: wall });
    process.stdout.write(values.json ? JSON.stringify({ out, ...provenance }) + '\n' : `exported ${provenance.finishedCells} cells to ${out}\n`);
    return 0;
  },
};
