import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture } from './fixtures';

const bin = join(__dirname, '..', '..', 'bin', 'egfr-gtv.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'info', ...args], { encoding: 'utf8' });

describe('egfr-gtv info', () => {
  it('prints the grid of the coronal ITK file as nibabel 5.0.0 reports it', () => {
    const r = run(fixture('KmeansTest_T1UCharRaw.nii.gz'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.deepEqual(info.dims, [128, 128, 62]);
    assert.deepEqual(info.spacing, [2, 2, 3]);
    assert.equal(info.datatype, 'int16');
    assert.deepEqual(info.affine, [
      [-2, 0, 0, 0],
      [0, 0, 3, -254],
      [0, 2, 0, 0],
      [0, 0, 0, 1],
    ]);
    assert.equal(info.orientation, 'LSA');
  });

  it('exits 1 naming a file that is not NIfTI, and 2 without a file', () => {
    const bad = run(join(__dirname, 'fixtures.ts'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /fixtures\.ts: not a NIfTI file/);
    assert.doesNotMatch(bad.stderr, /at .*\(/, 'no stack trace');
    assert.equal(run().status, 2);
  });
});
