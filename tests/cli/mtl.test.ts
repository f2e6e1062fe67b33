import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

describe('cli mtl combine', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-mtl-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the min-norm point of two orthogonal gradients (MGDA)', async () => {
    const r = await runCli(['mtl', 'combine', '--method', 'mgda', '--grads', file('g.json', { grads: [[1, 0], [0, 1]] }), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { method: 'mgda', direction: [0.5, 0.5], weights: [0.5, 0.5] });
  });

  it('PCGrad projections, --set hyper-parameters, and three tasks', async () => {
    const g = file('conflict.json', { grads: [[1, 0], [-1, 1]] });
    const pc = JSON.parse((await runCli(['mtl', 'combine', '--method', 'pcgrad', '--grads', g, '--json'])).stdout);
    assert.deepEqual(pc.direction, [0.5, 1.5]);
    const mean = JSON.parse((await runCli(['mtl', 'combine', '--method', 'cagrad', '--set', 'c=0', '--grads', g, '--json'])).stdout);
    assert.deepEqual(mean.direction, [0, 0.5]);
    const three = await runCli(['mtl', 'combine', '--method', 'nash-mtl', '--grads', file('three.json', { grads: [[1, 0, 0], [0, 2, 0], [0, 0, 4]] }), '--json']);
    assert.equal(three.code, 0, three.stderr);
    JSON.parse(three.stdout).direction.forEach((v: number) => assert.ok(Math.abs(v - 1) < 1e-6));
  });

  it('random methods repeat with the same --seed; GradDrop has no weights', async () => {
    const g = file('r.json', { grads: [[1, -2, 3, -1], [-1, 1, -2, 2]] });
    const run = async (seed: string) => (await runCli(['mtl', 'combine', '--method', 'graddrop', '--grads', g, '--seed', seed, '--json'])).stdout;
    assert.equal(await run('4'), await run('4'));
    assert.equal(JSON.parse(await run('4')).weights, null);
  });

  it('help lists every method and says which keep state', async () => {
    const r = await runCli(['mtl', '--help']);
    assert.equal(r.code, 0);
    for (const m of ['mgda', 'pcgrad', 'graddrop', 'gradvac', 'imtl-g', 'cagrad', 'nash-mtl', 'aligned-mtl', 'db-mtl', 'rlw', 'gls', 'famo']) {
      assert.match(r.stdout, new RegExp(`^  ${m} `, 'm'));
    }
    for (const m of ['famo', 'db-mtl', 'gradvac']) assert.match(r.stdout, new RegExp(`^  ${m} .*stateful`, 'm'));
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['ragged.json', { grads: [[1, 2], [1]] }, /ragged\.json.*ragged/],
    ['empty.json', { grads: [[], []] }, /empty\.json.*empty/],
    ['none.json', { grads: [] }, /two or more tasks/],
    ['single.json', { grads: [[1, 2]] }, /single\.json.*two or more tasks/],
    ['nan.json', '{"grads": [[1, NaN], [1, 2]]}', /nan\.json: not JSON/],
    ['string.json', { grads: [[1, 'x'], [1, 2]] }, /string\.json.*grads\[0\]\[1\] is not a number/],
    ['shape.json', { gradients: [] }, /shape\.json.*expected \{"grads"/],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects ${name} with exit 1 and a message naming the file`, async () => {
      const r = await runCli(['mtl', 'combine', '--method', 'mgda', '--grads', file(name, content), '--json']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, message);
    });
  }

  it('bad usage exits 2: unknown method, no method, unknown subcommand; a missing file exits 1', async () => {
    const g = file('ok.json', { grads: [[1], [2]] });
    const unknown = await runCli(['mtl', 'combine', '--method', 'magic', '--grads', g]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--method must be one of .*mgda/);
    assert.equal((await runCli(['mtl', 'combine', '--grads', g])).code, 2);
    assert.equal((await runCli(['mtl', 'split'])).code, 2);
    const missing = await runCli(['mtl', 'combine', '--method', 'mgda', '--grads', join(dir, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json/);
  });
});
