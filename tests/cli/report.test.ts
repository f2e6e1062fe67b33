import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';


// Writing a report from a real study is tested in tests/report/report.test.ts and, end to end, by the start test.
describe('cli report', () => {
  it('needs --study, checks its options, and names a folder that is not a study', async () => {
    assert.equal((await runCli(['report'])).code, 2);
    const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
    assert.equal((await runCli(['report', '--study', dir, '--fact', 'no-value'])).code, 2);
    assert.equal((await runCli(['report', '--study', dir, '--bootstrap', '1'])).code, 2);
    const r = await runCli(['report', '--study', dir]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(join(dir, 'grid.json')), r.stderr);
  });
});
