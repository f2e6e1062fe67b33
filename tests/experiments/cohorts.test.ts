import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { ensureCohort, studyCohortsRequest } from '../../lib/experiments/cohorts';

describe('experiments: cohorts', () => {
  it('keeps a cohort made with the same settings, refuses one made with others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    writeFileSync(join(dir, 'cohort.json'), JSON.stringify({ config: { cases: 5, seed: 3, centre: 'internal', difficulty: 'medium', scheme: 'binary' } }));
    assert.equal(await ensureCohort(dir, 'internal', { cases: 5, seed: 3 }), false);
    await assert.rejects(
      ensureCohort(dir, 'internal', { cases: 6, seed: 3 }),
      (e: Error) => e instanceof ConfigError && /cases 5 \(asked 6\)/.test(e.message) && e.message.includes(dir),
    );
    await assert.rejects(ensureCohort(dir, 'external', { cases: 5, seed: 3 }), /centre internal \(asked external\)/);
  });

  it('never overwrites a folder that holds something else', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cohort-')), 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    await assert.rejects(ensureCohort(dir, 'internal', { cases: 1, seed: 1 }), (e: Error) => e instanceof ConfigError && /no cohort.json/.test(e.message));
  });

  it('sizes the shared cohorts by mode, with different seeds per centre', () => {
    for (const fast of [true, false]) {
      const r = studyCohortsRequest(fast);
      assert.notEqual(r.internal.seed, r.external.seed);
    }
    assert.ok(studyCohortsRequest(true).internal.cases < studyCohortsRequest(false).internal.cases);
  });
});
