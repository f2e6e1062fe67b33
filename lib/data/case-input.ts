/** A dataset case read into memory as the input of preprocessing. */
import type { CaseInput } from '../preprocess/prepare-case';
import { loadCase, type Case } from './case';

/**
 * Reads a dataset case (lib/data/case.ts) as a CaseInput: the given sequences in that order, its GTV mask when it has
 * one and `withMask`, and its EGFR class index when known. Grid and finiteness checks are `loadCase`'s.
 */
export async function readCaseInput(c: Case, sequences: string[], withMask = true): Promise<CaseInput> {
  const loaded = await loadCase(c, sequences, withMask);
  const folder = Object.values(c.files)[0]?.replace(/[/\\][^/\\]*$/, '');
  return {
    id: c.id,
    images: sequences.map((s) => loaded.images[s]),
    ...(loaded.mask ? { mask: loaded.mask } : {}),
    ...(c.labels.egfr !== null ? { label: c.labels.egfr } : {}),
    ...(folder ? { source: folder } : {}),
  };
}
