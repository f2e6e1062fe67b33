import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError, ConfigError } from '../../lib/errors';
import {
  closeSharedRenderer,
  FigureRenderer,
  figureHtml,
  findChromium,
  imageFormatOfPath,
  LiveFigure,
  lineChart,
  type PlotlyFigure,
  saveFigure,
  showFigure,
  slicePanels,
} from '../../lib/plots';
import { RecordingSink } from './sink';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which always follows the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(pngSignature), 'not a PNG');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const figure: PlotlyFigure = lineChart({
  title: 'a <b>test</b> figure',
  xLabel: 'epoch',
  yLabel: 'loss',
  series: [{ name: 'loss', x: [1, 2, 3], y: [1, 0.5, 0.3] }],
  width: 400,
  height: 300,
});

describe('plots: figure HTML and formats (no browser)', () => {
  it('imageFormatOfPath: .png and .svg, anything else is a ConfigError naming the file', () => {
    assert.equal(imageFormatOfPath('a/b.PNG'), 'png');
    assert.equal(imageFormatOfPath('b.svg'), 'svg');
    assert.throws(() => imageFormatOfPath('c.jpg'), (e: Error) => e instanceof ConfigError && /c\.jpg/.test(e.message));
  });

  it('figureHtml: embeds plotly.js and the figure, with no way for data to close the script element', () => {
    const html = figureHtml({ ...figure, layout: { ...figure.layout, title: { text: '</script><b>x' } } });
    assert.ok(html.length > 1_000_000, 'plotly.js is embedded');
    assert.match(html, /Plotly\.newPlot\("egfr-gtv-plot-[a-z0-9]+"/);
    assert.ok(!html.includes('</script><b>x'));
    assert.ok(html.includes('\\u003c/script>\\u003cb>x'));
  });

  it('showFigure with interactive: true sends HTML and starts no browser', async () => {
    const sink = new RecordingSink();
    await showFigure(figure, { interactive: true }, sink);
    assert.equal(sink.htmls.length, 1);
    assert.equal(sink.pngs.length, 0);
  });

  it('FigureRenderer.launch: a missing Chromium is a BackendError naming the path', async () => {
    await assert.rejects(
      FigureRenderer.launch({ executablePath: '/nonexistent/chromium' }),
      (e: Error) => e instanceof BackendError && /\/nonexistent\/chromium/.test(e.message),
    );
  });
});

const chromium = findChromium();

describe('plots: rendering through Chromium', function () {
  let renderer: FigureRenderer;
  let dir: string;

  before(async function () {
    if (!chromium) {
      console.log('    (skipped: no Chromium; `bash kernel-setup/install.sh` installs it)');
      this.skip();
    }
    renderer = await FigureRenderer.launch();
    dir = mkdtempSync(join(tmpdir(), 'egfr-gtv-plots-'));
  });

  after(async () => {
    if (renderer) await renderer.close();
    await closeSharedRenderer();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a PNG of the requested size times the scale, atomically, creating the folder', async () => {
    const path = join(dir, 'sub', 'loss.png');
    assert.equal(await renderer.save(figure, path, { scale: 2 }), path);
    const png = readFileSync(path);
    assert.deepEqual(pngSize(png), { width: 800, height: 600 });
    assert.ok(png.length > 5000, `a real picture, not a blank: ${png.length} bytes`);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['loss.png'], 'no temporary file left behind');
  });

  it('writes an SVG document with the title text in it', async () => {
    const path = join(dir, 'loss.svg');
    await renderer.save(figure, path);
    const svg = readFileSync(path, 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /width="400"/);
    assert.ok(svg.includes('test'), 'the title is drawn');
  });

  it('renders many figures on one page, including multi-panel slices', async () => {
    const image = { width: 16, height: 12, data: Array.from({ length: 192 }, (_, i) => i % 16) };
    const mask = { width: 16, height: 12, data: Array.from({ length: 192 }, (_, i) => (i % 16 > 8 ? 1 : 0)) };
    const slices = slicePanels({ panels: [{ title: 'a', image, overlays: [{ name: 'm', mask }] }, { image }] });
    for (let i = 0; i < 3; i++) {
      const size = pngSize(await renderer.png(slices, { scale: 1 }));
      assert.equal(size.width, slices.layout.width);
    }
  });

  it('showFigure sends a PNG by default; LiveFigure keeps sending to its one sink', async () => {
    const sink = new RecordingSink();
    await showFigure(figure, { scale: 1 }, sink);
    assert.equal(sink.pngs.length, 1);
    assert.deepEqual(pngSize(Buffer.from(sink.pngs[0])), { width: 400, height: 300 });
    const live = new LiveFigure({ scale: 1 }, sink);
    await live.update(figure);
    await live.update(figure);
    assert.equal(sink.pngs.length, 3);
  });

  it('saveFigure writes through the shared renderer', async () => {
    const path = join(dir, 'shared', 'loss.svg');
    assert.equal(await saveFigure(figure, path), path);
    assert.match(readFileSync(path, 'utf8'), /^<svg/);
    assert.ok(!existsSync(`${path}.tmp`));
  });

  // Last, because it closes the renderer the tests above share (a browser launch is the expensive part).
  it('rendering on a closed renderer is a BackendError naming the figure', async () => {
    await renderer.close();
    await assert.rejects(
      renderer.png(figure),
      (e: Error) => e instanceof BackendError && /'a <b>test<\/b> figure'/.test(e.message),
    );
  });
});
