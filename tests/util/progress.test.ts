import { strict as assert } from 'node:assert';
import { createLazyProgress, createProgress, createStagedProgress, formatDuration, progressText } from '../../lib/util/progress';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 80, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean } };
}

describe('progress', () => {
  it('formats counts, percentage, elapsed time and ETA', () => {
    assert.equal(progressText('synth', 25, 100, 30, 'x', 8), 'synth [##......] 25/100 25% 30s<1m30s x');
    assert.equal(formatDuration(3725), '1h02m');
    assert.equal(formatDuration(Infinity), '--');
  });

  it('redraws one line on a terminal and writes periodic plain lines elsewhere', () => {
    let t = 0;
    const tty = sink(true);
    const p = createProgress('job', 10, { stream: tty.stream, now: () => t });
    for (let i = 1; i <= 10; i++) {
      t += 1000;
      p.update(i);
    }
    p.finish();
    assert.equal(tty.chunks.length, 11);
    assert.ok(tty.chunks.every((c) => c.startsWith('\r')));
    assert.ok(tty.chunks[10].endsWith('\n') && tty.chunks[10].includes('10/10 100%'));

    t = 0;
    const log = sink(false);
    const q = createProgress('job', 10, { stream: log.stream, now: () => t, intervalSeconds: 3 });
    for (let i = 1; i <= 10; i++) {
      t += 1000;
      q.update(i);
    }
    q.finish();
    // Lines at t = 1 s, 4 s, 7 s, 10 s, plus the final one; none redraws.
    assert.equal(log.chunks.length, 5);
    assert.ok(log.chunks.every((c) => c.endsWith('\n') && !c.includes('\r')));
  });

  it('lazy bars start at their first report and finish at the total; staged jobs get one bar per stage', () => {
    let t = 0;
    const tty = sink(true);
    const report = createLazyProgress('prepare', { stream: tty.stream, now: () => t });
    assert.equal(tty.chunks.length, 0);
    t = 5000;
    report(1, 2);
    t = 6000;
    report(2, 2);
    // The elapsed time counts from the first report (5 s), not from creation.
    assert.ok(tty.chunks[1].includes('prepare') && tty.chunks[1].includes('2/2 100% 1s'), tty.chunks[1]);
    assert.ok(tty.chunks[tty.chunks.length - 1].endsWith('\n'));

    const staged = sink(true);
    const stage = createStagedProgress((s: 'a' | 'b') => `stage ${s}`, { stream: staged.stream, now: () => 0 });
    stage('a', 1, 1);
    stage('b', 1, 3);
    stage('b', 3, 3);
    const finished = staged.chunks.filter((c) => c.endsWith('\n'));
    assert.equal(finished.length, 2);
    assert.ok(finished[0].includes('stage a') && finished[0].includes('1/1'));
    assert.ok(finished[1].includes('stage b') && finished[1].includes('3/3'));
  });
});
