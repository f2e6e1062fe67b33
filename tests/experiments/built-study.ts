/**
 * A built study folder: the records and patient rows a finished study holds, without training (the compare and
 * export tests' fixture).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatientRow } from '../../lib/eval/evaluate';
import { gridCells, resolveGrid } from '../../lib/experiments/grid';
import { studyPaths } from '../../lib/experiments/study-folder';

/*
 * A built study: 12 internal patients, two seeds per variant. The reference values below were computed with
 * numpy 1.24 / scipy 1.10.1 / sklearn 1.2 on the same numbers (seed means first):
 *   i = arange(12); label = ((i % 3 == 0) | (i % 4 == 1))
 *   dice: ref = 0.6 + 0.02 i (seeds +-0.01), fixed = ref - 0.03 + 0.01 (i % 3) (seeds +-0.02)
 *   p:    ref = 0.3 + 0.4 label + 0.02 (i % 5) (seeds +-0.05),
 *         fixed = 0.35 + 0.2 label + 0.03 (i % 4), fixed[3] -= 0.3, fixed[2] += 0.3 (seeds +-0.04)
 *   mean(fd - rd) = -0.02; wilcoxon(fd - rd, correction=True, method='approx').pvalue = 0.0022457189664058983
 *   (the |differences| tie, so the normal approximation applies); roc_auc_score: ref 1.0, fixed 0.6944444444444446;
 *   accuracy at 0.5: fixed 0.8333333333333334, ref 1.0; discordant b = 0, c = 2: binomtest(0, 2).pvalue = 0.5
 */
const N = 12;
export const ids = Array.from({ length: N }, (_, i) => `p${String(i).padStart(2, '0')}`);
export const labels = Array.from({ length: N }, (_, i) => (i % 3 === 0 || i % 4 === 1 ? 1 : 0));
const refDice = (i: number) => 0.6 + 0.02 * i;
const fixedDice = (i: number) => refDice(i) - 0.03 + 0.01 * (i % 3);
export const refP = (i: number) => 0.3 + 0.4 * labels[i] + 0.02 * (i % 5);
export const fixedP = (i: number) => 0.35 + 0.2 * labels[i] + 0.03 * (i % 4) + (i === 3 ? -0.3 : i === 2 ? 0.3 : 0);

function row(i: number, dice: number | null, p: number | null): PatientRow {
  return {
    case_id: ids[i],
    label: labels[i],
    egfr_probability: p,
    class_probabilities: p === null ? null : [1 - p, p],
    network_probability: p,
    phenotype_probability: null,
    dice,
    iou: null,
    hd95_mm: null,
    assd_mm: null,
    sensitivity: null,
    precision: null,
    lesion_sensitivity: null,
    lesion_fp: null,
    gt_lesions: null,
    pred_lesions: null,
    gt_volume_ml: null,
    pred_volume_ml: null,
  };
}

/** Patient rows of one seed (sign +1 or -1 moves the seed's values by its offsets). */
function rowsOf(variant: string, sign: number): PatientRow[] {
  return ids.map((_, i) => {
    if (variant === 'mtl__uncertainty') return row(i, refDice(i) + sign * 0.01, refP(i) + sign * 0.05);
    if (variant === 'mtl__fixed') return row(i, fixedDice(i) + sign * 0.02, fixedP(i) + sign * 0.04);
    if (variant === 'seg-only__none') return row(i, refDice(i) + sign * 0.01, null);
    return row(i, null, refP(i) + sign * 0.05);
  });
}

const gridInput = {
  name: 'built',
  models: [{ name: 'mtl', weightings: ['uncertainty', 'fixed'] }, 'seg-only', 'cls-only'],
  seeds: [1, 2],
  model: { input: { height: 32, width: 32 }, encoder: { baseChannels: 4 } },
};

/** Writes the built study's folder (no training: the records and patient rows a finished study holds). */
export function writeStudy(dir: string, options: { skip?: string; otherPatients?: string } = {}): void {
  const grid = resolveGrid(gridInput, { fast: false });
  const paths = studyPaths(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(paths.grid, JSON.stringify(grid, null, 1) + '\n');
  for (const cell of gridCells(grid)) {
    if (cell.id === options.skip) continue;
    const evalDir = paths.evaluation(cell.id, 'internal');
    mkdirSync(evalDir, { recursive: true });
    const variant = `${cell.model}__${cell.weighting}`;
    let rows = rowsOf(variant, cell.seed === 1 ? 1 : -1);
    if (cell.id === options.otherPatients) rows = rows.map((r, i) => (i === 0 ? { ...r, case_id: 'someone-else' } : r));
    writeFileSync(join(evalDir, 'patients.json'), JSON.stringify(rows) + '\n');
    const record = { cell: cell.id, model: cell.model, weighting: cell.weighting, seed: cell.seed, steps: 1, trainSeconds: 1, seconds: 1, rows: [{ grid: 'built', cell: cell.id, model: cell.model, weighting: cell.weighting, seed: cell.seed, set: 'internal', metric: 'dice', value: 0.5 }] };
    writeFileSync(paths.record(cell.id), JSON.stringify(record) + '\n');
  }
}

