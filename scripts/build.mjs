#!/usr/bin/env node
/* global process, console, performance */
// Compiles lib/**/*.ts to CommonJS JavaScript in dist/, one file per source (esbuild, as tsx does in memory: a
// fraction of a second), and writes two generated files:
//   dist/cli/commands.json  every command's name, summary, usage and module, read by `egfr-gtv --help` and
//                           `egfr-gtv CMD --help` so they load no command module (no TensorFlow.js);
//   dist/build-info.json    the sha256 of the sources it was built from (bin/dist-state.js), written last.
// dist/ sits beside lib/, one level below the root like it, so the library's __dirname-relative paths
// (datasets/colin27, native/build, package.json, bench/torch) resolve the same from either.
//   node scripts/build.mjs           the JavaScript (run by `npm install`/`npm ci` through "prepare", and by
//                                    bin/egfr-gtv.js whenever the sources changed)
//   node scripts/build.mjs --types   also the declarations (dist/**/*.d.ts, for the package's "types"; what
//                                    `npm pack` runs)
//   node scripts/build.mjs --check   exit 0 when dist/ matches the sources, 1 otherwise; builds nothing
// The build goes to a fresh folder that replaces dist/ at the end, so a reader never sees half a build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const require = createRequire(import.meta.url);
const state = require('../bin/dist-state.js');
const { root, distDir, libDir } = state;

const args = process.argv.slice(2);
const known = ['--types', '--check', '--quiet'];
const unknown = args.filter((a) => !known.includes(a));
if (unknown.length > 0) {
  console.error(`build: unknown option ${unknown.join(', ')} (known: ${known.join(', ')})`);
  process.exit(2);
}
// `npm pack` and `npm publish` run "prepare" last: the package ships the declarations its "types" name.
const withTypes = args.includes('--types') || ['pack', 'publish'].includes(process.env.npm_command ?? '');
const quiet = args.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`build: ${msg}\n`);
};

if (args.includes('--check')) {
  const s = state.distState();
  console.log(`dist/: ${s}`);
  process.exit(s === 'fresh' || s === 'packaged' ? 0 : 1);
}

if (!existsSync(libDir)) {
  console.error('build: no lib/ to build from');
  process.exit(1);
}

const t0 = performance.now();
// Hashed before compiling: a source edited during the build then makes the next start rebuild, never trust it.
const sourceHash = state.sourceHash();
const files = state.sourceFiles().filter((f) => !f.endsWith('.d.ts'));
const tmp = join(root, `dist.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  const { build } = await import('esbuild');
  await build({
    entryPoints: files.map((f) => join(libDir, f)),
    outdir: tmp,
    outbase: libDir,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    bundle: false,
    ...(existsSync(join(root, 'tsconfig.json')) ? { tsconfig: join(root, 'tsconfig.json') } : {}),
    logLevel: 'warning',
  });
  await vendorDeepImports(build, tmp);
  if (existsSync(join(tmp, 'cli', 'commands'))) {
    writeFileSync(join(tmp, 'cli', 'commands.json'), JSON.stringify(describeCommands(tmp), null, 1) + '\n');
  }
  if (withTypes) {
    const tsc = require.resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error(`tsc (declarations) exited with ${r.status ?? r.signal}`);
  }
  const info = { sourceHash, files: files.length, types: withTypes, builtAt: new Date().toISOString() };
  writeFileSync(join(tmp, 'build-info.json'), JSON.stringify(info, null, 1) + '\n');
  replaceDist(tmp);
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
log(`${files.length} files to dist/${withTypes ? ' with declarations' : ''} in ${(performance.now() - t0).toFixed(0)} ms`);

/**
 * A deep import of a package's ES-module files (`@tensorflow/tfjs-core/dist/register_all_gradients`, whose own
 * imports omit the '.js' that Node requires) loads under tsx, which transforms them, but not under plain Node. Each is
 * bundled once into dist/vendor/ as CommonJS, as tsx would load it, and the compiled files require that instead.
 */
async function vendorDeepImports(build, dir) {
  const pattern = /require\("(@tensorflow\/[a-z-]+\/dist\/[A-Za-z0-9_/.-]+)"\)/g;
  const outputs = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js'));
  const vendored = new Map();
  for (const rel of outputs) {
    const file = join(dir, rel);
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(pattern)].map((m) => m[1]);
    if (specs.length === 0) continue;
    let out = text;
    for (const spec of new Set(specs)) {
      if (!vendored.has(spec)) {
        const target = join(dir, 'vendor', `${spec.replace(/[@/]/g, '_').replace(/^_+/, '')}.js`);
        await build({
          entryPoints: [require.resolve(spec)],
          outfile: target,
          bundle: true,
          format: 'cjs',
          platform: 'node',
          target: 'node20',
          logLevel: 'warning',
        });
        vendored.set(spec, target);
      }
      let to = relative(dirname(file), vendored.get(spec)).split(sep).join('/');
      if (!to.startsWith('.')) to = `./${to}`;
      out = out.split(`require("${spec}")`).join(`require(${JSON.stringify(to)})`);
    }
    writeFileSync(file, out);
  }
}

/**
 * Loads every compiled command module once, in a child process (command modules load TensorFlow.js and the rest of
 * the library), and returns what `--help` prints about each. Taken from the modules themselves, so it cannot drift.
 */
function describeCommands(dir) {
  const script = `
    const { readdirSync } = require('node:fs');
    const { join } = require('node:path');
    const dir = ${JSON.stringify(join(dir, 'cli', 'commands'))};
    const out = readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => {
      const c = require(join(dir, f)).command;
      if (!c || typeof c.name !== 'string' || typeof c.run !== 'function') throw new Error(f + ' exports no command');
      return { name: c.name, summary: c.summary, usage: c.usage, module: f.replace(/\\.js$/, '') };
    });
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`reading the command modules failed:\n${r.stderr}`);
  return JSON.parse(r.stdout).sort((a, b) => a.name.localeCompare(b.name));
}

function replaceDist(fresh) {
  const old = join(root, `dist.old-${process.pid}`);
  try {
    renameSync(distDir, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(fresh, distDir);
  } catch (err) {
    // Another build (a second command started at the same moment) put its dist/ in place between the two renames:
    // it was built from these sources or newer ones, so it stays.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(fresh, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}
