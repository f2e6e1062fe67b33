import { join } from 'node:path';
import { DatasetError } from '../../errors';
import { labelMask, type Case } from '../case';
import { lookupLabels, type LabelsTable } from '../labels';
import { listDirs, listFiles, makeCase, niftiStem } from './common';

/** BraTS file suffixes and the canonical sequence names they get. */
export const BRATS_SEQUENCES: Record<string, string> = { t1n: 't1', t1c: 't1c', t2w: 't2', t2f: 'flair' };

/** BraTS-METS labels: 1 non-enhancing core / necrosis, 2 edema, 3 enhancing tumour. */
export const BRATS_REGIONS: Record<string, number[]> = { gtv: [1, 3], edema: [2], whole_tumour: [1, 2, 3] };

/**
 * BraTS-METS 2023 and TCIA Pretreat-MetsToBrain-Masks (same naming):
 *   <root>/BraTS-MET-NNNNN-TTT/BraTS-MET-NNNNN-TTT-{t1n,t1c,t2w,t2f,seg}.nii.gz
 * Patient = BraTS-MET-NNNNN (time points TTT of one subject stay together). The seg file gives three masks: gtv
 * (labels 1 and 3), edema (2) and whole_tumour (1-3); a value outside 0-3 is an error. Validation cases have no seg.
 */
export async function openBratsMets(root: string, table?: LabelsTable): Promise<Case[]> {
  const cases: Case[] = [];
  for (const name of await listDirs(root)) {
    const m = /^(.*-\d+)-(\d+)$/.exec(name);
    if (!m || !/^BraTS/i.test(name)) continue;
    const dir = join(root, name);
    const files: Record<string, string> = {};
    let seg: string | undefined;
    for (const f of await listFiles(dir)) {
      const stem = niftiStem(f);
      if (!stem || !stem.startsWith(`${name}-`)) continue;
      const suffix = stem.slice(name.length + 1).toLowerCase();
      if (suffix === 'seg') seg = join(dir, f);
      else if (BRATS_SEQUENCES[suffix]) files[BRATS_SEQUENCES[suffix]] = join(dir, f);
    }
    if (Object.keys(files).length === 0) throw new DatasetError(`no ${name}-{t1n,t1c,t2w,t2f}.nii.gz images`, dir);
    const patientId = m[1];
    const masks = seg
      ? Object.fromEntries(
          Object.entries(BRATS_REGIONS).map(([region, labels]) => [
            region,
            { file: seg!, toMask: (v: Parameters<typeof labelMask>[0], f: string) => labelMask(v, labels, [0, 1, 2, 3], f) },
          ]),
        )
      : {};
    cases.push(makeCase({ id: name, patientId, files, masks, labels: lookupLabels(table, name, patientId).labels }));
  }
  return cases;
}
