import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../../lib/errors';
import { applyNonFiniteRule, nonFiniteReport, withNonFinite } from '../../lib/io/non-finite';
import { readNifti } from '../../lib/io/nifti-read';
import { writeNifti } from '../../lib/io/nifti-write';
import { scalingAffine, type Vec3 } from '../../lib/volume/volume';

describe('io/non-finite', () => {
  let dir: string;
  const dims: Vec3 = [4, 3, 2];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-nonfinite-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function write(name: string, values: (i: number) => number, datatype?: 'float32' | 'float64'): Promise<string> {
    const file = join(dir, name);
    const data = Float32Array.from({ length: 24 }, (_, i) => values(i));
    await writeNifti(file, { data, dims, spacing: [1, 1, 1], affine: scalingAffine([1, 1, 1]) }, datatype ? { datatype } : {});
    return file;
  }

  it('readNifti refuses NaN and infinite voxels by default, naming the file and the counts', async () => {
    const file = await write('nan.nii.gz', (i) => (i < 3 ? NaN : i === 3 ? -Infinity : i));
    await assert.rejects(readNifti(file), (e: unknown) => {
      assert.ok(e instanceof DatasetError);
      assert.ok(e.message.startsWith(`${file}: 4 NaN or infinite voxels (3 NaN, 1 infinite; 16.7 % of 24)`), e.message);
      assert.match(e.message, /--non-finite zero/);
      return true;
    });
  });

  it("replaces them by 0 with nonFinite: 'zero' or inside withNonFinite('zero'), which reports each file", async () => {
    const file = await write('inf.nii.gz', (i) => (i === 5 ? Infinity : i === 6 ? NaN : 1));
    const direct = await readNifti(file, { nonFinite: 'zero' });
    assert.equal(direct.data[5], 0);
    assert.equal(direct.data[6], 0);
    assert.equal(direct.data[7], 1);
    const clean = await write('clean.nii.gz', () => 2);
    const { result, replaced } = await withNonFinite('zero', async () => [await readNifti(file), await readNifti(clean)]);
    assert.equal(result[0].data[5], 0);
    assert.deepEqual(replaced, [{ file, voxels: 2 }]);
    assert.deepEqual(nonFiniteReport([...replaced, ...replaced]), { non_finite_replaced: 2, non_finite_files: { [file]: 2 } });
    // An explicit rule wins over the scope's; 'keep' leaves the values.
    await withNonFinite('zero', async () => assert.rejects(readNifti(file, { nonFinite: 'error' }), DatasetError));
    assert.ok(Number.isNaN((await readNifti(file, { nonFinite: 'keep' })).data[6]));
    // Scopes running at once do not mix.
    const [a, b] = await Promise.all([withNonFinite('zero', () => readNifti(file)), withNonFinite('error', () => readNifti(file)).catch((e: Error) => e)]);
    assert.equal(a.replaced.length, 1);
    assert.ok(b instanceof DatasetError);
  });

  it('counts float64 values beyond float32 range as infinite', async () => {
    const file = join(dir, 'big.nii');
    const data = new Float32Array(24).fill(1);
    await writeNifti(file, { data, dims, spacing: [1, 1, 1], affine: scalingAffine([1, 1, 1]) }, { datatype: 'float64' });
    // Patch one float64 voxel to 1e300 after the 352-byte header.
    const bytes = readFileSync(file);
    bytes.writeDoubleLE(1e300, 352 + 8 * 2);
    writeFileSync(file, bytes);
    await assert.rejects(readNifti(file), /1 NaN or infinite voxels \(1 infinite;/);
  });

  it('applyNonFiniteRule in place, outside any scope', () => {
    const data = Float32Array.from([1, NaN, 3]);
    assert.throws(() => applyNonFiniteRule(data, 'x.nii'), /x\.nii: 1 NaN or infinite voxels/);
    assert.equal(applyNonFiniteRule(data, 'x.nii', 'zero'), 1);
    assert.deepEqual([...data], [1, 0, 3]);
  });
});
