import { join } from 'node:path';
import { positiveMask, type Case } from '../case';
import { lookupLabels, type LabelsTable } from '../labels';
import { isDir, listDirs, listFiles, makeCase, niftiStem } from './common';

/** NYUMets file names and the canonical sequence names they get (CT1 is the post-contrast T1). */
export const NYUMETS_SEQUENCES: Record<string, string> = {
  T1: 't1',
  CT1: 't1c',
  T2: 't2',
  FLAIR: 'flair',
  RTSTRUCT_MRI: 'rtstruct_mri',
};

/**
 * NYUMets: <root>/imaging/patientId/<P>/studyId/<S>/{T1,CT1,T2,FLAIR,RTSTRUCT_MRI,RTSTRUCT_segmentation}.nii.gz
 * (root may be the `imaging` folder itself). Case id = <P>_<S>, patient = <P>. GTV = RTSTRUCT_segmentation > 0 (a
 * radiotherapy GTV, drawn on RTSTRUCT_MRI; `loadCase` refuses it if its grid differs from the requested images').
 */
export async function openNyuMets(root: string, table?: LabelsTable): Promise<Case[]> {
  const imaging = (await isDir(join(root, 'imaging'))) ? join(root, 'imaging') : root;
  const patientsDir = join(imaging, 'patientId');
  const cases: Case[] = [];
  for (const p of await listDirs(patientsDir)) {
    const studiesDir = join(patientsDir, p, 'studyId');
    if (!(await isDir(studiesDir))) continue;
    for (const s of await listDirs(studiesDir)) {
      const dir = join(studiesDir, s);
      const files: Record<string, string> = {};
      const masks: Parameters<typeof makeCase>[0]['masks'] = {};
      for (const f of await listFiles(dir)) {
        const stem = niftiStem(f);
        if (!stem) continue;
        if (stem === 'RTSTRUCT_segmentation') masks.gtv = { file: join(dir, f), toMask: positiveMask };
        else if (NYUMETS_SEQUENCES[stem]) files[NYUMETS_SEQUENCES[stem]] = join(dir, f);
      }
      if (Object.keys(files).length === 0) continue;
      const id = `${p}_${s}`;
      cases.push(makeCase({ id, patientId: p, files, masks, labels: lookupLabels(table, id, p).labels }));
    }
  }
  return cases;
}
