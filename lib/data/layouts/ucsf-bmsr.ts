import { join } from 'node:path';
import { positiveMask, type Case } from '../case';
import { lookupLabels, type LabelsTable } from '../labels';
import { isDir, listDirs, listFiles, makeCase, niftiStem } from './common';

/** UCSF-BMSR file suffixes and the canonical sequence names they get. */
export const UCSF_SEQUENCES: Record<string, string> = {
  T1pre: 't1',
  T1post: 't1c',
  FLAIR: 'flair',
  T2Synth: 't2',
  subtraction: 'subtraction',
};

/**
 * UCSF-BMSR: <root>/UCSF_BrainMetastases_TRAIN/<case>/<case>_{T1pre,T1post,FLAIR,subtraction,T2Synth,seg}.nii.gz
 * (root may also be the TRAIN folder itself; every UCSF_BrainMetastases_* folder under root is read). A case id is a
 * 6-digit patient number plus a letter per time point; patient = the first 6 characters. GTV = seg > 0. The
 * `<case>_BraTS-seg` file (cases also in BraTS-METS) is offered as the 'brats_gtv' mask (labels 1 and 3, as BraTS).
 */
export async function openUcsfBmsr(root: string, table?: LabelsTable): Promise<Case[]> {
  const top = (await listDirs(root)).filter((d) => d.startsWith('UCSF_BrainMetastases_'));
  const folders = top.length > 0 ? top.map((d) => join(root, d)) : [root];
  const cases: Case[] = [];
  for (const folder of folders) {
    for (const id of await listDirs(folder)) {
      const dir = join(folder, id);
      if (!(await isDir(dir))) continue;
      const files: Record<string, string> = {};
      const masks: Parameters<typeof makeCase>[0]['masks'] = {};
      for (const f of await listFiles(dir)) {
        const stem = niftiStem(f);
        if (!stem || !stem.startsWith(`${id}_`)) continue;
        const suffix = stem.slice(id.length + 1);
        if (suffix === 'seg') masks.gtv = { file: join(dir, f), toMask: positiveMask };
        else if (suffix === 'BraTS-seg') {
          masks.brats_gtv = { file: join(dir, f), toMask: (v, file) => bratsGtv(v, file) };
        } else if (UCSF_SEQUENCES[suffix]) files[UCSF_SEQUENCES[suffix]] = join(dir, f);
      }
      if (Object.keys(files).length === 0) continue;
      const patientId = id.slice(0, 6);
      cases.push(makeCase({ id, patientId, files, masks, labels: lookupLabels(table, id, patientId).labels }));
    }
  }
  return cases;
}

function bratsGtv(v: Parameters<typeof positiveMask>[0], file: string) {
  const m = positiveMask(v, file);
  for (let i = 0; i < m.data.length; i++) m.data[i] = v.data[i] === 1 || v.data[i] === 3 ? 1 : 0;
  return m;
}
