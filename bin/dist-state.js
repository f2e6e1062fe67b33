'use strict';
/* global require, module, __dirname, __filename */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run before any TypeScript loader */
// Whether dist/ (the compiled library and command line, see scripts/build.mjs) matches the TypeScript sources in lib/.
// Shared by bin/egfr-gtv.js (checked at every start) and the build script (which records the hash it built from), so
// both compute one and the same hash.
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const distDir = join(root, 'dist');
const libDir = join(root, 'lib');
/** Written last by the build: the source hash it was built from, and what it contains. */
const buildInfoPath = join(distDir, 'build-info.json');
/** The build's own code: a change to it changes the output as surely as a change to lib/ does. */
const buildInputs = [join(root, 'scripts', 'build.mjs'), __filename];

/** Every .ts file under lib/, as sorted paths relative to lib/ with '/' separators. */
function sourceFiles() {
  return readdirSync(libDir, { recursive: true })
    .map((f) => String(f).split('\\').join('/'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/**
 * sha256 over the name and bytes of every source file and of the build's own code. Reading about 1 MB and hashing it
 * takes a few milliseconds, little enough to do at every start; unlike mtimes it is never fooled by a checkout, a copy
 * or a clock.
 */
function sourceHash() {
  const h = createHash('sha256');
  for (const f of sourceFiles()) {
    const bytes = readFileSync(join(libDir, f));
    h.update(`${f}\0${bytes.length}\0`);
    h.update(bytes);
  }
  for (const file of buildInputs) {
    if (existsSync(file)) h.update(readFileSync(file));
  }
  return h.digest('hex');
}

function readBuildInfo() {
  try {
    return JSON.parse(readFileSync(buildInfoPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * 'fresh' when dist/ was built from exactly the sources present; 'packaged' when there are no sources to compare with
 * (an installed package ships dist/ only) and dist/ is complete; 'stale' or 'missing' otherwise.
 */
function distState() {
  const info = readBuildInfo();
  if (!existsSync(libDir)) return info ? 'packaged' : 'missing';
  if (!info) return 'missing';
  return info.sourceHash === sourceHash() ? 'fresh' : 'stale';
}

module.exports = { root, distDir, libDir, buildInfoPath, sourceFiles, sourceHash, readBuildInfo, distState };
