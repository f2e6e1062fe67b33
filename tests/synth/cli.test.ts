import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';

/** Runs the command line in this process, capturing what it writes. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe('egfr-gtv synth', () => {
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-synth-cli-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('rejects missing or unknown option values with the usage and exit status 2', async () => {
    const missing = await run(['synth', '--cases', '2', '--seed', '1']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing required option --out/);
    const centre = await run(['synth', '--out', join(tmp, 'x'), '--cases', '2', '--seed', '1', '--centre', 'mars']);
    assert.equal(centre.status, 2);
    assert.match(centre.stderr, /--centre must be one of internal, external/);
    const cases = await run(['synth', '--out', join(tmp, 'x'), '--cases', '0', '--seed', '1']);
    assert.equal(cases.status, 1);
    assert.match(cases.stderr, /cases must be a positive integer/);
  });

  it('writes a three-class external cohort with progress on stderr and a JSON summary on stdout', async () => {
    const out = join(tmp, 'three');
    const r = await run(['synth', '--out', out, '--cases', '2', '--seed', '4', '--centre', 'external', '--scheme', 'three-class', '--difficulty', 'hard', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /synth \[#+\] 2\/2 100%/);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(summary.counts), ['wildtype', '19del', 'l858r']);
    const csv = (await fs.readFile(join(out, 'labels.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.ok(csv.every((row) => row.includes(',external,') && row.endsWith(',hard') && row.startsWith('ext-s4-')));
  });
});
