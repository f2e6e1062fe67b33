/**
 * A tiny cohort on disk in the project-native layout (the trainer tests' in-memory cases, written as NIfTI), and a
 * grid small enough to train and evaluate every cell in a second or two.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti } from '../../lib/io/nifti-write';
import type { GridInput } from '../../lib/experiments/grid';
import { tinyCase } from '../train/tiny-cohort';

export async function writeTinyCohort(dir: string, cases: number, seed: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const rows = ['case_id,egfr,centre'];
  for (let i = 0; i < cases; i++) {
    const c = tinyCase(i, seed);
    const id = `s${seed}-${i}`;
    mkdirSync(join(dir, id));
    await writeNifti(join(dir, id, 't1c.nii.gz'), c.images[0]);
    await writeNifti(join(dir, id, 'gtv.nii.gz'), c.mask!);
    rows.push(`${id},${c.label === 1 ? 'mutant' : 'wildtype'},tiny`);
  }
  writeFileSync(join(dir, 'labels.csv'), rows.join('\n') + '\n');
  return dir;
}

export const tinyGrid: GridInput = {
  name: 'tiny',
  models: ['mtl', 'seg-only'],
  weightings: ['uncertainty'],
  seeds: [1],
  model: { input: { height: 32, width: 32 }, encoder: { baseChannels: 4 }, classifier: { dropout: 0 } },
  train: { steps: 2, stepsPerEpoch: 2, batchSize: 2, augment: null },
  data: { valFraction: 0.25, splitSeed: 1 },
};
