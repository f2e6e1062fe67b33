/**
 * Issue 21, item 4: a truncated or corrupted latest checkpoint is found by its checksums and training resumes from the
 * previous intact one, with a message; a checkpoint write that fails with ENOSPC leaves the previous checkpoint and
 * the run's other files intact and says so.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SliceDataset } from '../../lib/data/slice-dataset';
import { initEngine } from '../../lib/engine';
import { ModelFileError } from '../../lib/errors';
import { buildModel, type MultiTaskModel } from '../../lib/model/multitask';
import { resolvePreprocessConfig } from '../../lib/preprocess/config';
import { prepareCase } from '../../lib/preprocess/prepare-case';
import { checkCheckpoint, latestCheckpoint } from '../../lib/train/checkpoint';
import { resolveTrainConfig } from '../../lib/train/config';
import { runPaths } from '../../lib/train/run-folder';
import { trainModel } from '../../lib/train/trainer';
import { tinyCohort, tinyModelConfig } from './tiny-cohort';

const bytesOf = (model: MultiTaskModel) => model.weights().map((w) => Buffer.from((w.variable.dataSync() as Float32Array).buffer));

describe('train/checkpoint: checksums, fallback, a full disk', function () {
  this.timeout(120000);
  let dataset: SliceDataset;
  let dir: string;
  let straight: Buffer[];
  const config = resolveTrainConfig({ steps: 6, stepsPerEpoch: 2, batchSize: 2, warmupSteps: 2 }, 'mtl');
  const ckpt = (run: string, step: number) => join(runPaths(run).checkpoints, `step-${String(step).padStart(8, '0')}`);

  before(async () => {
    await initEngine({ backend: 'wasm' });
    const pre = resolvePreprocessConfig({ size: 32 });
    dataset = new SliceDataset(tinyCohort(4).map((c) => prepareCase(c, pre)), pre);
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-checkpoint-'));
    const model = buildModel(tinyModelConfig());
    await trainModel({ model, dataset, config });
    straight = bytesOf(model);
    model.dispose();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Trains to step 4 (checkpoints 2 and 4 kept), applies `damage`, resumes to the end; returns the messages. */
  async function damagedResume(name: string, damage: (run: string) => void): Promise<{ messages: string[]; model: MultiTaskModel }> {
    const run = join(dir, name);
    const first = buildModel(tinyModelConfig());
    await trainModel({ model: first, dataset, config, runDir: run, stopAtStep: 4 });
    first.dispose();
    assert.deepEqual(fs.readdirSync(runPaths(run).checkpoints).filter((f) => f.startsWith('step-')), ['step-00000002', 'step-00000004']);
    assert.equal(await checkCheckpoint(ckpt(run, 4), 4), null);
    damage(run);
    const messages: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => messages.push(s) > 0) as typeof process.stderr.write;
    const model = buildModel(tinyModelConfig());
    try {
      await trainModel({ model, dataset, config, runDir: run, resume: true });
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      process.stderr.write = write;
    }
    return { messages, model };
  }

  const damages: [string, (run: string) => void, RegExp][] = [
    ['a truncated weights.bin', (run) => truncateSync(join(ckpt(run, 4), 'model', 'weights.bin'), 100), /model\/weights\.bin has 100 bytes where \d+ were written \(truncated\)/],
    ['a flipped byte in the optimizer state', (run) => {
      const f = join(ckpt(run, 4), 'optimizer', 'weights.bin');
      const b = readFileSync(f);
      b[7] ^= 0x10;
      writeFileSync(f, b);
    }, /optimizer\/weights\.bin does not match its checksum \(corrupted\)/],
    ['a truncated state.json', (run) => truncateSync(join(ckpt(run, 4), 'state.json'), 10), /state\.json has 10 bytes/],
    ['a missing optimizer (killed between the weights and the optimizer state)', (run) => rmSync(join(ckpt(run, 4), 'optimizer'), { recursive: true }), /optimizer\/model\.json is missing/],
    ['a truncated checksums.json', (run) => truncateSync(join(ckpt(run, 4), 'checksums.json'), 20), /checksums\.json is not valid JSON/],
  ];
  for (const [what, damage, why] of damages) {
    it(`resumes from the previous checkpoint after ${what}, says why, and ends as an uninterrupted run`, async () => {
      const { messages, model } = await damagedResume(what.replace(/\W+/g, '-'), damage);
      const text = messages.join('');
      assert.match(text, /the latest checkpoint .*step-00000004 is damaged: /);
      assert.match(text, why);
      assert.match(text, /resuming from the previous intact checkpoint, step-00000002 \(step 2\)/);
      bytesOf(model).forEach((b, i) => assert.ok(b.equals(straight[i]), `weight ${i} differs`));
      model.dispose();
    });
  }

  it('refuses, naming each, when no checkpoint is intact; a damaged latest.json falls back to the newest intact folder', async () => {
    await assert.rejects(
      damagedResume('both', (run) => {
        truncateSync(join(ckpt(run, 4), 'model', 'weights.bin'), 8);
        truncateSync(join(ckpt(run, 2), 'state.json'), 8);
      }),
      (e: unknown) => e instanceof ModelFileError && /no intact checkpoint to resume from: .*step-00000004 is damaged.*step-00000002 is damaged too: state\.json has 8 bytes/.test(e.message),
    );
    const run = join(dir, 'both');
    writeFileSync(join(runPaths(run).checkpoints, 'latest.json'), '{"step": 4, "fol');
    await assert.rejects(latestCheckpoint(runPaths(run).checkpoints, () => undefined), /no intact checkpoint/);
    const { model, messages } = await damagedResume('pointer', (r) => writeFileSync(join(runPaths(r).checkpoints, 'latest.json'), '{"step": 4, "fol'));
    assert.match(messages.join(''), /latest\.json: is not valid JSON.*resuming from the previous intact checkpoint, step-00000004/);
    bytesOf(model).forEach((b, i) => assert.ok(b.equals(straight[i]), `weight ${i} differs`));
    model.dispose();
  });

  it('a checkpoint write that fails with ENOSPC keeps the previous checkpoint and the run files, and says so', async () => {
    const run = join(dir, 'enospc');
    const first = buildModel(tinyModelConfig());
    await trainModel({ model: first, dataset, config, runDir: run, stopAtStep: 2 });
    first.dispose();
    const files = ['metrics.csv', 'task-weights.csv', 'checkpoints/latest.json'];
    const before = new Map(files.map((f) => [f, readFileSync(join(run, f))]));
    // The disk fills up in the middle of the next checkpoint (at its n-th file: the model, the optimizer, state.json,
    // checksums.json, latest.json).
    for (let n = 1; n <= 7; n++) {
      const original = fs.promises.writeFile;
      let writes = 0;
      fs.promises.writeFile = (async (path: fs.PathLike, ...rest: unknown[]) => {
        if (String(path).includes('checkpoints') && ++writes >= n) {
          throw Object.assign(new Error(`ENOSPC: no space left on device, open '${String(path)}'`), { code: 'ENOSPC' });
        }
        return (original as (...a: unknown[]) => Promise<void>)(path, ...rest);
      }) as typeof fs.promises.writeFile;
      const model = buildModel(tinyModelConfig());
      try {
        await assert.rejects(trainModel({ model, dataset, config, runDir: run, resume: true, stopAtStep: 4 }), (e: unknown) => {
          assert.ok(e instanceof ModelFileError, String(e));
          assert.match(e.message, /cannot write the checkpoint of step 4: no space left on the device \(ENOSPC\); step-00000002 is still the latest checkpoint, intact \(free some space and run again with --resume\)/);
          return true;
        });
      } finally {
        fs.promises.writeFile = original;
        model.dispose();
      }
      assert.equal(await checkCheckpoint(ckpt(run, 2), 2), null);
      assert.deepEqual(fs.readdirSync(runPaths(run).checkpoints).filter((f) => f.startsWith('step-')), ['step-00000002']);
      assert.ok(readFileSync(join(run, 'checkpoints/latest.json')).equals(before.get('checkpoints/latest.json')!));
      // The logs were rewritten (complete) before the checkpoint, with the steps up to 4.
      assert.equal(readFileSync(join(run, 'task-weights.csv'), 'utf8').trim().split('\n').length, 5);
    }
    // With space again, the run resumes from step 2 and ends as an uninterrupted run.
    const model = buildModel(tinyModelConfig());
    await trainModel({ model, dataset, config, runDir: run, resume: true });
    bytesOf(model).forEach((b, i) => assert.ok(b.equals(straight[i]), `weight ${i} differs`));
    model.dispose();
  });
});
