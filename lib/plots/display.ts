import { readFileSync } from 'node:fs';
import type { Display } from 'tslab';
import type { PlotlyFigure } from './plotly';
import { FigureRenderer, type ImageOptions, scriptSafeJson } from './render';

/**
 * Showing figures in a tslab notebook, from one figure spec either way:
 * - interactive (the default in a live notebook, one opened in Jupyter's browser front end): plotly.js (about 4.8 MB)
 *   goes to the page once per kernel session, with the first figure; every figure after it is its JSON (a few KB to
 *   tens of KB) and a few lines that draw it with the page's Plotly;
 * - PNG (the default when the notebook runs headless, as CI and scripts/notebooks.sh run it, and outside Jupyter):
 *   rendered by Chromium, small and visible in any viewer and in stored executed notebooks.
 * `showFigure(fig, { interactive: false })` asks for a PNG, `{ interactive: true }` for the interactive figure;
 * EGFR_GTV_FIGURES=png|interactive sets the default for every figure (EGFR_GTV_INTERACTIVE=1 still means interactive).
 */

export type FigureMode = 'interactive' | 'png';

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

/**
 * The command lines of this process's ancestors, nearest first (Linux /proc; empty elsewhere): a notebook kernel's
 * are its launcher's and then the Jupyter process that started it.
 */
export function processAncestry(maxDepth = 8): string[] {
  const out: string[] = [];
  let pid = process.ppid;
  for (let i = 0; i < maxDepth && pid > 1; i++) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name in parentheses (which may hold spaces): state, then the parent's pid.
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** A Jupyter server with a browser front end (classic Notebook, JupyterLab, NbClassic, jupyter_server). */
const liveServer = /(^|[\s/])(jupyter-notebook|jupyter-lab|jupyter-nbclassic|jupyter-server)(\s|$)|-m\s+(notebook|jupyterlab|nbclassic|jupyter_server)\b/;

/**
 * How figures are shown unless a call says: EGFR_GTV_FIGURES (png or interactive), else EGFR_GTV_INTERACTIVE=1,
 * else interactive when the kernel runs under a Jupyter server that a browser talks to (an ancestor process is one,
 * or the server named the session: JPY_SESSION_NAME), else PNG (headless runs through nbclient or nbconvert, scripts,
 * tests).
 */
export function figureMode(env: NodeJS.ProcessEnv = process.env, ancestry?: string[]): FigureMode {
  const forced = env.EGFR_GTV_FIGURES;
  if (forced === 'png' || forced === 'interactive') return forced;
  if (env.EGFR_GTV_INTERACTIVE === '1') return 'interactive';
  if (env.EGFR_GTV_INTERACTIVE === '0') return 'png';
  if (env.JPY_SESSION_NAME) return 'interactive';
  ancestorsCache ??= processAncestry();
  return (ancestry ?? ancestorsCache).some((cmd) => liveServer.test(cmd)) ? 'interactive' : 'png';
}

/** A process's ancestors do not change: read them once. */
let ancestorsCache: string[] | undefined;

/** Whether figures are interactive unless a call says otherwise (see `figureMode`). */
export function interactiveByDefault(env: NodeJS.ProcessEnv = process.env, ancestry?: string[]): boolean {
  return figureMode(env, ancestry) === 'interactive';
}

async function tslabDisplay(): Promise<Display> {
  const tslab = await import('tslab');
  return tslab.display;
}

let plotlySource: string | undefined;

function plotlyScript(): string {
  plotlySource ??= readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  return `<script>${plotlySource.replace(/<\/script/gi, '<\\/script')}</script>`;
}

function figureSize(figure: PlotlyFigure, options: ImageOptions): { width: number; height: number } {
  return { width: options.width ?? figure.layout.width ?? 800, height: options.height ?? figure.layout.height ?? 500 };
}

function plotId(): string {
  return `egfr-gtv-plot-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * A self-contained HTML fragment that draws the figure with plotly.js (which sets `window.Plotly`). plotly.js is
 * embedded, not fetched from a CDN, because these machines have no network. For a file or a report; a notebook
 * sends plotly.js once instead (`figureJsonHtml`).
 */
export function figureHtml(figure: PlotlyFigure, options: ImageOptions = {}): string {
  const { width, height } = figureSize(figure, options);
  const id = plotId();
  return [
    `<div id="${id}" style="width:${width}px;height:${height}px"></div>`,
    plotlyScript(),
    `<script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptSafeJson(figure.data)}, ${scriptSafeJson(figure.layout)},`,
    ` {responsive: true, displaylogo: false});</script>`,
  ].join('\n');
}

/**
 * The figure as its JSON and a few lines that draw it with the Plotly already in the page (sent by an earlier
 * output); it waits up to 5 s for it, then says what to do instead of staying blank.
 */
export function figureJsonHtml(figure: PlotlyFigure, options: ImageOptions = {}): string {
  const { width, height } = figureSize(figure, options);
  const id = plotId();
  return [
    `<div id="${id}" class="egfr-gtv-figure" style="width:${width}px;height:${height}px"></div>`,
    '<script>(function () {',
    `  var data = ${scriptSafeJson(figure.data)}, layout = ${scriptSafeJson(figure.layout)}, tries = 0;`,
    '  function draw() {',
    `    var el = document.getElementById(${JSON.stringify(id)});`,
    '    if (!el) return;',
    '    if (window.Plotly) { window.Plotly.newPlot(el, data, layout, {responsive: true, displaylogo: false}); return; }',
    '    if (++tries < 100) { setTimeout(draw, 50); return; }',
    "    el.textContent = 'plotly.js is not in this page (it comes with the first interactive figure of a kernel session): '",
    "      + 'run resendPlotly() from egfr-gtv/plots and this cell again, or show the figure with { interactive: false }';",
    '  }',
    '  draw();',
    '})();</script>',
  ].join('\n');
}

/** Whether this kernel session has sent plotly.js to the page yet. */
let plotlySent = false;

/** Sends plotly.js again with the next interactive figure (after reloading the page, or clearing the first output). */
export function resendPlotly(): void {
  plotlySent = false;
}

/** What an interactive figure sends: plotly.js the first time in a kernel session, then the figure's JSON only. */
export function interactiveFigureHtml(figure: PlotlyFigure, options: ImageOptions = {}): string {
  const head = plotlySent ? '' : `${plotlyScript()}\n`;
  plotlySent = true;
  return head + figureJsonHtml(figure, options);
}

/** Shows a figure in the notebook: interactive or PNG, as `figureMode` or the call's `interactive` says. */
export async function showFigure(figure: PlotlyFigure, options: ShowOptions = {}, sink?: FigureSink): Promise<void> {
  const target = sink ?? (await tslabDisplay());
  if (options.interactive ?? interactiveByDefault()) {
    target.html(interactiveFigureHtml(figure, options));
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
