import { dirname, join } from 'node:path';
import { ConfigError, DatasetError } from '../errors';
import type { Vec3 } from '../volume/volume';
import type { Case, Dataset } from './case';
import { EGFR_CLASS_NAMES, type EgfrScheme } from './egfr';
import { readLabelsTable, type LabelsTable } from './labels';
import { openBrainMetShare } from './layouts/brainmetshare';
import { openBratsMets } from './layouts/brats-mets';
import { openNative } from './layouts/native';
import { openNyuMets } from './layouts/nyumets';
import { openUcsfBmsr } from './layouts/ucsf-bmsr';

export type LayoutName = 'native' | 'brats-mets' | 'ucsf-bmsr' | 'nyumets' | 'brainmetshare';
export const LAYOUTS: LayoutName[] = ['native', 'brats-mets', 'ucsf-bmsr', 'nyumets', 'brainmetshare'];

export interface OpenDatasetOptions {
  layout: LayoutName;
  /** EGFR side table for the public layouts (case_id and/or patient_id, egfr, ...); native uses <root>/labels.csv. */
  labelsCsv?: string;
  /** Class scheme; detected from the labels when absent (see parseEgfrColumn). */
  scheme?: EgfrScheme;
  /** Sequences every case must have: a case without one is a DatasetError naming the case folder. */
  sequences?: string[];
  /** Only cases with a GTV mask (training); default false. */
  requireMask?: boolean;
  /** Voxel spacing in mm for layouts whose files carry none (brainmetshare). */
  spacing?: Vec3;
}

/**
 * Opens a cohort in one of the supported layouts. Only the folder structure and the labels are read here; images
 * load lazily per case (see `Case`, `loadCase`).
 */
export async function openDataset(root: string, opts: OpenDatasetOptions): Promise<Dataset> {
  if (!LAYOUTS.includes(opts.layout)) throw new ConfigError(`unknown layout '${opts.layout}' (expected ${LAYOUTS.join(', ')})`);
  let table: LabelsTable | undefined;
  let cases: Case[];
  if (opts.layout === 'native') {
    ({ cases, table } = await openNative(root, { scheme: opts.scheme }));
  } else {
    table = opts.labelsCsv ? await readLabelsTable(opts.labelsCsv, { scheme: opts.scheme }) : undefined;
    if (opts.layout === 'brats-mets') cases = await openBratsMets(root, table);
    else if (opts.layout === 'ucsf-bmsr') cases = await openUcsfBmsr(root, table);
    else if (opts.layout === 'nyumets') cases = await openNyuMets(root, table);
    else cases = await openBrainMetShare(root, opts.spacing, table);
  }
  if (cases.length === 0) throw new DatasetError(`no cases found for layout '${opts.layout}'`, root);
  for (const c of cases) {
    for (const s of opts.sequences ?? []) {
      if (!c.files[s]) {
        const folder = dirname(Object.values(c.files)[0] ?? join(root, c.id));
        throw new DatasetError(`case ${c.id}: missing sequence '${s}' (has ${c.sequences.join(', ')})`, folder);
      }
    }
    if (opts.requireMask && !c.masks.includes('gtv')) {
      throw new DatasetError(`case ${c.id} has no GTV mask`, dirname(Object.values(c.files)[0] ?? join(root, c.id)));
    }
  }
  const ids = new Set(cases.map((c) => c.id));
  const patients = new Set(cases.map((c) => c.patientId));
  const unmatchedLabelRows =
    opts.layout === 'native' || !table
      ? []
      : table.rows
          .filter((r) => (r.caseId !== undefined ? !ids.has(r.caseId) : !patients.has(r.patientId!)))
          .map((r) => r.where);
  const scheme = table?.scheme ?? opts.scheme ?? 'binary';
  return { root, layout: opts.layout, scheme, classNames: EGFR_CLASS_NAMES[scheme], cases, unmatchedLabelRows };
}
