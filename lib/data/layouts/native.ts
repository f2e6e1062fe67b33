import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../../errors';
import { labelMask, type Case } from '../case';
import type { EgfrScheme } from '../egfr';
import { readLabelsTable, type LabelsTable } from '../labels';
import { isDir, listFiles, makeCase, niftiStem } from './common';

/**
 * The project-native layout (the synthetic cohort is exported in it):
 *   <root>/labels.csv                  case_id, egfr (required), patient_id (defaults to case_id), centre, others
 *   <root>/<case_id>/<sequence>.nii.gz images; the sequence name is the file name without .nii / .nii.gz
 *   <root>/<case_id>/*gtv*.nii.gz      optional GTV mask (any file whose name contains "gtv"), values 0/1
 *   <root>/<case_id>/meta.json         optional per-case metadata (free JSON), read by `readCaseMeta`
 * The cases are the rows of labels.csv, in its order.
 */
export async function openNative(
  root: string,
  opts: { scheme?: EgfrScheme } = {},
): Promise<{ cases: Case[]; table: LabelsTable }> {
  const table = await readLabelsTable(join(root, 'labels.csv'), { scheme: opts.scheme, requireCaseId: true });
  const cases: Case[] = [];
  for (const row of table.rows) {
    const id = row.caseId!;
    const dir = join(root, id);
    if (!(await isDir(dir))) throw new DatasetError(`${row.where}: case folder ${dir} does not exist`, table.file);
    const files: Record<string, string> = {};
    let gtv: string | undefined;
    for (const name of await listFiles(dir)) {
      const stem = niftiStem(name);
      if (stem === undefined) continue;
      if (stem.toLowerCase().includes('gtv')) {
        if (gtv) throw new DatasetError(`two GTV masks in one case: ${gtv} and ${name}`, dir);
        gtv = join(dir, name);
        continue;
      }
      if (files[stem]) throw new DatasetError(`sequence '${stem}' is there as both .nii and .nii.gz`, dir);
      files[stem] = join(dir, name);
    }
    cases.push(
      makeCase({
        id,
        patientId: row.patientId ?? id,
        files,
        masks: gtv ? { gtv: { file: gtv, toMask: (v, f) => labelMask(v, [1], [0, 1], f) } } : {},
        labels: { egfr: row.egfr, centre: row.centre, clinical: row.clinical },
      }),
    );
  }
  return { cases, table };
}

/** The case's meta.json (free JSON), or undefined when it has none. */
export async function readCaseMeta(root: string, caseId: string): Promise<unknown> {
  const file = join(root, caseId, 'meta.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DatasetError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`invalid JSON (${(err as Error).message})`, file);
  }
}
