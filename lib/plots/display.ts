import { readFileSync } from 'node:fs';
import type { Display } from 'tslab';
import type { PlotlyFigure } from './plotly';
import { FigureRenderer, type ImageOptions, scriptSafeJson } from './render';

/**
 * Showing figures in a tslab notebook. A PNG by default: small (tens of KB), visible in any viewer and in executed
 * notebooks stored by CI. Interactive HTML on request (`{ interactive: true }`, or EGFR_GTV_INTERACTIVE=1 for every
 * figure): it embeds plotly.js, about 4.8 MB per figure.
 */

export interface ShowOptions extends ImageOptions {
  interactive?: boolean;
}

/** What a figure is shown on: tslab's display in a notebook, anything with the same two methods in tests. */
export type FigureSink = Pick<Display, 'png' | 'html'>;

let shared: Promise<FigureRenderer> | undefined;

/** The renderer every notebook cell shares, launched on first use (Chromium starts in about 3 s, once per kernel). */
function sharedRenderer(): Promise<FigureRenderer> {
  if (!shared) {
    shared = FigureRenderer.launch();
    // A failed launch (e.g. Chromium missing) must not be remembered: the next call tries again.
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}

/** Closes the shared renderer; a later `showFigure` launches a new one. */
export async function closeSharedRenderer(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current).close();
}

/** Whether figures are interactive unless a call says otherwise. */
export function interactiveByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.EGFR_GTV_INTERACTIVE === '1';
}

async function tslabDisplay(): Promise<Display> {
  const tslab = await import('tslab');
  return tslab.display;
}

let plotlySource: string | undefined;

/**
 * A self-contained HTML fragment that draws the figure with plotly.js (which sets `window.Plotly`). plotly.js is
 * embedded, not fetched from a CDN, because these machines have no network.
 */
export function figureHtml(figure: PlotlyFigure, options: ImageOptions = {}): string {
  plotlySource ??= readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  const width = options.width ?? figure.layout.width ?? 800;
  const height = options.height ?? figure.layout.height ?? 500;
  const id = `egfr-gtv-plot-${Math.random().toString(36).slice(2, 12)}`;
  return [
    `<div id="${id}" style="width:${width}px;height:${height}px"></div>`,
    `<script>${plotlySource.replace(/<\/script/gi, '<\\/script')}</script>`,
    `<script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptSafeJson(figure.data)}, ${scriptSafeJson(figure.layout)},`,
    ` {responsive: true, displaylogo: false});</script>`,
  ].join('\n');
}

/** Shows a figure in the notebook: a PNG, or interactive HTML on request. */
export async function showFigure(figure: PlotlyFigure, options: ShowOptions = {}, sink?: FigureSink): Promise<void> {
  const target = sink ?? (await tslabDisplay());
  if (options.interactive ?? interactiveByDefault()) {
    target.html(figureHtml(figure, options));
    return;
  }
  const renderer = await sharedRenderer();
  target.png(await renderer.png(figure, options));
}

/**
 * Writes a figure to `path` (.png or .svg, atomically) with the renderer the notebook's figures share, so saving costs
 * no second browser launch; returns the path.
 */
export async function saveFigure(figure: PlotlyFigure, path: string, options: ImageOptions = {}): Promise<string> {
  const renderer = await sharedRenderer();
  return renderer.save(figure, path, options);
}

/**
 * A figure that redraws in place, for curves that grow while a cell runs (live training loss). Each `update` replaces
 * the previous picture in the same output instead of appending a new one.
 */
export class LiveFigure {
  private sink: FigureSink | undefined;

  constructor(
    private readonly options: ShowOptions = {},
    sink?: FigureSink,
  ) {
    this.sink = sink;
  }

  async update(figure: PlotlyFigure): Promise<void> {
    if (!this.sink) {
      const tslab = await import('tslab');
      this.sink = tslab.newDisplay();
    }
    await showFigure(figure, this.options, this.sink);
  }
}
