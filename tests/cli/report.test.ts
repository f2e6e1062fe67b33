import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

// Writing a report from a real study is tested in tests/report/report.test.ts and, end to end, by the start test.
describe('cli report', () => {
  it('needs --study, checks its options, and names a folder that is not a study', async () => {
    assert.equal((await run(['report'])).code, 2);
    const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
    assert.equal((await run(['report', '--study', dir, '--fact', 'no-value'])).code, 2);
    assert.equal((await run(['report', '--study', dir, '--bootstrap', '1'])).code, 2);
    const r = await run(['report', '--study', dir]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(join(dir, 'grid.json')), r.stderr);
  });
});
