import { existsSync, promises as fs } from 'node:fs';
import { dirname, extname } from 'node:path';
import { BackendError, ConfigError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import type { PlotlyFigure } from './plotly';

/**
 * Figures to PNG and SVG through Plotly running in Debian's Chromium, driven by playwright-core (which never downloads
 * a browser of its own). Launching costs seconds and a figure a fraction of one, so one renderer renders many figures
 * on one page; close it when done.
 */

export type ImageFormat = 'png' | 'svg';

export interface ImageOptions {
  /** CSS pixels; default: the figure's layout width, else 800. */
  width?: number;
  /** CSS pixels; default: the figure's layout height, else 500. */
  height?: number;
  /** Device pixels per CSS pixel for PNG (default 2, crisp on high-density screens and in print). */
  scale?: number;
}

/** One drawn piece of text and its box in CSS pixels from the figure's top left corner. */
export interface TextBox {
  text: string;
  /** What Plotly draws it as: 'gtitle' (the figure title), 'xtitle', 'ytitle', 'annotation-text', 'legendtext', 'xtick'... */
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a figure's texts land when drawn at its size: for checking that titles and labels fit their panels. */
export interface FigureTextLayout {
  width: number;
  height: number;
  boxes: TextBox[];
  /** The drawn raster images (heatmaps, slice panels), as boxes of kind 'image'. */
  images: TextBox[];
}

export interface RendererOptions {
  /** The Chromium binary; default: $EGFR_GTV_CHROMIUM, else Debian's /usr/bin/chromium. */
  executablePath?: string;
}

/** Chromium's flags for a closed network: without the background-networking ones it keeps trying to phone home. */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const chromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The few playwright-core calls made here, typed locally. Its own typings are about 2 MB, which tslab's type checker
 * would otherwise parse whenever a notebook imports the library; the module name is therefore a variable, which
 * TypeScript does not follow.
 */
interface Page {
  addScriptTag(options: { path: string }): Promise<unknown>;
  evaluate<R>(expression: string): Promise<R>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
}
const playwrightCore = 'playwright-core';

/** The Chromium binary to use, or undefined when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.EGFR_GTV_CHROMIUM;
  if (fromEnv) return fromEnv;
  return chromiumCandidates.find((p) => existsSync(p));
}

/** The image format a file name asks for. */
export function imageFormatOfPath(path: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.svg') return 'svg';
  throw new ConfigError(`unknown image format '${ext}': use .png or .svg`, path);
}

/**
 * JSON that is also safe inside an HTML <script> element. Fractions keep 6 significant digits (float32 image data
 * holds about 7, and no figure shows more), which makes a slice panel's JSON about a third of its full length; the PNG
 * and the interactive figure are drawn from this same text.
 */
export function scriptSafeJson(value: unknown): string {
  const compact = (_key: string, v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
  return JSON.stringify(value, compact).replace(/</g, '\\u003c');
}

export class FigureRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async launch(options: RendererOptions = {}): Promise<FigureRenderer> {
    const executablePath = options.executablePath ?? findChromium();
    if (executablePath === undefined || !existsSync(executablePath)) {
      throw new BackendError(
        "Chromium is not installed: run 'bash kernel-setup/install.sh' or set EGFR_GTV_CHROMIUM",
        executablePath ?? chromiumCandidates[0],
      );
    }
    const { chromium } = (await import(playwrightCore)) as PlaywrightCore;
    const browser = await chromium.launch({ executablePath, args: [...chromiumArgs] });
    try {
      const page = await browser.newPage();
      await page.addScriptTag({ path: require.resolve('plotly.js-dist-min') });
      return new FigureRenderer(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** The figure as PNG bytes. */
  async png(figure: PlotlyFigure, options: ImageOptions = {}): Promise<Buffer> {
    const url = await this.toImage(figure, 'png', options);
    const prefix = 'data:image/png;base64,';
    if (!url.startsWith(prefix)) throw new ConfigError(`Plotly returned no PNG: ${url.slice(0, 40)}`);
    return Buffer.from(url.slice(prefix.length), 'base64');
  }

  /** The figure as an SVG document. */
  async svg(figure: PlotlyFigure, options: ImageOptions = {}): Promise<string> {
    const url = await this.toImage(figure, 'svg', options);
    const prefix = 'data:image/svg+xml,';
    if (!url.startsWith(prefix)) throw new ConfigError(`Plotly returned no SVG: ${url.slice(0, 40)}`);
    return decodeURIComponent(url.slice(prefix.length));
  }

  /** Writes the figure to `path` (.png or .svg), atomically, creating the folder; returns the path. */
  async save(figure: PlotlyFigure, path: string, options: ImageOptions = {}): Promise<string> {
    const format = imageFormatOfPath(path);
    const bytes = format === 'png' ? await this.png(figure, options) : await this.svg(figure, options);
    await fs.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    return path;
  }

  /** Draws the figure at its size (as `png` and `svg` do) and returns the box of every text it drew. */
  async textLayout(figure: PlotlyFigure, options: Omit<ImageOptions, 'scale'> = {}): Promise<FigureTextLayout> {
    const width = options.width ?? figure.layout.width ?? 800;
    const height = options.height ?? figure.layout.height ?? 500;
    const layout = { ...figure.layout, width, height };
    const script = `(async () => {
      const div = document.createElement('div');
      div.style.cssText = 'position:absolute;left:0;top:0;width:${width}px;height:${height}px';
      document.body.appendChild(div);
      await Plotly.newPlot(div, ${scriptSafeJson(figure.data)}, ${scriptSafeJson(layout)}, { staticPlot: true });
      // Plotly moves some texts (multi-line titles) a frame after drawing them.
      for (let i = 0; i < 2; i++) await new Promise((done) => requestAnimationFrame(done));
      const origin = div.getBoundingClientRect();
      const boxes = [...div.querySelectorAll('text')].flatMap((t) => {
        const r = t.getBoundingClientRect();
        const text = (t.textContent || '').trim();
        if (!text || r.width === 0 || r.height === 0) return [];
        const kind = t.getAttribute('class') || (t.parentNode && t.parentNode.getAttribute('class')) || '';
        return [{ text, kind, x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height }];
      });
      const images = [...div.querySelectorAll('image')].map((im) => {
        const r = im.getBoundingClientRect();
        return { text: '', kind: 'image', x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height };
      });
      Plotly.purge(div);
      div.remove();
      return JSON.stringify({ boxes, images });
    })()`;
    const { boxes, images } = JSON.parse(await this.page.evaluate<string>(script)) as { boxes: TextBox[]; images: TextBox[] };
    return { width, height, boxes, images };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  private async toImage(figure: PlotlyFigure, format: ImageFormat, options: ImageOptions): Promise<string> {
    const width = options.width ?? figure.layout.width ?? 800;
    const height = options.height ?? figure.layout.height ?? 500;
    const scale = format === 'png' ? (options.scale ?? 2) : 1;
    for (const [name, v] of [['width', width], ['height', height], ['scale', scale]] as const) {
      if (!(v > 0 && Number.isFinite(v))) throw new ConfigError(`image ${name} must be a positive number, got ${v}`);
    }
    // A string, not a function: the library is compiled without the DOM types that a page function would need.
    const script = `Plotly.toImage(${scriptSafeJson(figure)}, ${JSON.stringify({ format, width, height, scale })})`;
    try {
      return await this.page.evaluate<string>(script);
    } catch (err) {
      // Plotly itself draws almost anything it is given; what fails here is the browser (crashed, or closed).
      const title = figure.layout.title?.text;
      throw new BackendError(
        `Chromium could not render the figure${title ? ` '${title}'` : ''}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
  }
}

/** Launches a renderer, runs `work` with it and always closes it. */
export async function withFigureRenderer<T>(
  work: (renderer: FigureRenderer) => Promise<T>,
  options: RendererOptions = {},
): Promise<T> {
  const renderer = await FigureRenderer.launch(options);
  try {
    return await work(renderer);
  } finally {
    await renderer.close();
  }
}
