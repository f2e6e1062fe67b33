import { join } from 'node:path';
import { readNifti } from '../io/nifti-read';
import { deriveAnatomy, type Anatomy } from './anatomy';

/** Where the repository keeps the Colin27 template at the working resolution (see datasets/README.md). */
export const COLIN27_DIR = join(__dirname, '..', '..', 'datasets', 'colin27');
export const COLIN27_FILES = { t1: 'ch2_1.5mm.nii.gz', brain: 'brainmask_1.5mm.nii.gz' };

const cache = new Map<string, Promise<Anatomy>>();

/**
 * The template anatomy from `dir`, derived once per process (deriving the priors takes about a second and every case
 * of every cohort shares them). A failed read is not cached, so a corrected folder can be retried.
 */
export function loadColin27(dir: string = COLIN27_DIR): Promise<Anatomy> {
  let p = cache.get(dir);
  if (!p) {
    p = Promise.all([readNifti(join(dir, COLIN27_FILES.t1)), readNifti(join(dir, COLIN27_FILES.brain))]).then(([t1, brain]) =>
      deriveAnatomy(t1, brain),
    );
    p.catch(() => cache.delete(dir));
    cache.set(dir, p);
  }
  return p;
}
