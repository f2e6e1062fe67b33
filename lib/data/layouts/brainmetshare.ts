import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { readPngStack } from '../../io/png-stack';
import type { Vec3, Volume } from '../../volume/volume';
import type { Case } from '../case';
import { lookupLabels, type LabelsTable } from '../labels';
import { isDir, listDirs, makeCase, type MaskSource } from './common';

/** BrainMetShare sequence folders and the canonical names they get. */
export const BRAINMETSHARE_SEQUENCES: Record<string, string> = {
  '0': 't1c_gre', // T1 gradient-echo post-contrast
  '1': 't1', // T1 spin-echo pre-contrast
  '2': 't1c', // T1 spin-echo post-contrast
  '3': 'flair',
};

/**
 * Stanford BrainMetShare: <root>/mets_stanford_releaseMask_train/Mets_XXX/{0,1,2,3,seg}/<n>.png (root may be that
 * folder itself; every mets_stanford_* folder under root is read). Each folder is a stack of 2D slices in numeric
 * order of <n>; seg is 0/255 and becomes 0/1. PNGs hold no geometry: `spacing` (mm, x y z) must be given.
 * Patient = case = Mets_XXX.
 */
export async function openBrainMetShare(root: string, spacing: Vec3 | undefined, table?: LabelsTable): Promise<Case[]> {
  if (!spacing) throw new ConfigError('the brainmetshare layout needs a spacing (PNG slices carry none)');
  const top = (await listDirs(root)).filter((d) => d.startsWith('mets_stanford'));
  const folders = top.length > 0 ? top.map((d) => join(root, d)) : [root];
  const cases: Case[] = [];
  for (const folder of folders) {
    for (const id of await listDirs(folder)) {
      const dir = join(folder, id);
      const files: Record<string, string> = {};
      for (const [sub, name] of Object.entries(BRAINMETSHARE_SEQUENCES)) {
        if (await isDir(join(dir, sub))) files[name] = join(dir, sub);
      }
      if (Object.keys(files).length === 0) continue;
      const seg = join(dir, 'seg');
      const masks: Record<string, MaskSource> = {};
      // readPngStack has already checked the values and mapped 255 to 1.
      if (await isDir(seg)) masks.gtv = { file: seg, toMask: (v: Volume<Float32Array>) => ({ ...v, data: Uint8Array.from(v.data) }) };
      cases.push(
        makeCase({
          id,
          patientId: id,
          files,
          masks,
          labels: lookupLabels(table, id, id).labels,
          readImage: (folderPath) => readPngStack(folderPath, spacing, { mask: folderPath === seg }),
        }),
      );
    }
  }
  return cases;
}
