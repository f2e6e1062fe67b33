/**
 * Issue 21, item 5: model folders from others. A manifest whose shapes disagree with its own config is refused before
 * weights.bin is read; a weights path that leaves the folder is refused; and a fuzz pass over manifests (malformed
 * JSON, wrong types, huge numbers, like the NIfTI header fuzzing) gets only the project's typed errors, never a crash.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../lib/engine/backend';
import { MODEL_MANIFEST, MODEL_WEIGHTS } from '../../lib/engine/model-file';
import { EgfrGtvError, ModelFileError } from '../../lib/errors';
import { loadModel, saveModel } from '../../lib/model/file';
import { buildModel } from '../../lib/model/multitask';
import { Rng } from '../../lib/util/rng';
import { tinyModelConfig } from '../train/tiny-cohort';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys) into a JSON value. */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(v: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = JSON.parse(JSON.stringify(v)) as Json;
  let node = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  if (value === undefined) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}

const ODD: (Json | undefined)[] = [undefined, null, true, 'x', '../../etc/passwd', -1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 2, 1e9, [], [1e9, 1e9], {}, { __proto__: 1 }];

describe('engine: model folders from others', function () {
  this.timeout(120000);
  let root: string;
  let good: string;
  let manifest: Json;
  before(async () => {
    await initEngine({ backend: 'cpu' });
    root = mkdtempSync(join(tmpdir(), 'egfr-gtv-model-fuzz-'));
    good = join(root, 'good');
    const model = buildModel(tinyModelConfig());
    await saveModel(good, model);
    model.dispose();
    manifest = JSON.parse(readFileSync(join(good, MODEL_MANIFEST), 'utf8'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function folderWith(name: string, text: string, withBin = true): string {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(good, dir, { recursive: true });
    writeFileSync(join(dir, MODEL_MANIFEST), text);
    if (!withBin) rmSync(join(dir, MODEL_WEIGHTS));
    return dir;
  }

  it('checks shapes against the config before reading weights.bin', async () => {
    // A config that says 8 base channels over weights of 4: refused on the manifest alone (the bin is not there).
    const lying = setAt(manifest, ['config', 'encoder', 'baseChannels'], 8);
    const dir = folderWith('lying', JSON.stringify(lying), false);
    await assert.rejects(loadModel(dir), (e: unknown) => {
      assert.ok(e instanceof ModelFileError, String(e));
      assert.match(e.message, /model\.json: weight .* has shape \[.*\], the model expects \[.*\]: the weights do not belong to the model its config describes/);
      return true;
    });
    const specs = (manifest as { weights: { specs: { name: string }[] } }).weights.specs;
    const extra = setAt(manifest, ['weights', 'specs', specs.length], { ...specs[0], name: 'not/in/model' } as unknown as Json);
    await assert.rejects(loadModel(folderWith('extra', JSON.stringify(extra), false)), /weight not\/in\/model is not in the model/);
  });

  it('refuses a weights path outside the folder, and prototype or duplicate weight names', async () => {
    for (const file of ['../good/weights.bin', '/etc/passwd', '..', 'a/b', 'C:weights.bin', '']) {
      const dir = folderWith('escape', JSON.stringify(setAt(manifest, ['weights', 'file'], file)));
      await assert.rejects(loadModel(dir), (e: unknown) => e instanceof ModelFileError && /is not a file name inside the model folder/.test(e.message), file);
    }
    for (const name of ['__proto__', 'constructor']) {
      const dir = folderWith('proto', JSON.stringify(setAt(manifest, ['weights', 'specs', 0, 'name'], name)));
      await assert.rejects(loadModel(dir), new RegExp(`weight name '${name}' is not allowed`));
    }
    const specs = (manifest as { weights: { specs: Json[] } }).weights.specs;
    await assert.rejects(loadModel(folderWith('dup', JSON.stringify(setAt(manifest, ['weights', 'specs', specs.length], specs[1])))), /is listed twice/);
  });

  it('fuzz: malformed JSON, wrong types and huge numbers give only typed errors', async () => {
    const rng = new Rng(21).fork('manifest-fuzz');
    const text = JSON.stringify(manifest);
    const all = paths(manifest);
    let refused = 0;
    const cases: string[] = [];
    for (let i = 0; i < 40; i++) cases.push(text.slice(0, Math.floor(rng.uniform(0, text.length))));
    for (let i = 0; i < 160; i++) {
      const path = all[Math.floor(rng.uniform(0, all.length))];
      cases.push(JSON.stringify(setAt(manifest, path, ODD[Math.floor(rng.uniform(0, ODD.length))])));
    }
    cases.push('[]', 'null', '"model"', '1e999', '{"format":"egfr-gtv-model","formatVersion":1,"config":{},"weights":{"file":"weights.bin","bytes":1e300,"sha256":"","specs":[]}}');
    for (const [i, c] of cases.entries()) {
      const dir = folderWith('fuzz', c);
      const started = Date.now();
      try {
        const { model } = await loadModel(dir);
        model.dispose();
      } catch (err) {
        assert.ok(err instanceof EgfrGtvError, `case ${i} (${c.slice(0, 200)}): ${(err as Error)?.stack}`);
        refused++;
      }
      assert.ok(Date.now() - started < 10000, `case ${i} took ${Date.now() - started} ms: ${c.slice(0, 200)}`);
    }
    assert.ok(refused > cases.length / 2, `${refused} of ${cases.length} refused`);
  });
});
