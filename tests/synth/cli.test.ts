import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli';


describe('egfr-gtv synth', () => {
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-synth-cli-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('rejects missing or unknown option values with the usage and exit status 2', async () => {
    const missing = await runCli(['synth', '--cases', '2', '--seed', '1']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing required option --out/);
    const centre = await runCli(['synth', '--out', join(tmp, 'x'), '--cases', '2', '--seed', '1', '--centre', 'mars']);
    assert.equal(centre.code, 2);
    assert.match(centre.stderr, /--centre must be one of internal, external/);
    const cases = await runCli(['synth', '--out', join(tmp, 'x'), '--cases', '0', '--seed', '1']);
    assert.equal(cases.code, 1);
    assert.match(cases.stderr, /cases must be a positive integer/);
  });

  it('writes a three-class external cohort with progress on stderr and a JSON summary on stdout', async () => {
    const out = join(tmp, 'three');
    const r = await runCli(['synth', '--out', out, '--cases', '2', '--seed', '4', '--centre', 'external', '--scheme', 'three-class', '--difficulty', 'hard', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /synth \[#+\] 2\/2 100%/);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(summary.counts), ['wildtype', '19del', 'l858r']);
    const csv = (await fs.readFile(join(out, 'labels.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.ok(csv.every((row) => row.includes(',external,') && row.endsWith(',hard') && row.startsWith('ext-s4-')));
  });
});
