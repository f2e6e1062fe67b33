import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as NiftiReaderJs from 'nifti-reader-js' with { 'resolution-mode': 'import' };

export type { NIFTI1, NIFTI2 } from 'nifti-reader-js' with { 'resolution-mode': 'import' };

let loaded: typeof NiftiReaderJs | undefined;

/**
 * The nifti-reader-js module, loaded synchronously so that `decodeNifti` stays synchronous. The package is ESM-only
 * and its exports map has only an "import" condition, so `require('nifti-reader-js')` is refused before any file is
 * read; its entry file required by path loads under tsx's CommonJS hook (the command line, the tests and the notebook
 * kernel all run under it) and on any Node.js >= 20.19 (require of ES modules).
 */
export function niftiReaderJs(): typeof NiftiReaderJs {
  if (loaded) return loaded;
  const dir = (require.resolve.paths('nifti-reader-js') ?? [])
    .map((p) => join(p, 'nifti-reader-js'))
    .find((p) => existsSync(join(p, 'package.json')));
  if (!dir) throw new Error('nifti-reader-js is not installed: run npm ci');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(join(dir, pkg.exports['.'].import)) as typeof NiftiReaderJs;
  return loaded;
}
