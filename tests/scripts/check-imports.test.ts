import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkImports } from '../../scripts/check-imports';

describe('scripts/check-imports: the layer rule of docs/architecture.md', () => {
  it('lib/ imports only down the data flow, with no cycle', () => {
    assert.deepEqual(checkImports(resolve(__dirname, '..', '..', 'lib')), []);
  });

  it('reports an upward import and a cycle', () => {
    const lib = mkdtempSync(join(tmpdir(), 'layers-'));
    try {
      mkdirSync(join(lib, 'io'));
      mkdirSync(join(lib, 'model'));
      writeFileSync(join(lib, 'io', 'read.ts'), "import { build } from '../model/build';\nexport const read = build;\n");
      writeFileSync(join(lib, 'model', 'build.ts'), "import { read } from '../io/read';\nexport const build = () => read;\n");
      const found = checkImports(lib);
      assert.deepEqual(found.map((v) => v.kind).sort(), ['cycle', 'upward']);
      assert.match(found.find((v) => v.kind === 'upward')!.detail, /io imports model\/build\.ts \(model is above io\)/);
    } finally {
      rmSync(lib, { recursive: true, force: true });
    }
  });
});
