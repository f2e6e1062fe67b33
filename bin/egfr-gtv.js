#!/usr/bin/env node
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run before any TypeScript loader */
'use strict';
// The command line runs the compiled JavaScript in dist/ (scripts/build.mjs; built by `npm ci`), never a stale copy:
// when the sources in lib/ no longer match what dist/ was built from (bin/dist-state.js compares their hash), it
// rebuilds first (about a second), and if that cannot be done it runs the sources through tsx instead, as before.
// EGFR_GTV_FROM_SOURCE=1 always runs the sources.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

function compiledMain() {
  if (process.env.EGFR_GTV_FROM_SOURCE === '1') return undefined;
  const state = require('./dist-state.js');
  let s = state.distState();
  if (s === 'stale' || s === 'missing') {
    process.stderr.write(`egfr-gtv: ${s === 'stale' ? 'lib/ changed since the last build' : 'no build yet'}: compiling to dist/\n`);
    const r = spawnSync(process.execPath, [join(state.root, 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
    s = r.status === 0 ? state.distState() : s;
    if (s !== 'fresh') {
      process.stderr.write('egfr-gtv: no up-to-date build: running the TypeScript sources (slower start)\n');
      return undefined;
    }
  }
  return join(state.distDir, 'cli', 'main.js');
}

const compiled = compiledMain();
if (!compiled) require('tsx/cjs');
const { main } = require(compiled ?? '../lib/cli/main.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
