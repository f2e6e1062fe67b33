import { ConfigError } from '../../errors';
import type { PlotlyFigure } from '../plotly';
import { axis, baseLayout, seriesColour, withAlpha } from '../theme';
import { requireNoInfinity, requireNonEmpty, requireSameLength, toArray } from './checks';
import { fitFigure } from './fit';

export interface BoxSeries {
  /** Legend entry (e.g. a model); with no categories, also the box's label on the x axis. */
  name: string;
  values: ArrayLike<number>;
  /** One category per value (e.g. 'internal' / 'external'): each series then gets a box per category, side by side. */
  categories?: readonly string[];
  colour?: string;
}

export interface BoxPlotInput {
  title?: string;
  xLabel?: string;
  yLabel: string;
  series: BoxSeries[];
  /** Fixed y range, e.g. [0, 1] for Dice. */
  yRange?: [number, number];
  /** Draw every value beside its box (default true: with tens of cases the points say more than the box). */
  showPoints?: boolean;
  width?: number;
  height?: number;
}

/** Box plots of per-case values (Dice, HD95, ...), with the mean marked and the individual cases shown. */
export function boxPlot(input: BoxPlotInput): PlotlyFigure {
  requireNonEmpty(input.series.length, 'box plot series');
  const grouped = input.series.some((s) => s.categories !== undefined);
  if (grouped && input.series.some((s) => s.categories === undefined)) {
    throw new ConfigError('box plot: either every series has categories or none has');
  }
  const showPoints = input.showPoints ?? true;
  const data = input.series.map((s, i) => {
    requireNoInfinity(s.values, `box series '${s.name}'`);
    if (s.categories) requireSameLength(s.values, s.categories, `box series '${s.name}' values and categories`);
    const colour = s.colour ?? seriesColour(i);
    const y = toArray(s.values);
    return {
      type: 'box' as const,
      name: s.name,
      y,
      x: s.categories ? [...s.categories] : y.map(() => s.name),
      boxpoints: showPoints ? ('all' as const) : ('outliers' as const),
      jitter: 0.35,
      pointpos: 0,
      boxmean: true,
      marker: { color: colour, size: 5, opacity: 0.7 },
      line: { color: colour, width: 1.8 },
      fillcolor: withAlpha(colour, 0.15),
    };
  });
  const layout = baseLayout(input.title, input.width ?? 760, input.height ?? 480);
  layout.xaxis = axis(input.xLabel, { showgrid: false, type: 'category' });
  layout.yaxis = axis(input.yLabel, input.yRange ? { range: input.yRange } : {});
  // Grouping would shift each lone box off its own category's centre.
  layout.boxmode = grouped ? 'group' : 'overlay';
  layout.showlegend = grouped;
  return fitFigure({ data, layout });
}
