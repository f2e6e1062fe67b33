import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EgfrGtvError } from '../../lib/errors';
import { readGrid } from '../../lib/experiments/grid';
import { Rng } from '../../lib/util/rng';

/**
 * Grid files from others (issue 21): malformed JSON, wrong types, huge or negative numbers, names that try to leave
 * the study folder. Reading one gives a grid or one of the project's typed errors, never a crash.
 */
const GRIDS = ['paper.json', 'quick.json', 'full.json'].map((f) => resolve(__dirname, '..', '..', 'grids', f));
const ODD_VALUES: unknown[] = [null, true, -1, 0, 1e308, -1e308, 2 ** 53 + 1, 1.5, '', 'x', '../../etc', '__proto__', [], {}, [1, 'a'], { kind: 'nope' }, 'a/b', NaN];

function mutate(value: unknown, rng: Rng, depth = 0): unknown {
  if (Array.isArray(value)) {
    const copy = value.map((v) => mutate(v, rng, depth + 1));
    if (copy.length > 0 && rng.next() < 0.2) copy[Math.floor(rng.next() * copy.length)] = ODD_VALUES[Math.floor(rng.next() * ODD_VALUES.length)];
    return copy;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rng.next();
      if (r < 0.08) continue;
      out[k] = r < 0.2 ? ODD_VALUES[Math.floor(rng.next() * ODD_VALUES.length)] : mutate(v, rng, depth + 1);
    }
    if (rng.next() < 0.05) out[`extra${depth}`] = ODD_VALUES[Math.floor(rng.next() * ODD_VALUES.length)];
    return out;
  }
  return value;
}

describe('experiments: grid files fuzzed', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'grid-fuzz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads 600 mutated and truncated grids into a grid or a typed error naming the file', async () => {
    const rng = new Rng('grid-fuzz');
    let typed = 0;
    let read = 0;
    for (let i = 0; i < 600; i++) {
      const source = readFileSync(GRIDS[i % GRIDS.length], 'utf8');
      const text = i % 5 === 4 ? source.slice(0, Math.floor(rng.next() * source.length)) : JSON.stringify(mutate(JSON.parse(source), rng));
      const file = join(dir, `grid-${i}.json`);
      writeFileSync(file, text);
      try {
        const grid = await readGrid(file, { fast: i % 2 === 0 });
        read++;
        for (const m of grid.models) assert.match(m.name, /^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a model name becomes a folder name');
      } catch (err) {
        assert.ok(err instanceof EgfrGtvError, `grid ${i}: ${(err as Error).stack}\n${text.slice(0, 400)}`);
        assert.ok((err as Error).message.length > 0);
        typed++;
      }
    }
    assert.ok(typed > 100 && read > 20, `typed errors ${typed}, grids read ${read}`);
  });
});
