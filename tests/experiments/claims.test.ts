import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentWorker, keepAlive, LeaseLostError, readClaim, tryClaim, withLock, type Claim } from '../../lib/experiments/claims';
import { taskOrder } from '../../lib/experiments/ablation';

describe('experiments: claims with a lease', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'claims-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is won by one of many concurrent claimers; the others see who holds it', async () => {
    const file = join(root, 'a', 'claim.json');
    const attempts = await Promise.all(Array.from({ length: 12 }, (_, i) => tryClaim(file, { ...currentWorker(), id: `w${i}` }, 10000)));
    const won = attempts.filter((a) => 'lease' in a);
    assert.equal(won.length, 1);
    const winner = (won[0] as { lease: { claim: Claim } }).lease.claim;
    for (const a of attempts) if ('heldBy' in a) assert.equal(a.heldBy.generation, winner.generation);
  });

  it('an expired claim is taken over by exactly one of several takers, and its old holder learns it lost it', async () => {
    const file = join(root, 'b', 'claim.json');
    const first = await tryClaim(file, { ...currentWorker(), id: 'old' }, 100);
    assert.ok('lease' in first);
    await new Promise((r) => setTimeout(r, 150));
    const takers = await Promise.all(Array.from({ length: 12 }, (_, i) => tryClaim(file, { ...currentWorker(), id: `t${i}` }, 10000)));
    const won = takers.filter((a) => 'lease' in a);
    assert.equal(won.length, 1, 'one taker wins');
    const lease = (won[0] as { lease: import('../../lib/experiments/claims').Lease }).lease;
    assert.equal(lease.from?.id, 'old');
    assert.equal(lease.claim.tookOver, first.lease.claim.generation);
    assert.equal((await readClaim(file, 1000))?.generation, lease.claim.generation);
    assert.deepEqual(readdirSync(join(root, 'b')).filter((f) => f.includes('takeover')), [], 'no takeover marker left');
    // The old holder's refresh finds the claim replaced: lost, and its training loop's tick throws.
    assert.equal(await first.lease.refresh(), false);
    const alive = keepAlive(first.lease, 100);
    assert.throws(() => alive.tick(), LeaseLostError);
    await alive.stop();
    await first.lease.release();
    assert.ok(existsSync(file), "a lost lease's release leaves the new holder's claim");
    await lease.release();
    assert.ok(!existsSync(file));
  });

  it('a claim file cut short by a killed creator holds for a lease after it was written, then is taken over', async () => {
    const file = join(root, 'c', 'claim.json');
    await tryClaim(join(root, 'c', 'x.json'), currentWorker(), 10);
    writeFileSync(file, '{"id": "half');
    const now = await tryClaim(file, currentWorker(), 60000);
    assert.ok('heldBy' in now, 'a fresh partial claim still holds');
    const later = await tryClaim(file, currentWorker(), 1);
    await new Promise((r) => setTimeout(r, 5));
    const again = 'lease' in later ? later : await tryClaim(file, currentWorker(), 1);
    assert.ok('lease' in again, 'an old partial claim is taken over');
  });

  it('keeps a lease alive while work runs, and withLock runs writers one at a time', async () => {
    const file = join(root, 'd', 'claim.json');
    const got = await tryClaim(file, currentWorker(), 300);
    assert.ok('lease' in got);
    const alive = keepAlive(got.lease, 300);
    const before = got.lease.claim.expiresMs;
    await new Promise((r) => setTimeout(r, 700));
    alive.tick();
    await alive.stop();
    assert.ok((await readClaim(file, 300))!.expiresMs > before + 300, 'refreshed');
    assert.ok('heldBy' in (await tryClaim(file, currentWorker(), 300)), 'still held after more than two leases');

    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock(join(root, 'd', 'lock'), async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 10));
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
  });

  it('orders a task: its share first, then the others in grid order', () => {
    assert.deepEqual(taskOrder([0, 1, 2, 3, 4], 1, 2), [1, 3, 0, 2, 4]);
    assert.deepEqual(taskOrder([0, 1, 2], 0, 1), [0, 1, 2]);
  });
});
