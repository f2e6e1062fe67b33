import { strict as assert } from 'node:assert';
import {
  barChart,
  boxPlot,
  calibrationDiagram,
  confusionMatrix,
  forestPlot,
  landscapeContour,
  FigureRenderer,
  findChromium,
  type FigureTextLayout,
  lineChart,
  type PlotlyFigure,
  rocChart,
  slicePanels,
  type TextBox,
} from '../../lib/plots';

/** A title or label longer than any figure of ours has room for on one line. */
const long = (what: string) => `${what}: a deliberately long label that says far more than fits on one line of the panel`;

const image = (w: number, h: number) => ({ width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => i % 7) });
const mask = (w: number, h: number) => ({ width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => (i % w > w / 3 && i % w < w / 2 && i / w > h / 3 && i / w < h / 2 ? 1 : 0)) });

/** Every figure builder, at its default size, with long titles, axis titles, legend entries and categories. */
const figures: Array<[string, () => PlotlyFigure]> = [
  ['lineChart', () => lineChart({
    title: long('Title'), xLabel: long('x axis'), yLabel: long('y axis'),
    series: [{ name: long('series one'), x: [1, 2, 3], y: [1, 0.5, 0.3] }, { name: 'two', x: [1, 2, 3], y: [0.8, 0.6, 0.2] }],
  })],
  ['lineChart (right axis)', () => lineChart({
    title: long('Title'), xLabel: long('x axis'), yLabel: long('y axis'), yRightLabel: long('right axis'),
    series: [{ name: long('loss'), x: [1, 2, 3], y: [1, 0.5, 0.3] }, { name: long('weight'), x: [1, 2, 3], y: [0.2, 0.4, 0.6], rightAxis: true }],
  })],
  ['rocChart', () => rocChart({
    title: long('Title'),
    curves: [{ name: long('internal test'), points: [{ fpr: 0, tpr: 0 }, { fpr: 0.2, tpr: 0.7 }, { fpr: 1, tpr: 1 }], auc: 0.81, aucCi: { lower: 0.7, upper: 0.9 } }],
  })],
  ['boxPlot', () => boxPlot({
    title: long('Title'), xLabel: long('x axis'), yLabel: long('y axis'),
    series: [{ name: long('model A'), values: [0.5, 0.7, 0.9], categories: [long('internal'), long('internal'), 'external'] }, { name: 'B', values: [0.4, 0.6, 0.8], categories: ['external', 'external', long('internal')] }],
  })],
  ['confusionMatrix', () => confusionMatrix({ title: long('Title'), labels: [long('EGFR wild-type'), 'EGFR mutant'], counts: [[5, 2], [1, 7]] })],
  ['calibrationDiagram', () => calibrationDiagram({
    title: long('Title'),
    series: [{ name: long('internal test'), ece: 0.05, bins: [{ meanPredicted: 0.2, observedRate: 0.25, count: 10 }, { meanPredicted: 0.7, observedRate: 0.6, count: 12 }] }],
  })],
  ['barChart', () => barChart({
    title: long('Title'), xLabel: long('x axis'), yLabel: long('y axis'), categories: [long('multi-task'), 'single-task'],
    series: [{ name: long('Dice'), mean: [0.8, 0.7], sd: [0.05, 0.04] }, { name: 'AUC', mean: [0.7, 0.6], sd: [0.03, 0.02] }],
  })],
  ['slicePanels (1 panel)', () => slicePanels({
    title: long('Validation patients: reference (orange) and predicted (blue) GTV'),
    panels: [{ title: long('case-0001'), image: image(40, 32), overlays: [{ name: long('reference GTV'), mask: mask(40, 32) }] }],
  })],
  ['slicePanels (3 columns)', () => slicePanels({
    title: long('Validation patients'), columns: 3, panelSize: 240, origin: 'lower',
    panels: [0, 1, 2, 3].map((i) => ({
      title: long(`case-000${i} Dice 0.91`), image: image(32, 32),
      overlays: [{ name: 'reference GTV', mask: mask(32, 32), colour: '#e8590c' }, { name: 'predicted GTV', mask: mask(32, 32), colour: '#1c7ed6' }],
    })),
  })],
  ['forestPlot', () => forestPlot({
    title: long('Title'), xLabel: long('Dice difference (variant - reference)'),
    rows: [
      { label: long('mtl · fixed (internal)'), estimate: 0.02, ci: [-0.01, 0.05], group: long('internal') },
      { label: 'mtl · fixed (external)', estimate: -0.03, ci: [-0.08, 0.01], group: 'external' },
    ],
  })],
  ['landscapeContour', () => {
    const grid = Array.from({ length: 21 }, (_, i) => -1 + i / 10);
    return landscapeContour({
      title: long('Title'), xLabel: long('x axis'), yLabel: long('y axis'),
      surface: { x: grid, y: grid, z: grid.map((y) => grid.map((x) => x * x + y * y)), label: long('loss') },
      paths: [{ name: long('CAGrad'), x: [0.9, 0.5, 0.1], y: [0.8, 0.4, 0.05] }],
      front: { name: long('Pareto set'), x: [-0.5, 0.5], y: [0, 0] },
    });
  }],
  ['slicePanels (saliency)', () => slicePanels({
    title: long('Where the model looks'), columns: 3, panelSize: 200,
    panels: [{ title: 'T1c', image: image(32, 32) }, { title: long('Grad-CAM'), image: image(32, 32), heat: { map: mask(32, 32) } }],
  })],
];

/** The texts that must never overlap one another: titles, panel titles, axis titles, legend entries. */
const labelKinds = /^(gtitle|annotation-text|[xy]\d*title|legendtext)$/;

function overlap(a: TextBox, b: TextBox, slack = 1): boolean {
  return a.x + slack < b.x + b.width && b.x + slack < a.x + a.width && a.y + slack < b.y + b.height && b.y + slack < a.y + a.height;
}

/** What is wrong with a drawn figure's text: boxes outside the image, and labels on top of one another. */
function textProblems(t: FigureTextLayout): string[] {
  const problems: string[] = [];
  const describe = (b: TextBox) => `${b.kind} '${b.text.slice(0, 40)}' at [${b.x.toFixed(0)}, ${b.y.toFixed(0)}, ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`;
  for (const b of t.boxes) {
    if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > t.width + 0.5 || b.y + b.height > t.height + 0.5) {
      problems.push(`${describe(b)} leaves the ${t.width}x${t.height} image`);
    }
  }
  const labels = t.boxes.filter((b) => labelKinds.test(b.kind));
  labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => {
    if (overlap(a, b)) problems.push(`${describe(a)} overlaps ${describe(b)}`);
  }));
  // Titles never cover a picture (a slice panel, a heatmap).
  for (const b of t.boxes.filter((x) => /^(gtitle|annotation-text)$/.test(x.kind))) {
    for (const im of t.images) if (overlap(b, im)) problems.push(`${describe(b)} covers an image at [${im.x.toFixed(0)}, ${im.y.toFixed(0)}]`);
  }
  return problems;
}

describe('plots: every figure keeps its text inside the image (Chromium)', function () {
  let renderer: FigureRenderer;
  before(async function () {
    if (!findChromium()) this.skip();
    renderer = await FigureRenderer.launch();
  });
  after(async () => renderer?.close());

  for (const [name, build] of figures) {
    it(`${name}: long titles and labels stay inside and apart`, async () => {
      const layout = await renderer.textLayout(build());
      assert.ok(layout.boxes.some((b) => b.kind === 'gtitle'), 'no title drawn');
      assert.deepEqual(textProblems(layout), []);
    });
  }
});
