import { strict as assert } from 'node:assert';
import {
  figureJsonHtml,
  figureMode,
  interactiveByDefault,
  interactiveFigureHtml,
  lineChart,
  processAncestry,
  resendPlotly,
  showFigure,
  slicePanels,
} from '../../lib/plots';
import { scriptSafeJson } from '../../lib/plots/render';
import { RecordingSink } from './sink';

const figure = lineChart({ title: 'losses', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'loss', x: [1, 2, 3], y: [1, 0.5, 0.3] }] });

describe('plots: figures in a notebook, interactive or PNG (no browser)', () => {
  it('figureMode: interactive under a Jupyter server a browser talks to, PNG headless; the environment decides first', () => {
    const notebookServer = ['bash /repo/kernel-setup/tslab-kernel', '/usr/bin/python3 /usr/bin/jupyter-notebook --no-browser'];
    const lab = ['/usr/bin/python3 -m jupyterlab --port 8888'];
    const headless = ['/usr/bin/python3 kernel-setup/run-notebooks.py --output-dir x nb.ipynb', 'bash scripts/notebooks.sh'];
    const nbconvert = ['/usr/bin/python3 /usr/bin/jupyter-nbconvert --to notebook --execute nb.ipynb'];
    assert.equal(figureMode({}, notebookServer), 'interactive');
    assert.equal(figureMode({}, lab), 'interactive');
    assert.equal(figureMode({}, headless), 'png');
    assert.equal(figureMode({}, nbconvert), 'png');
    assert.equal(figureMode({}, []), 'png');
    assert.equal(figureMode({ JPY_SESSION_NAME: '/repo/notebooks/00.ipynb' }, []), 'interactive');
    assert.equal(figureMode({ EGFR_GTV_FIGURES: 'png' }, notebookServer), 'png');
    assert.equal(figureMode({ EGFR_GTV_FIGURES: 'interactive' }, headless), 'interactive');
    assert.equal(figureMode({ EGFR_GTV_INTERACTIVE: '1' }, headless), 'interactive');
    assert.equal(figureMode({ EGFR_GTV_INTERACTIVE: '0' }, notebookServer), 'png');
    assert.equal(interactiveByDefault({}, lab), true);
    // This test's own ancestry: mocha under npx or a shell, no Jupyter server.
    assert.ok(processAncestry().length > 0);
    assert.equal(figureMode({}), 'png');
  });

  it('sends plotly.js with the first interactive figure of a session only, then each figure as its JSON', async () => {
    resendPlotly();
    const sink = new RecordingSink();
    await showFigure(figure, { interactive: true }, sink);
    await showFigure(figure, { interactive: true }, sink);
    assert.equal(sink.pngs.length, 0);
    const [first, second] = sink.htmls;
    assert.ok(first.length > 1_000_000, 'plotly.js came with the first figure');
    assert.ok(second.length < 20_000, `the second figure took ${second.length} bytes`);
    assert.ok(!second.includes('<script>/**'), 'plotly.js sent twice');
    // Both draw the same spec, with the Plotly in the page.
    const json = scriptSafeJson(figure.data);
    assert.ok(first.includes(json) && second.includes(json));
    assert.match(second, /window\.Plotly\.newPlot\(el, data, layout/);
    resendPlotly();
    assert.ok(interactiveFigureHtml(figure).length > 1_000_000, 'resendPlotly sends it again');
    assert.ok(interactiveFigureHtml(figure).length < 20_000);
  });

  it('a figure as JSON: script-safe, and tens of KB for a 128x128 slice panel', () => {
    const html = figureJsonHtml({ ...figure, layout: { ...figure.layout, title: { text: '</script><b>x' } } });
    assert.ok(!html.includes('</script><b>x'));
    const image = { width: 128, height: 128, data: Float32Array.from({ length: 128 * 128 }, (_, i) => Math.sin(i) * 0.123456789) };
    const panel = figureJsonHtml(slicePanels({ panels: [{ title: 'T1c', image }] }));
    assert.ok(panel.length < 200_000, `${panel.length} bytes`);
    // Six significant digits survive.
    assert.ok(panel.includes(String(Number((Math.sin(1) * 0.123456789).toPrecision(6)))));
  });
});
