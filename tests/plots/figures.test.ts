import { strict as assert } from 'node:assert';
import { ConfigError } from '../../lib/errors';
import {
  barChart,
  boxPlot,
  calibrationDiagram,
  confusionMatrix,
  lineChart,
  type PlotlyFigure,
  type PlotlyTrace,
  rocChart,
  slicePanels,
  withAlpha,
} from '../../lib/plots';

/** Every figure must survive JSON unchanged: it travels as JSON to the browser and into notebook HTML. */
function assertPlainJson(fig: PlotlyFigure): void {
  assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
}

function traces<T extends PlotlyTrace['type']>(fig: PlotlyFigure, type: T): Extract<PlotlyTrace, { type: T }>[] {
  return fig.data.filter((t): t is Extract<PlotlyTrace, { type: T }> => t.type === type);
}

describe('plots: figure builders', () => {
  it('lineChart: one trace per series, a band as one closed polygon, right axis only when asked', () => {
    const fig = lineChart({
      title: 'losses',
      xLabel: 'epoch',
      yLabel: 'loss',
      yRightLabel: 'weight',
      series: [
        {
          name: 'seg',
          x: [1, 2, 3],
          y: new Float32Array([0.9, 0.5, 0.25]),
          band: { lower: [0.8, 0.4, 0.2], upper: [1, 0.6, 0.3] },
        },
        { name: 'w', x: [1, 2, 3], y: [1, 1.2, 1.3], rightAxis: true },
      ],
    });
    assertPlainJson(fig);
    const lines = traces(fig, 'scatter');
    assert.equal(lines.length, 3);
    const band = lines[0];
    assert.equal(band.fill, 'toself');
    assert.deepEqual(band.x, [1, 2, 3, 3, 2, 1]);
    assert.deepEqual(band.y, [1, 0.6, 0.3, 0.2, 0.4, 0.8]);
    assert.deepEqual(lines[1].y, [0.8999999761581421, 0.5, 0.25]);
    assert.equal(lines[2].yaxis, 'y2');
    assert.equal(fig.layout.yaxis2?.overlaying, 'y');
    assert.equal(fig.layout.yaxis2?.title?.text, 'weight');
    assert.equal(fig.layout.title?.text, 'losses');
    const single = lineChart({ xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [0], y: [1] }] });
    assert.equal(single.layout.yaxis2, undefined);
  });

  it('lineChart: rejects mismatched lengths and infinities with ConfigError', () => {
    const one = (x: number[], y: number[]) => lineChart({ xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x, y }] });
    assert.throws(() => one([1, 2], [1]), ConfigError);
    assert.throws(() => one([1], [Infinity]), /infinite/);
    assert.throws(() => lineChart({ xLabel: 'x', yLabel: 'y', series: [] }), /empty/);
  });

  it('rocChart: curves with AUC and CI in the legend, a band, the chance line and a square unit plot', () => {
    const fig = rocChart({
      curves: [
        {
          name: 'internal',
          points: [
            { fpr: 0, tpr: 0 },
            { fpr: 0.2, tpr: 0.7 },
            { fpr: 1, tpr: 1 },
          ],
          auc: 0.8,
          aucCi: { lower: 0.7, upper: 0.9, level: 0.95 },
          band: { x: [0, 0.5, 1], lower: [0, 0.6, 1], upper: [0.1, 0.9, 1] },
        },
        { name: 'external', points: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
      ],
    });
    assertPlainJson(fig);
    const lines = traces(fig, 'scatter');
    assert.equal(lines.length, 4);
    assert.equal(lines[1].name, 'internal (AUC 0.800, 95% CI 0.700-0.900)');
    assert.deepEqual(lines[1].x, [0, 0.2, 1]);
    assert.equal(lines[2].name, 'external');
    assert.equal(lines[3].name, 'chance');
    assert.equal(fig.layout.yaxis?.scaleanchor, 'x');
    assert.throws(() => rocChart({ curves: [{ name: 'bad', points: [{ fpr: 1.5, tpr: 0 }] }] }), /outside \[0, 1\]/);
  });

  it('boxPlot: grouped by category when categories are given, centred boxes otherwise', () => {
    const grouped = boxPlot({
      yLabel: 'Dice',
      series: [
        { name: 'multi-task', values: [0.8, 0.7, 0.6], categories: ['internal', 'internal', 'external'] },
        { name: 'seg-only', values: [0.7, 0.6], categories: ['internal', 'external'] },
      ],
    });
    assertPlainJson(grouped);
    const boxes = traces(grouped, 'box');
    assert.equal(boxes.length, 2);
    assert.deepEqual(boxes[0].x, ['internal', 'internal', 'external']);
    assert.equal(grouped.layout.boxmode, 'group');
    assert.equal(grouped.layout.showlegend, true);
    const plain = boxPlot({ yLabel: 'Dice', series: [{ name: 'a', values: [1, 2] }] });
    assert.deepEqual(traces(plain, 'box')[0].x, ['a', 'a']);
    assert.equal(plain.layout.boxmode, 'overlay');
    const mixed = [{ name: 'a', values: [1], categories: ['c'] }, { name: 'b', values: [1] }];
    assert.throws(() => boxPlot({ yLabel: 'y', series: mixed }), ConfigError);
    const short = [{ name: 'a', values: [1, 2], categories: ['c'] }];
    assert.throws(() => boxPlot({ yLabel: 'y', series: short }), /lengths differ/);
  });

  it('confusionMatrix: colour is the row fraction, text the count and percentage, true class top to bottom', () => {
    const fig = confusionMatrix({ labels: ['wild-type', 'mutant'], counts: [[3, 1], [0, 0]] });
    assertPlainJson(fig);
    const [heat] = traces(fig, 'heatmap');
    assert.deepEqual(heat.z, [[0.75, 0.25], [0, 0]]);
    assert.deepEqual(heat.text, [['3<br>(75%)', '1<br>(25%)'], ['0<br>(0%)', '0<br>(0%)']]);
    assert.equal(fig.layout.yaxis?.autorange, 'reversed');
    assert.throws(() => confusionMatrix({ labels: ['a', 'b'], counts: [[1, 2]] }), /2x2/);
    assert.throws(() => confusionMatrix({ labels: ['a'], counts: [[0.5]] }), /not a count/);
  });

  it('calibrationDiagram: the diagonal, one curve per series and its case counts on a lower panel', () => {
    const fig = calibrationDiagram({
      series: [
        {
          name: 'internal',
          ece: 0.05,
          bins: [
            { meanPredicted: 0.2, observedRate: 0.25, count: 8 },
            { meanPredicted: 0.7, observedRate: 0.6, count: 5 },
          ],
        },
      ],
    });
    assertPlainJson(fig);
    const lines = traces(fig, 'scatter');
    assert.equal(lines[0].name, 'perfect calibration');
    assert.equal(lines[1].name, 'internal (ECE 0.050)');
    assert.deepEqual(lines[1].y, [0.25, 0.6]);
    const [counts] = traces(fig, 'bar');
    assert.deepEqual(counts.y, [8, 5]);
    assert.equal(counts.yaxis, 'y2');
    assert.throws(
      () => calibrationDiagram({ series: [{ name: 'x', bins: [{ meanPredicted: 0.5, observedRate: 2, count: 1 }] }] }),
      /observedRate/,
    );
  });

  it('barChart: grouped bars with sd error bars; a NaN mean leaves an empty, unlabelled slot', () => {
    const fig = barChart({
      yLabel: 'score',
      categories: ['multi-task', 'seg-only'],
      series: [
        { name: 'Dice', mean: [0.8, 0.75], sd: [0.02, 0.03] },
        { name: 'AUC', mean: [0.7, NaN], sd: [0.05, 0] },
      ],
    });
    const bars = traces(fig, 'bar');
    assert.equal(bars.length, 2);
    assert.deepEqual(bars[0].error_y?.array, [0.02, 0.03]);
    assert.deepEqual(bars[1].text, ['0.700', '']);
    assert.equal(fig.layout.barmode, 'group');
    assert.throws(
      () => barChart({ yLabel: 'y', categories: ['a'], series: [{ name: 's', mean: [1], sd: [-1] }] }),
      /negative/,
    );
    const short = [{ name: 's', mean: [1], sd: [0] }];
    assert.throws(() => barChart({ yLabel: 'y', categories: ['a', 'b'], series: short }), /lengths/);
  });

  it('slicePanels: rows of pixels x fastest, square voxels, one legend entry per overlay name, axes per panel', () => {
    const image = { width: 3, height: 2, data: new Float32Array([0, 1, 2, 3, 4, 5]) };
    const mask = { width: 3, height: 2, data: new Uint8Array([0, 1, 1, 0, 0, 1]) };
    const fig = slicePanels({
      title: 'cases',
      columns: 2,
      panels: [
        { title: 'a', image, overlays: [{ name: 'GTV', mask, fillOpacity: 0.3 }], window: [0, 5] },
        { title: 'b', image, overlays: [{ name: 'GTV', mask }] },
        { image },
      ],
    });
    assertPlainJson(fig);
    const heat = traces(fig, 'heatmap');
    assert.deepEqual(heat[0].z, [[0, 1, 2], [3, 4, 5]]);
    assert.equal(heat[0].zmin, 0);
    assert.equal(heat[0].zmax, 5);
    assert.deepEqual(heat[1].z, [[0, 1, 1], [0, 0, 1]], 'the fill of the first overlay');
    const contours = traces(fig, 'contour');
    assert.equal(contours.length, 2);
    assert.deepEqual(contours.map((c) => c.showlegend), [true, false]);
    assert.equal(contours[1].xaxis, 'x2');
    assert.equal(fig.layout.yaxis3?.scaleanchor, 'x3');
    assert.deepEqual(fig.layout.yaxis?.range, [1.5, -0.5], 'row 0 at the top by default');
    assert.deepEqual(fig.layout.annotations?.map((a) => a.text), ['a', 'b']);
    const [x0, x1] = fig.layout.xaxis?.domain ?? [0, 0];
    const [x20] = fig.layout.xaxis2?.domain ?? [0, 0];
    assert.ok(x0 === 0 && x1 < x20 && x20 < 1, 'second panel to the right of the first');
    assert.throws(() => slicePanels({ panels: [{ image: { width: 2, height: 2, data: [1, 2, 3] } }] }), /3 values/);
    const tall = { width: 2, height: 3, data: [0, 0, 0, 0, 0, 0] };
    const misfit = [{ image, overlays: [{ name: 'm', mask: tall }] }];
    assert.throws(() => slicePanels({ panels: misfit }), /overlay 'm' is 2x3/);
  });

  it('withAlpha: converts #rrggbb and rejects other notations', () => {
    assert.equal(withAlpha('#0072B2', 0.5), 'rgba(0,114,178,0.5)');
    assert.throws(() => withAlpha('red', 0.5), ConfigError);
    assert.throws(() => withAlpha('#000000', 2), ConfigError);
  });
});
