import { ConfigError } from '../errors';
import type { PlotlyAxis, PlotlyLayout, PlotlyTrace } from './plotly';

/**
 * The Okabe-Ito palette (minus its yellow, unreadable on white): distinguishable with the common colour-vision
 * deficiencies and in greyscale print, which matters for figures that end up in papers.
 */
export const palette: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** The colour of the i-th series, cycling through the palette. */
export function seriesColour(i: number): string {
  return palette[i % palette.length];
}

/** DejaVu Sans is the font kernel-setup installs, so PNGs look the same on every machine. */
export const fontFamily = 'DejaVu Sans, Arial, sans-serif';

export const fontSizes = { base: 14, title: 18, axisTitle: 15, tick: 13 } as const;

const gridColour = '#e3e3e3';
const axisLineColour = '#444444';

/** `#rrggbb` with an alpha, for translucent bands and fills. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new ConfigError(`colour must be #rrggbb, got '${hex}'`);
  if (!(alpha >= 0 && alpha <= 1)) throw new ConfigError(`alpha must lie in [0, 1], got ${alpha}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** An axis with a title, light grid and a dark base line: the look every builder shares. */
export function axis(title: string | undefined, extra: PlotlyAxis = {}): PlotlyAxis {
  return {
    ...(title === undefined ? {} : { title: { text: title, font: { size: fontSizes.axisTitle }, standoff: 8 } }),
    showgrid: true,
    gridcolor: gridColour,
    zeroline: false,
    showline: true,
    linecolor: axisLineColour,
    ticks: 'outside',
    tickfont: { size: fontSizes.tick },
    automargin: true,
    ...extra,
  };
}

/** The layout every builder starts from: white background, readable fonts, a left-aligned title. */
export function baseLayout(title: string | undefined, width: number, height: number): PlotlyLayout {
  return {
    ...(title === undefined
      ? {}
      : { title: { text: title, font: { size: fontSizes.title }, x: 0.02, xanchor: 'left' as const } }),
    width,
    height,
    font: { family: fontFamily, size: fontSizes.base, color: '#222222' },
    margin: { l: 70, r: 30, t: title === undefined ? 30 : 60, b: 60 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    colorway: [...palette],
    hovermode: 'closest',
  };
}

/** The dashed grey y = x line of a unit square (ROC chance, perfect calibration), named for the legend. */
export function diagonalTrace(name: string): PlotlyTrace {
  return {
    type: 'scatter',
    name,
    x: [0, 1],
    y: [0, 1],
    mode: 'lines',
    line: { color: '#888888', width: 1.5, dash: 'dash' },
    hoverinfo: 'skip',
  };
}

/**
 * The width of a text in the figure font, estimated without a browser: DejaVu Sans averages about 0.5 em a character
 * in words (measured in Chromium: 0.48 em over a sentence); 0.56 em leaves room for capitals and digits. Markup
 * (`<b>`) takes no room.
 */
export function textWidthPx(text: string, fontPx: number): number {
  return text.replace(/<[^>]+>/g, '').length * fontPx * 0.56;
}

/** Line height of wrapped Plotly text, in pixels. */
export function lineHeightPx(fontPx: number): number {
  return Math.ceil(fontPx * 1.3);
}

/**
 * `text` broken into lines (joined by Plotly's `<br>`) of at most `maxPx` at `fontPx`, at spaces; a single word
 * longer than a line stays whole. Existing `<br>`s are kept.
 */
export function wrapText(text: string, maxPx: number, fontPx: number): string {
  return text
    .split(/<br\s*\/?>/i)
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(' ')) {
        const candidate = line === '' ? word : `${line} ${word}`;
        if (line !== '' && textWidthPx(candidate, fontPx) > maxPx) {
          lines.push(line);
          line = word;
        } else {
          line = candidate;
        }
      }
      lines.push(line);
      return lines.join('<br>');
    })
    .join('<br>');
}

/** How many lines a text wrapped by `wrapText` has. */
export function lineCount(text: string): number {
  return text.split(/<br\s*\/?>/i).length;
}
