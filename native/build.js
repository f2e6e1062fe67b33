#!/usr/bin/env node
// Builds the native addon with node-gyp, offline: the Node headers come from the local Node installation when it
// ships them (Debian's nodejs does, under /usr/include/node), so node-gyp never downloads a header tarball.
// `node native/build.js --optional` (the install script) reports a failed build and exits 0: the engine then
// falls back to the wasm backend.
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const optional = process.argv.includes('--optional');

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally: use the copy bundled with npm
  }
  try {
    const globalRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    candidates.push(path.join(globalRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // npm not on PATH
  }
  return candidates.find((file) => fs.existsSync(file));
}

function localNodeDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  const gyp = findNodeGyp();
  if (!gyp) return 'node-gyp not found (neither npm_config_node_gyp, a local node-gyp, nor npm\'s bundled copy)';
  const args = [gyp, 'rebuild', '--jobs', 'max'];
  const nodedir = localNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const result = spawnSync(process.execPath, args, { cwd: __dirname, stdio: 'inherit' });
  if (result.status !== 0) return `node-gyp exited with ${result.status ?? result.signal}`;
  return undefined;
}

const failure = main();
if (failure) {
  if (optional) {
    console.warn(`egfr-gtv: native addon not built (${failure}); the engine will use the wasm backend.`);
    process.exit(0);
  }
  console.error(`egfr-gtv: native addon build failed: ${failure}`);
  process.exit(1);
}
