import type { PlotlyFigure } from '../plotly';
import { axis, baseLayout, seriesColour } from '../theme';
import { requireNonEmpty } from './checks';
import { fitFigure } from './fit';

/** One estimate with its interval: a row of the forest plot. */
export interface ForestRow {
  /** The row's label, e.g. 'mtl · fixed (internal)'. */
  label: string;
  estimate: number;
  ci: [number, number];
  /** Rows with the same group share a colour and a legend entry, e.g. the test set. */
  group?: string;
}

export interface ForestPlotInput {
  title?: string;
  /** The quantity along x, e.g. 'Dice difference (variant - reference)'. */
  xLabel: string;
  rows: ForestRow[];
  /** Where "no difference" lies (drawn as a vertical line). Default 0. */
  nullValue?: number;
  width?: number;
  height?: number;
}

/** Estimates with their 95% intervals, one row each, around the line of no difference: the picture of a comparison table. */
export function forestPlot(input: ForestPlotInput): PlotlyFigure {
  requireNonEmpty(input.rows.length, 'forest plot rows');
  const groups = [...new Set(input.rows.map((r) => r.group ?? ''))];
  // Top to bottom in the order given: plotly's category y axis runs upwards, so the labels are reversed.
  const order = input.rows.map((r) => r.label).reverse();
  const data = groups.map((g, i) => {
    const rows = input.rows.filter((r) => (r.group ?? '') === g);
    return {
      type: 'scatter' as const,
      mode: 'markers' as const,
      name: g || 'estimate',
      x: rows.map((r) => r.estimate),
      y: rows.map((r) => r.label),
      marker: { color: seriesColour(i), size: 10, symbol: 'square' },
      error_x: {
        type: 'data' as const,
        symmetric: false,
        array: rows.map((r) => r.ci[1] - r.estimate),
        arrayminus: rows.map((r) => r.estimate - r.ci[0]),
        thickness: 2,
        width: 6,
        color: seriesColour(i),
        visible: true,
      },
      hovertemplate: `%{y}: %{x:.3f}<extra>${g}</extra>`,
    };
  });
  const nullValue = input.nullValue ?? 0;
  const layout = baseLayout(input.title, input.width ?? 760, input.height ?? Math.max(320, 140 + 42 * input.rows.length));
  layout.xaxis = axis(input.xLabel, { zeroline: false });
  layout.yaxis = axis(undefined, { type: 'category', categoryorder: 'array', categoryarray: order, automargin: true, showgrid: false });
  layout.shapes = [{ type: 'line', xref: 'x', yref: 'paper', x0: nullValue, x1: nullValue, y0: 0, y1: 1, line: { color: '#555555', width: 1.5, dash: 'dash' } }];
  layout.showlegend = groups.length > 1 || groups[0] !== '';
  return fitFigure({ data, layout });
}
