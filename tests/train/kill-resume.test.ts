/**
 * Issue 21, item 4: a training process killed with SIGKILL at random moments (seeded), some of them inside checkpoint
 * writes, and resumed each time with `egfr-gtv train --resume`, ends with the same bytes in model/weights.bin and the
 * same per-step log as a run that was never interrupted.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../lib/util/rng';
import { writeTinyCohort } from '../cli/tiny-run';

const BIN = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');
const STEPS = 80;
const KILLS = 20;
/** Kills that must leave evidence of an interrupted checkpoint write (a .tmp file, an unfinished step folder). */
const KILLS_IN_WRITES = 3;

interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  /** Milliseconds from the spawn to each epoch line. */
  lines: number[];
}

/** When to kill, in this machine's time: measured on the uninterrupted run, so a fast machine is not outrun. */
interface Pace {
  /** Milliseconds from the spawn to the first epoch line (start-up, reading the cohort, the first step). */
  startMs: number;
  /** Median milliseconds between epoch lines (a step and its checkpoint write). */
  stepMs: number;
}

function paceOf(a: Attempt): Pace {
  const gaps = a.lines.slice(1).map((t, i) => t - a.lines[i]).sort((x, y) => x - y);
  return { startMs: a.lines[0], stepMs: gaps[Math.floor(gaps.length / 2)] };
}

/**
 * One `train --resume` process, killed with SIGKILL at a moment drawn from `rng` unless `rng` is null: either at a
 * random time in its start-up (0.2 to 1.5 times the time to the first epoch line), or within one step time after it
 * printed its first epoch line, which it prints right before writing that step's checkpoint.
 */
function attempt(args: string[], rng: Rng | null, pace?: Pace): Promise<Attempt> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = Date.now();
    const chunks: string[] = [];
    const lines: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const kill = (ms: number) => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), ms);
    };
    const killing = rng !== null && pace !== undefined;
    const byTime = killing ? rng.uniform(0, 1) < 0.25 : false;
    const delay = killing ? (byTime ? rng.uniform(0.2, 1.5) * pace.startMs : rng.uniform(0, pace.stepMs)) : 0;
    if (killing && byTime) kill(delay);
    child.stdout.on('data', (b: Buffer) => chunks.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      chunks.push(text);
      const epochLines = text.match(/^epoch \d+ step \d+/gm)?.length ?? 0;
      for (let i = 0; i < epochLines; i++) lines.push(Date.now() - started);
      if (killing && !byTime && epochLines > 0) kill(delay);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, signal, out: chunks.join(''), lines });
    });
  });
}

/**
 * What in the checkpoints folder shows a write cut short: temporary files and step folders newer than latest.json's
 * or without checksums.json, each with its modification time (a leftover of an earlier kill is not counted again).
 */
function interruptedWrites(checkpoints: string): Set<string> {
  const found = new Set<string>();
  if (!existsSync(checkpoints)) return found;
  let latest = -1;
  try {
    latest = JSON.parse(readFileSync(join(checkpoints, 'latest.json'), 'utf8')).step;
  } catch {
    // no pointer yet
  }
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.tmp')) found.add(`${path}@${statSync(path).mtimeMs}`);
    }
  };
  walk(checkpoints);
  for (const f of readdirSync(checkpoints).filter((name) => name.startsWith('step-'))) {
    const dir = join(checkpoints, f);
    if (Number(f.slice(5)) > latest || !existsSync(join(dir, 'checksums.json'))) found.add(`${dir}@${statSync(dir).mtimeMs}`);
  }
  return found;
}

describe('train: SIGKILL at random moments, resumed each time', function () {
  this.timeout(600000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-kill-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it(`${KILLS}+ kills (some inside checkpoint writes) end with the weights of an uninterrupted run, bit for bit`, async () => {
    const data = join(root, 'cohort');
    await writeTinyCohort(data, 4);
    // One checkpoint per step (an epoch of one step), no validation split and no patient model: the run is all steps
    // and checkpoint writes. wasm's kernels are deterministic, so the comparison is exact.
    const args = (out: string) => [
      'train', '--data', data, '--out', out, '--model', 'mtl', '--size', '32', '--base-channels', '4', '--steps', String(STEPS),
      '--steps-per-epoch', '1', '--batch', '2', '--val-fraction', '0', '--no-patient-model', '--backend', 'wasm', '--resume', '--json',
    ];
    const reference = join(root, 'reference');
    const straight = await attempt(args(reference), null);
    assert.equal(straight.code, 0, straight.out);
    assert.equal(straight.lines.length, STEPS, 'the uninterrupted run prints one epoch line per step');
    const pace = paceOf(straight);

    const run = join(root, 'killed');
    const rng = new Rng(21).fork('kills');
    let kills = 0;
    let inWrites = 0;
    const seen = new Set<string>();
    let finished: Attempt | undefined;
    while (!finished && kills < 60) {
      const a = await attempt(args(run), kills < KILLS || inWrites < KILLS_IN_WRITES ? rng : null, pace);
      if (a.signal === 'SIGKILL') {
        kills++;
        const evidence = [...interruptedWrites(join(run, 'checkpoints'))].filter((e) => !seen.has(e));
        if (evidence.length > 0) inWrites++;
        evidence.forEach((e) => seen.add(e));
        if (process.env.EGFR_GTV_KILL_LOG) process.stderr.write(`kill ${kills}: ${a.out.match(/^epoch \d+ step \d+/gm)?.join(', ') ?? 'no step'}; in writes ${inWrites}\n`);
      } else {
        finished = a;
      }
    }
    finished ??= await attempt(args(run), null);
    assert.equal(finished.code, 0, finished.out);
    assert.ok(kills >= KILLS, `only ${kills} kills before the run finished`);
    assert.ok(inWrites >= KILLS_IN_WRITES, `only ${inWrites} of ${kills} kills landed inside a checkpoint write`);
    const bytes = (dir: string, f: string) => readFileSync(join(dir, f));
    assert.ok(bytes(run, 'model/weights.bin').equals(bytes(reference, 'model/weights.bin')), 'final weights differ');
    assert.equal(bytes(run, 'task-weights.csv').toString(), bytes(reference, 'task-weights.csv').toString());
    assert.equal(JSON.parse(finished.out.trim().split('\n').pop()!).steps, STEPS);
  });
});
