/**
 * One progress line for a whole study, with its ETA: the cells finished in this run count fully, the running cell by
 * its training steps (the larger part of a cell, TRAIN_SHARE) and by its test sets evaluated (the rest). Cells finished
 * before this run are left out of both the total and the rate, so the ETA extrapolates this run's own pace over the
 * cells it still has to do. Cell events and epoch summaries are printed as lines above the bar.
 */
import type { EpochRow, TrainCallbacks } from '../train/progress';
import { epochLine } from '../train/progress';
import { createProgress, formatDuration, type ProgressOptions } from '../util/progress';
import type { AblationEvent } from './ablation';
import type { GridCell } from './grid';

/** The share of a cell's work that is training; evaluation on the test sets is the rest. */
export const TRAIN_SHARE = 0.6;

export interface StudyProgress {
  onEvent(e: AblationEvent): void;
  trainCallbacks(cell: GridCell): TrainCallbacks;
}

/** `total` cells in the study, `sets` test sets per cell (see the file comment). */
export function studyProgress(total: number, sets: number, options: ProgressOptions & { prefix?: string } = {}): StudyProgress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const prefix = options.prefix ?? '';
  let skipped = 0;
  let finished = 0;
  let cellShare = 0;
  let evaluated = 0;
  let current = '';
  let note = '';
  let bar: ReturnType<typeof createProgress> | undefined;
  const remaining = () => total - skipped;
  const draw = () => {
    bar ??= createProgress(`${prefix}study`, remaining(), options);
    const done = Math.round((finished + cellShare) * 100) / 100;
    bar.update(done, `cells; ${current}${note ? ` ${note}` : ''}`);
  };
  const say = (text: string) => stream.write(`${tty ? '\r\x1b[K' : ''}${prefix}${text}\n`);
  return {
    onEvent(e) {
      const at = 'index' in e ? `[${e.index + 1}/${e.total}] ` : '';
      if (e.kind === 'skip') {
        skipped++;
        say(`${at}${e.cell.id}: finished earlier, skipped`);
        return;
      }
      if (e.kind === 'start' || e.kind === 'takeover') {
        current = e.cell.id;
        cellShare = 0;
        evaluated = 0;
        note = e.kind === 'start' && e.resumed ? 'resumed from its checkpoint' : '';
        say(`${at}${e.cell.id}: ${e.kind === 'takeover' ? `taking over from ${e.from.id}` : e.resumed ? 'continuing from its checkpoint' : 'training'}`);
      } else if (e.kind === 'evaluated') {
        const seg = e.summary.segmentation;
        const cls = e.summary.classification;
        const f = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
        // Evaluation follows the training, so the cell is at least its training share.
        evaluated++;
        cellShare = Math.min(1, TRAIN_SHARE + ((1 - TRAIN_SHARE) * evaluated) / sets);
        note = `evaluated ${e.set}`;
        say(`  ${e.cell.id} ${e.set}: ${e.summary.patients} patients, dice ${f(seg?.dice.mean)}, auc ${f(cls?.auc)}`);
      } else if (e.kind === 'done') {
        finished++;
        cellShare = 0;
        note = '';
        say(`${at}${e.cell.id}: done in ${formatDuration(e.seconds)}`);
      } else if (e.kind === 'failed') {
        finished++;
        cellShare = 0;
        say(`${at}${e.cell.id}: FAILED: ${e.error}`);
      } else if (e.kind === 'lost') {
        say(`${at}${e.cell.id}: lost its claim to another worker; left to it`);
      } else if (e.kind === 'waiting') {
        say(`waiting for cells other workers hold: ${e.cells.map((c) => `${c.cell} (${c.heldBy.id})`).join(', ')}`);
      }
      draw();
    },
    trainCallbacks(cell) {
      return {
        onStep(s) {
          current = cell.id;
          cellShare = (TRAIN_SHARE * (s.row.step + 1)) / s.totalSteps;
          note = `train ${s.row.step + 1}/${s.totalSteps}`;
          draw();
        },
        onEpoch(row: EpochRow) {
          say(`  ${cell.id} ${epochLine(row)}`);
        },
      };
    },
  };
}
