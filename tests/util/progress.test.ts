import { strict as assert } from 'node:assert';
import { createProgress, formatDuration, progressText } from '../../lib/util/progress';

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
});
