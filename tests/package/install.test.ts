import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The installable package, end to end and offline but for the npm registry (npm's cache first): `npm pack`, then
 * `npm install ./egfr-gtv-*.tgz` into an empty project, where the command line runs, `import ... from 'egfr-gtv'`
 * type-checks and runs, and the native addon was built by the install script (or, when it cannot be, the engine
 * falls back to wasm). About a minute: the install builds the addon.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  overrides: Record<string, string>;
  devDependencies: Record<string, string>;
};
const niftiFile = join(root, 'datasets', 'colin27', 'ch2_1.5mm.nii.gz');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited with ${r.status ?? r.signal}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

const program = `import { readNifti } from 'egfr-gtv/io';
import { ConfigError, engine, model, volume } from 'egfr-gtv';

async function main(): Promise<void> {
  const report = await engine.initEngine();
  const image = await readNifti(process.argv[2]);
  const net = model.buildModel({ kind: 'cls', input: { height: 32, width: 32, channels: 1 }, encoder: { baseChannels: 4 } });
  const typed: boolean = new ConfigError('x') instanceof Error;
  console.log(JSON.stringify({ dims: image.dims, orientation: volume.axcodes(image.affine), rows: net.summary().length, typed, backend: report.backend }));
}
void main();
`;

describe('the npm package (npm pack, then npm install into an empty project)', function () {
  this.timeout(900_000);
  let work: string;
  let consumer: string;

  before(function () {
    if (process.env.EGFR_GTV_SKIP_PACKAGE_TEST === '1') this.skip();
    work = mkdtempSync(join(tmpdir(), 'egfr-gtv-package-'));
    // npm pack runs "prepare": the build, declarations included.
    ok(run('npm', ['pack', '--pack-destination', work, '--silent'], root), 'npm pack');
    const tarball = readdirSync(work).find((f) => /^egfr-gtv-.*\.tgz$/.test(f));
    assert.ok(tarball, 'npm pack wrote no tarball');
    consumer = join(work, 'consumer');
    ok(run('mkdir', ['-p', consumer], work), 'mkdir');
    // npm applies only the installing project's overrides; danfojs-node needs these two without a network (see README).
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, overrides: pkg.overrides }, null, 2));
    ok(
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball),
        `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies['@types/node']}`], consumer),
      'npm install',
    );
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled library with its declarations and no TypeScript sources', () => {
    const installed = join(consumer, 'node_modules', 'egfr-gtv');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/io/index.d.ts', 'dist/cli/commands.json', 'dist/build-info.json', 'bin/egfr-gtv.js', 'datasets/colin27/ch2_1.5mm.nii.gz']) {
      assert.ok(existsSync(join(installed, f)), `${f} is missing from the package`);
    }
    assert.ok(!existsSync(join(installed, 'lib')), 'lib/ was packed');
    assert.equal((JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version, pkg.version);
  });

  it('npx egfr-gtv info FILE --json works', () => {
    copyFileSync(niftiFile, join(consumer, 't1.nii.gz'));
    const out = ok(run('npx', ['--no-install', 'egfr-gtv', 'info', 't1.nii.gz', '--json'], consumer), 'npx egfr-gtv info');
    const info = JSON.parse(out) as { dims: number[]; orientation: string };
    assert.deepEqual(info.dims, [128, 128, 112]);
    assert.equal(info.orientation, 'RAS');
    assert.match(ok(run('npx', ['--no-install', 'egfr-gtv', '--help'], consumer), 'npx egfr-gtv --help'), /usage: egfr-gtv <command>/);
  });

  it("import from 'egfr-gtv' (and 'egfr-gtv/io') type-checks, a type error is caught, and the program runs", () => {
    writeFileSync(join(consumer, 'index.ts'), program);
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, files: ['index.ts'] };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
    // typescript's own tsc: tslab's TypeScript 5.0 may own node_modules/.bin/tsc (it cannot read our declarations).
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(run(process.execPath, [tsc, '-p', '.'], consumer), 'tsc');
    const out = JSON.parse(ok(run(process.execPath, ['out/index.js', niftiFile], consumer), 'the program')) as Record<string, unknown>;
    assert.deepEqual(out.dims, [128, 128, 112]);
    assert.equal(out.orientation, 'RAS');
    assert.equal(out.typed, true);
    assert.ok((out.rows as number) > 0);
    writeFileSync(join(consumer, 'bad.ts'), "import { volume } from 'egfr-gtv';\nconst n: number = volume.axcodes([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);\nconsole.log(n);\n");
    const bad = run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', 'bad.ts'], consumer);
    assert.notEqual(bad.status, 0, 'a type error went unnoticed');
    assert.match(bad.stdout, /not assignable to type 'number'/);
  });

  it('built the native addon at install, and falls back to wasm when it cannot be built', () => {
    const installed = join(consumer, 'node_modules', 'egfr-gtv');
    const addon = join(installed, 'native', 'build', 'Release', 'egfr_native.node');
    const compiler = run('sh', ['-c', 'command -v "${CXX:-g++}"'], consumer).status === 0;
    if (compiler) assert.ok(existsSync(addon), 'the install script did not build the native addon');
    const backend = () => JSON.parse(ok(run('npx', ['--no-install', 'egfr-gtv', 'backend', '--json'], consumer), 'egfr-gtv backend')) as { backend: string };
    if (compiler) assert.equal(backend().backend, 'native');
    // A failed build (no working compiler) is reported and the install goes on; the engine then runs on wasm.
    if (existsSync(join(installed, 'native', 'build'))) renameSync(join(installed, 'native', 'build'), join(work, 'native-build'));
    const failed = run(process.execPath, ['native/build.js', '--optional'], installed, { CXX: '/bin/false', CC: '/bin/false' });
    assert.equal(failed.status, 0, failed.stderr);
    assert.match(failed.stderr, /native addon not built .* wasm backend/);
    assert.equal(backend().backend, 'wasm');
  });
});
