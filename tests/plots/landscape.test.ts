import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import { landscapeContour, type PlotlyFigure } from '../../lib/plots';

const surface = { x: [0, 1, 2], y: [0, 1], z: [[0, 1, 2], [3, 4, 5]], label: 'loss' };

describe('plots: landscapeContour', () => {
  it('draws the surface as filled contours at its coordinates, the front, one legend entry per path name, starts and ends', () => {
    const fig: PlotlyFigure = landscapeContour({
      title: 'landscape',
      xLabel: 'x1',
      yLabel: 'x2',
      surface,
      levels: 5,
      front: { name: 'Pareto set', x: [0, 2], y: [0.5, 0.5] },
      paths: [
        { name: 'mgda', x: [0, 1], y: [1, 0] },
        { name: 'mgda', x: [2, 1.5], y: [1, 0.2] },
        { name: 'pcgrad', x: [0, 0.5], y: [1, 0.5] },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
    const contour = fig.data[0] as unknown as { type: string; x: number[]; y: number[]; z: number[][]; contours: { start: number; end: number; size: number; coloring: string } };
    assert.equal(contour.type, 'contour');
    assert.deepEqual(contour.x, [0, 1, 2]);
    assert.deepEqual(contour.y, [0, 1]);
    assert.deepEqual(contour.z, surface.z);
    assert.deepEqual(contour.contours, { start: 0, end: 5, size: 1, coloring: 'fill', showlabels: false });
    const lines = fig.data.filter((t) => t.type === 'scatter' && t.name !== 'start' && !t.name?.endsWith(' end'));
    assert.deepEqual(lines.map((t) => t.name), ['Pareto set', 'mgda', 'mgda', 'pcgrad']);
    assert.deepEqual(lines.map((t) => t.showlegend), [undefined, true, false, true]);
    // Same name, same colour; another name, another.
    const colour = (i: number) => (lines[i].type === 'scatter' ? lines[i].line?.color : undefined);
    assert.equal(colour(1), colour(2));
    assert.notEqual(colour(1), colour(3));
    // One start marker per distinct start, one end marker per path (at its last point, out of the legend).
    const start = fig.data.find((t) => t.name === 'start');
    assert.ok(start && start.type === 'scatter');
    assert.deepEqual(start.x, [0, 2]);
    assert.deepEqual(start.y, [1, 1]);
    const ends = fig.data.filter((t) => t.name?.endsWith(' end'));
    assert.equal(ends.length, 3);
    assert.ok(ends.every((t) => t.showlegend === false));
    assert.deepEqual(ends[1].type === 'scatter' ? [ends[1].x, ends[1].y] : null, [[1.5], [0.2]]);
    // Equal scales on both axes, the surface's extent.
    assert.equal(fig.layout.yaxis?.scaleanchor, 'x');
    assert.deepEqual(fig.layout.xaxis?.range, [0, 2]);
  });

  it('rejects a surface whose rows do not match its coordinates, infinite values and bad level counts', () => {
    const base = { xLabel: 'x', yLabel: 'y' };
    assert.throws(() => landscapeContour({ ...base, surface: { x: [0, 1], y: [0], z: [[0, 1, 2]] } }), ConfigError);
    assert.throws(() => landscapeContour({ ...base, surface: { x: [0, 1], y: [0, 1], z: [[0, 1]] } }), ConfigError);
    assert.throws(() => landscapeContour({ ...base, surface: { x: [0, 1], y: [0], z: [[0, Infinity]] } }), ConfigError);
    assert.throws(() => landscapeContour({ ...base, surface, levels: 1 }), ConfigError);
    assert.throws(() => landscapeContour({ ...base, surface, paths: [{ name: 'a', x: [0, 1], y: [0] }] }), ConfigError);
    // NaN is a gap, not an error.
    landscapeContour({ ...base, surface: { x: [0, 1], y: [0], z: [[0, NaN]] } });
  });
});
