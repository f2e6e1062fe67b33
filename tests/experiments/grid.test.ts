import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { NO_WEIGHTING, gridCells, readGrid, resolveGrid, type GridInput } from '../../lib/experiments/grid';
import { resolveModelConfig } from '../../lib/model/multitask';

const base: GridInput = {
  name: 'study',
  models: ['mtl', 'seg-only', { name: 'mtl-cnn', baseline: 'mtl', config: { classifier: { kind: 'cnn' } } }],
  weightings: ['uncertainty', 'dwa'],
  seeds: [1, 2],
  model: { input: { height: 32, width: 32 }, encoder: { baseChannels: 4 } },
  train: { steps: 10, batchSize: 2 },
};

describe('experiments: grid', () => {
  it('crosses multi-task models with every weighting and seed, single-task models with seeds only, seed first', () => {
    const cells = gridCells(resolveGrid(base, { fast: false }));
    assert.deepEqual(
      cells.map((c) => c.id),
      [
        'mtl__uncertainty__s1', 'mtl__dwa__s1', `seg-only__${NO_WEIGHTING}__s1`, 'mtl-cnn__uncertainty__s1', 'mtl-cnn__dwa__s1',
        'mtl__uncertainty__s2', 'mtl__dwa__s2', `seg-only__${NO_WEIGHTING}__s2`, 'mtl-cnn__uncertainty__s2', 'mtl-cnn__dwa__s2',
      ],
    );
  });

  it("takes a model's own weightings instead of the grid's", () => {
    const grid = resolveGrid(
      { ...base, models: [{ name: 'mtl', baseline: 'mtl', weightings: ['uncertainty', 'fixed'] }, 'mtl-no-csa', 'seg-only'], seeds: [1] },
      { fast: false },
    );
    assert.deepEqual(
      gridCells(grid).map((c) => c.id),
      ['mtl__uncertainty__s1', 'mtl__fixed__s1', 'mtl-no-csa__uncertainty__s1', 'mtl-no-csa__dwa__s1', `seg-only__${NO_WEIGHTING}__s1`],
    );
    assert.deepEqual(gridCells(grid)[1].train.weighting, { kind: 'fixed' });
    assert.throws(() => resolveGrid({ ...base, models: [{ name: 'mtl', baseline: 'mtl', weightings: [] }] }), /weightings must be a non-empty list/);
    assert.throws(() => resolveGrid({ ...base, models: [{ name: 'mtl', baseline: 'mtl', weightings: ['nope'] }] }), /unknown weighting 'nope'/);
  });

  it('gives each cell its seed, its weighting and the shared overrides merged under the model entry', () => {
    const cells = gridCells(resolveGrid(base, { fast: false }));
    const cnn = cells.find((c) => c.id === 'mtl-cnn__dwa__s2')!;
    const resolved = resolveModelConfig(cnn.modelConfig);
    assert.equal(resolved.seed, 2);
    assert.equal(resolved.classifier!.kind, 'cnn');
    assert.equal(resolved.encoder.baseChannels, 4);
    assert.equal(resolved.input.height, 32);
    assert.deepEqual(cnn.train.weighting, { kind: 'dwa' });
    assert.equal(cnn.train.seed, 2);
    assert.equal(cnn.train.steps, 10);
    const seg = cells.find((c) => c.model === 'seg-only')!;
    assert.equal(resolveModelConfig(seg.modelConfig).kind, 'seg');
    assert.deepEqual(seg.train.weighting, { kind: 'fixed' });
  });

  it('merges the fast section only in fast mode', () => {
    const input: GridInput = { ...base, fast: { seeds: [7], train: { steps: 2 } } };
    const fast = resolveGrid(input, { fast: true });
    assert.deepEqual(fast.seeds, [7]);
    assert.equal(fast.train.steps, 2);
    assert.equal(fast.train.batchSize, 2);
    assert.deepEqual(resolveGrid(input, { fast: false }).seeds, [1, 2]);
  });

  it('refuses unknown models and weightings, duplicates, bad seeds and non-square inputs', () => {
    const bad: Array<[Partial<GridInput>, RegExp]> = [
      [{ models: ['resnet'] }, /unknown model 'resnet'/],
      [{ weightings: ['adaptive'] }, /unknown weighting 'adaptive'/],
      [{ models: ['mtl', 'mtl'] }, /listed twice/],
      [{ seeds: [1, 1.5] }, /seed 1.5/],
      [{ seeds: [] }, /seeds must be a non-empty list/],
      [{ model: { input: { height: 32, width: 64 } } }, /must be square/],
      [{ models: [{ name: 'x', baseline: 'unet', config: { encoder: { csa: [true, true, true, true] } } }] }, /model 'x'.*no CSA/],
      [{ name: 'a b' }, /name 'a b'/],
      [{ data: { valFraction: 1, splitSeed: 1, preprocess: {} } }, /valFraction must be in \[0, 1\)/],
    ];
    for (const [patch, message] of bad) {
      assert.throws(() => resolveGrid({ ...base, ...patch } as GridInput, { fast: false }), (e: Error) => e instanceof ConfigError && message.test(e.message), String(message));
    }
  });

  it('reads a grid file and names it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grid-'));
    const good = join(dir, 'g.json');
    writeFileSync(good, JSON.stringify(base));
    assert.equal((await readGrid(good, { fast: false })).name, 'study');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"name": ');
    await assert.rejects(readGrid(broken), (e: Error) => e instanceof ConfigError && e.message.includes(broken));
    await assert.rejects(readGrid(join(dir, 'missing.json')), (e: Error) => e instanceof ConfigError && /ENOENT/.test(e.message));
  });
});
