import { promises as fs, writeFileSync, renameSync, rmSync } from 'node:fs';

/**
 * Writes a file so that readers see either the old content or the new one, never a half-written file: the bytes go
 * to `<path>.tmp` first, then a rename replaces the target (atomic on one filesystem). A failed write removes the
 * temporary file and leaves the old target untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The synchronous twin of `writeFileAtomic`, for progress logs written from inside a training loop. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The original error is the one worth reporting.
    }
    throw err;
  }
}
