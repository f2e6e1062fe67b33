import type { PlotlyAxis, PlotlyColorbar, PlotlyFigure, PlotlyLayout, PlotlyTrace } from '../plotly';
import { fontSizes, lineCount, lineHeightPx, textWidthPx, wrapText } from '../theme';

/**
 * Makes a built figure's text fit its size: the title, axis titles, legend entries and category labels are wrapped
 * onto lines that fit the space they have, and the top margin grows with the title's lines (Plotly never wraps text:
 * a long title runs out of the image, a long legend entry pushes the legend past the left edge). Every builder
 * returns its figure through here; tests/plots/fit.test.ts draws each with long labels and checks the boxes.
 */
export interface FitOptions {
  /** Grow the figure's height by what the title's extra lines take, instead of shrinking the plot (image panels). */
  growHeight?: boolean;
}

/** Space kept above the title, in pixels. */
const titleTopPx = 12;
/** Space between the title's last line and the plot, in pixels. */
const titleGapPx = 24;

function axisEntries(layout: PlotlyLayout): Array<[string, PlotlyAxis]> {
  return Object.entries(layout).filter(
    (e): e is [string, PlotlyAxis] => /^[xy]axis\d*$/.test(e[0]) && e[1] !== undefined && typeof e[1] === 'object',
  );
}

function span(axis: PlotlyAxis): number {
  return axis.domain ? axis.domain[1] - axis.domain[0] : 1;
}

export function fitFigure(figure: PlotlyFigure, options: FitOptions = {}): PlotlyFigure {
  const layout: PlotlyLayout = { ...figure.layout };
  const width = layout.width ?? 800;
  let height = layout.height ?? 500;
  const margin = { l: 70, r: 30, t: 30, b: 60, ...layout.margin };
  if (layout.title) {
    const size = layout.title.font?.size ?? fontSizes.title;
    const x = layout.title.x ?? 0.02;
    const text = wrapText(layout.title.text, width * (1 - x) - 16, size);
    const needed = Math.ceil(titleTopPx + lineCount(text) * lineHeightPx(size) + titleGapPx);
    if (needed > margin.t) {
      if (options.growHeight) height += needed - margin.t;
      margin.t = needed;
    }
    // Plotly anchors a one-line title by its box but a multi-line one by its first baseline, whatever `yanchor` says
    // (measured with plotly.js 4: the first line's top lands 0.25 em, respectively 0.95 em, above `y`).
    const drop = (lineCount(text) > 1 ? 0.95 : 0.25) * size;
    layout.title = { ...layout.title, text, y: 1 - (titleTopPx + drop) / height, yref: 'container', yanchor: 'top' };
  }
  const below = belowLegend(figure, width - margin.l - margin.r);
  if (below) margin.b = Math.max(margin.b, below.marginBottom);
  layout.height = height;
  layout.margin = margin;
  // A vertical legend at Plotly's default place, right of the plot, takes its width from the plot: its entries wrap
  // to a quarter of the figure.
  const named = figure.data.filter((t) => t.name !== undefined && t.showlegend !== false);
  const legendShown = layout.showlegend ?? named.length > 1;
  const outside = legendShown && layout.legend?.x === undefined && layout.legend?.orientation !== 'h';
  const legendFont = layout.legend?.font?.size ?? fontSizes.base;
  const outsidePx = width * 0.25;
  const outsideTaken = outside
    ? 50 + Math.max(0, ...named.map((t) => Math.min(outsidePx, textWidthPx(t.name ?? '', legendFont))))
    : 0;
  // A colour bar (heatmaps, contours) takes its width from the plot too; its title wraps to about that width.
  const data: PlotlyTrace[] = figure.data.map((t) => ({ ...t }));
  const colourBarPx = 110;
  let colourBars = 0;
  for (const t of data) {
    if ((t.type === 'heatmap' || t.type === 'contour') && t.showscale !== false) {
      colourBars++;
      const bar = (t as { colorbar?: PlotlyColorbar }).colorbar;
      if (bar?.title) {
        const size = bar.title.font?.size ?? fontSizes.tick;
        (t as { colorbar?: PlotlyColorbar }).colorbar = { ...bar, title: { ...bar.title, text: wrapText(bar.title.text, colourBarPx - 10, size) } };
      }
    }
  }
  const plotW = width - margin.l - margin.r - outsideTaken - (colourBars > 0 ? colourBarPx : 0);
  const plotH = height - margin.t - margin.b;
  if (below && layout.legend) layout.legend = { ...layout.legend, y: -below.offset / plotH, yanchor: 'top' };
  // Axes tied at one scale (scaleanchor) shrink to the shorter side, as square plots (ROC, landscapes) do.
  const axes = axisEntries(layout);
  const tied = axes.some(([, a]) => a.scaleanchor !== undefined);
  for (const [key, axis] of axes) {
    const vertical = key.startsWith('y');
    const side = tied ? Math.min(plotW, plotH) : vertical ? plotH : plotW;
    const length = side * span(axis);
    const next: PlotlyAxis = { ...axis };
    if (axis.title) {
      const size = axis.title.font?.size ?? fontSizes.axisTitle;
      next.title = { ...axis.title, text: wrapText(axis.title.text, length * 0.95, size) };
    }
    const room = vertical ? Math.max(120, width * 0.3) : length;
    const wrapped = wrapCategories(data, key, vertical, room, axis.categoryarray);
    if (axis.categoryarray) next.categoryarray = axis.categoryarray.map((c) => (typeof c === 'string' ? (wrapped.get(c) ?? c) : c));
    // Tick labels given as text (tickvals with ticktext) wrap like categories.
    if (axis.ticktext) {
      const each = vertical ? room : (room / Math.max(1, axis.ticktext.length)) * 0.9;
      next.ticktext = axis.ticktext.map((t) => wrapText(t, each, axis.tickfont?.size ?? fontSizes.tick));
    }
    (layout as Record<string, unknown>)[key] = next;
  }
  // A legend inside the plot may take most of its width (it covers curves, but stays inside); one below it, all.
  const horizontal = layout.legend?.orientation === 'h';
  const legendPx = outside ? outsidePx : (horizontal ? plotW : plotW * 0.85) - 40;
  for (const t of data) if (t.name !== undefined) t.name = wrapText(t.name, legendPx, legendFont);
  return { data, layout };
}

/**
 * A horizontal legend below the plot (y < 0) goes below the x axis' tick labels and (wrapped) title, which Plotly does
 * not do by itself, and the bottom margin grows to hold its rows. Returns the offset below the plot and that margin,
 * in pixels; undefined for any other legend.
 */
function belowLegend(figure: PlotlyFigure, plotW: number): { offset: number; marginBottom: number } | undefined {
  const legend = figure.layout.legend;
  if (!legend || legend.orientation !== 'h' || !(legend.y !== undefined && legend.y < 0)) return undefined;
  const x = figure.layout.xaxis;
  const titleSize = x?.title?.font?.size ?? fontSizes.axisTitle;
  const titleLines = x?.title ? lineCount(wrapText(x.title.text, plotW * 0.95, titleSize)) : 0;
  const offset = 30 + titleLines * lineHeightPx(titleSize) + 10;
  const size = legend.font?.size ?? fontSizes.base;
  const entries = figure.data.filter((t) => t.name !== undefined && t.showlegend !== false);
  // Each entry: its symbol (40 px) and its text, wrapped to the width; Plotly fills rows left to right.
  const entryPx = entries.map((t) => 40 + Math.min(plotW - 40, textWidthPx(t.name ?? '', size)));
  let rows = entries.length > 0 ? 1 : 0;
  let used = 0;
  for (const w of entryPx) {
    if (used > 0 && used + w > plotW) {
      rows++;
      used = 0;
    }
    used += w;
  }
  const entryLines = Math.max(1, ...entries.map((t) => lineCount(wrapText(t.name ?? '', plotW - 40, size))));
  return { offset, marginBottom: Math.ceil(offset + rows * entryLines * lineHeightPx(size) + 12) };
}

/**
 * Category labels (string values, and the axis' categoryarray) of an axis wrapped to fit: along a horizontal axis of
 * `room` pixels each gets its share of it, beside a vertical one each may take `room`. The same category gets the same
 * wrapped name in every trace and in the order, so the categories stay the same; returns the renaming.
 */
function wrapCategories(
  data: PlotlyTrace[],
  axisKey: string,
  vertical: boolean,
  room: number,
  categoryArray: ReadonlyArray<unknown> = [],
): Map<string, string> {
  const ref = axisKey.replace('axis', '');
  const field = vertical ? 'y' : 'x';
  const onAxis = data
    .filter((t) => ((vertical ? t.yaxis : t.xaxis) ?? (vertical ? 'y' : 'x')) === ref)
    // Only the two coordinate arrays are read and replaced here, whatever the trace type.
    .map((t) => t as unknown as Record<'x' | 'y', unknown>);
  const categories = new Set<string>();
  for (const t of onAxis) {
    const values = t[field];
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') categories.add(v);
  }
  for (const c of categoryArray) if (typeof c === 'string') categories.add(c);
  if (categories.size === 0) return new Map();
  const each = vertical ? room : (room / categories.size) * 0.9;
  const wrapped = new Map([...categories].map((c) => [c, wrapText(c, each, fontSizes.tick)]));
  for (const t of onAxis) {
    const values = t[field];
    if (Array.isArray(values)) {
      t[field] = values.map((v) => (typeof v === 'string' ? wrapped.get(v) : v));
    }
  }
  return wrapped;
}
