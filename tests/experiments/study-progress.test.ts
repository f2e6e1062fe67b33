import { strict as assert } from 'node:assert';
import { studyProgress } from '../../lib/experiments/study-progress';
import type { GridCell } from '../../lib/experiments/grid';
import type { EvaluationSummary } from '../../lib/eval/evaluate';

function fakeStream() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

const cell = (id: string) => ({ id }) as GridCell;
const summary = { patients: 4, segmentation: null, classification: null, multiclass: null } as unknown as EvaluationSummary;

describe('experiments: study progress', () => {
  it('one line for the study: skipped cells leave the total, the running cell counts by steps and sets, the ETA by this run', () => {
    let now = 0;
    const { lines, stream } = fakeStream();
    const p = studyProgress(4, 2, { stream, now: () => now, intervalSeconds: 0 });
    p.onEvent({ kind: 'skip', cell: cell('a'), index: 0, total: 4 });
    p.onEvent({ kind: 'start', cell: cell('b'), index: 1, total: 4, resumed: false });
    const train = p.trainCallbacks(cell('b'));
    now = 60_000;
    train.onStep!({ row: { step: 49, epoch: 1, lr: 0, total: 0, losses: {}, weights: {} }, totalSteps: 100, elapsedSeconds: 60, etaSeconds: 60 });
    // 3 cells to do; half of b's training done = 0.3 of a cell, in 60 s: ETA 60 x (3 - 0.3) / 0.3 = 540 s.
    assert.match(lines[lines.length - 1], /^study \[.*\] 0\.3\/3 10% 1m00s<9m00s cells; b train 50\/100/);
    now = 120_000;
    p.onEvent({ kind: 'evaluated', cell: cell('b'), set: 'internal', summary });
    assert.match(lines[lines.length - 1], /^study \[.*\] 0\.8\/3 /);
    p.onEvent({ kind: 'done', cell: cell('b'), index: 1, total: 4, seconds: 120 });
    assert.match(lines[lines.length - 1], /^study \[.*\] 1\/3 33% 2m00s<4m00s/);
    assert.ok(lines.some((l) => /\[2\/4\] b: done in 2m00s/.test(l)));
  });
});
