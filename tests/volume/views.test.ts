import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { escapeHtml, htmlTable } from '../../lib/report/html';
import { axialAreas, axialSlice, histogram, largestMaskSlice } from '../../lib/volume/views';
import type { Volume } from '../../lib/volume/volume';

function volume(dims: [number, number, number], f: (i: number, j: number, k: number) => number): Volume<Float32Array> {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = f(i, j, k);
  return { data, dims, spacing: [1, 1, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
}

describe('report: views', () => {
  it('takes axial slices with x fastest', () => {
    const v = volume([3, 2, 4], (i, j, k) => 100 * k + 10 * j + i);
    assert.deepEqual(Array.from(axialSlice(v, 2).data), [200, 201, 202, 210, 211, 212]);
    assert.equal(axialSlice(v, 2).width, 3);
    assert.throws(() => axialSlice(v, 4), ConfigError);
  });

  it('finds the slice with the largest mask, the middle one for an empty mask', () => {
    const mask = volume([4, 4, 5], (i, _j, k) => (k === 1 && i < 2 ? 1 : k === 3 && i < 3 ? 1 : 0));
    assert.deepEqual(Array.from(axialAreas(mask)), [0, 8, 0, 12, 0]);
    assert.equal(largestMaskSlice(mask), 3);
    assert.equal(largestMaskSlice(volume([2, 2, 5], () => 0)), 2);
  });

  it('histograms the masked values in range as fractions', () => {
    const h = histogram([0, 0.5, 1.5, 1.6, 3.9, 4, -1, 2], [0, 4], 4, [1, 1, 1, 1, 1, 1, 1, 0]);
    assert.deepEqual(h.centres, [0.5, 1.5, 2.5, 3.5]);
    assert.equal(h.count, 5);
    assert.deepEqual(h.density, [2 / 5, 2 / 5, 0, 1 / 5]);
    assert.throws(() => histogram([1], [1, 1], 4), ConfigError);
    assert.throws(() => histogram([1, 2], [0, 1], 4, [1]), ConfigError);
  });
});

describe('report: html', () => {
  it('escapes text and right-aligns numbers', () => {
    assert.equal(escapeHtml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const t = htmlTable(['model', 'dice'], [['<mtl>', '0.812 ± 0.031'], ['seg', 0.5]], 'caption & co');
    assert.match(t, /<caption>caption &amp; co<\/caption>/);
    assert.match(t, /<td>&lt;mtl&gt;<\/td><td class="num">0.812 ± 0.031<\/td>/);
    assert.match(t, /<td class="num">0.5<\/td>/);
  });
});
