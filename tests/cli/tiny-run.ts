/**
 * A tiny project-native cohort on disk and one tiny training run made from it through the command line, shared by
 * the train, eval and predict command tests (made once per test process).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';
import { writeNifti } from '../../lib/io/nifti-write';
import { tinyCase } from '../train/tiny-cohort';


export async function writeTinyCohort(dir: string, cases: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const rows = ['case_id,egfr'];
  for (let i = 0; i < cases; i++) {
    const c = tinyCase(i);
    mkdirSync(join(dir, c.id));
    await writeNifti(join(dir, c.id, 't1c.nii.gz'), c.images[0]);
    await writeNifti(join(dir, c.id, 'gtv.nii.gz'), { ...c.mask!, data: Uint8Array.from(c.mask!.data) });
    rows.push(`${c.id},${c.label === 1 ? 'mutant' : 'wildtype'}`);
  }
  writeFileSync(join(dir, 'labels.csv'), rows.join('\n') + '\n');
}

export const TINY_TRAIN_ARGS = ['--model', 'mtl', '--size', '32', '--base-channels', '4', '--steps', '2', '--steps-per-epoch', '2', '--batch', '2', '--val-fraction', '0.25', '--backend', 'wasm', '--json'];

let made: Promise<{ root: string; data: string; run: string; trainOutput: { code: number; stdout: string; stderr: string } }> | undefined;

export function tinyRun() {
  made ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'egfr-gtv-cli-run-'));
    const data = join(root, 'cohort');
    await writeTinyCohort(data, 4);
    const run = join(root, 'run');
    const trainOutput = await runCli(['train', '--data', data, '--out', run, ...TINY_TRAIN_ARGS]);
    return { root, data, run, trainOutput };
  })();
  return made;
}
