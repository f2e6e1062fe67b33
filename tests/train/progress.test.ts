import { strict as assert } from 'node:assert';
import { notebookProgress, progressLine, terminalProgress, type ProgressEvent } from '../../lib/train/progress';

const event = (step: number): ProgressEvent => ({
  row: { step, epoch: 1, lr: 1e-3, total: 1.25, losses: { seg: 0.5, cls: 0.75 }, weights: { seg: 1, cls: 1 } },
  totalSteps: 10,
  elapsedSeconds: 12,
  etaSeconds: 125,
});

describe('progress display', () => {
  it('formats a bar with counts, losses and ETA', () => {
    const line = progressLine(event(4));
    assert.equal(line, 'train [############............] 5/10 50% 12s<12s seg 0.500 cls 0.750 lr 1.0e-3');
  });

  it('rewrites one notebook entry and keeps the rows for live plots', async () => {
    const shown: string[] = [];
    const nb = await notebookProgress({ sink: { text: (s) => shown.push(s) }, every: 5 });
    for (let s = 0; s < 10; s++) nb.onStep!(event(s));
    nb.onEpoch!({ epoch: 1, step: 10, lr: 1e-3, total: 1, losses: { seg: 0.5 }, validation: { dice: 0.8 }, seconds: 20 });
    nb.onEnd!({ steps: 10, stoppedEarly: false, bestEpoch: null });
    assert.equal(nb.steps.length, 10);
    assert.equal(nb.epochs.length, 1);
    assert.equal(shown.length, 3);
    assert.match(shown[2], /done: 10 steps\nepoch 1 step 10 .*val_dice 0.800/);
  });

  it('prints one line per epoch when the stream is not a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const t = terminalProgress(stream);
    t.onStep!(event(0));
    t.onEpoch!({ epoch: 1, step: 10, lr: 1e-3, total: 1, losses: { seg: 0.5 }, validation: {}, seconds: 20 });
    assert.equal(written.length, 2);
    assert.match(written[0], /^train \[#+\.+\] 1\/10 10% .* seg 0.500 cls 0.750/);
    assert.equal(written[1], 'epoch 1 step 10 seg 0.500 total 1.000 (20s)\n');
  });
});
