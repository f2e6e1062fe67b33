import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../lib/util/atomic-write';

describe('atomic writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egfr-atomic-'));

  it('replaces the content and leaves no temporary file', async () => {
    const p = join(dir, 'a.json');
    writeFileSync(p, 'old');
    await writeFileAtomic(p, 'new');
    assert.equal(readFileSync(p, 'utf8'), 'new');
    assert.equal(existsSync(`${p}.tmp`), false);
    writeFileAtomicSync(p, 'newer');
    assert.equal(readFileSync(p, 'utf8'), 'newer');
  });

  it('keeps the old content when the write fails', async () => {
    const p = join(dir, 'b.json');
    writeFileSync(p, 'old');
    // A directory where the temporary file should go makes the write fail before the rename.
    mkdirSync(`${p}.tmp`);
    await assert.rejects(writeFileAtomic(p, 'new'));
    assert.equal(readFileSync(p, 'utf8'), 'old');
  });
});
