import { ConfigError } from '../../errors';
import type { PlotlyFigure } from '../plotly';
import { axis, baseLayout, seriesColour } from '../theme';
import { requireNoInfinity, requireNonEmpty, requireSameLength, toArray } from './checks';
import { fitFigure } from './fit';

export interface BarSeries {
  /** Legend entry, e.g. a metric ('Dice', 'AUC') or a weighting strategy. */
  name: string;
  /** One mean per category. */
  mean: ArrayLike<number>;
  /** One standard deviation per category (over seeds or folds), drawn as a symmetric error bar. */
  sd: ArrayLike<number>;
  colour?: string;
}

export interface BarChartInput {
  title?: string;
  xLabel?: string;
  yLabel: string;
  /** The groups along the x axis, e.g. model variants. */
  categories: readonly string[];
  series: BarSeries[];
  yRange?: [number, number];
  /** Print the mean above each bar (default true). */
  showValues?: boolean;
  width?: number;
  height?: number;
}

/** Grouped bars of mean +/- sd: the picture of a results table such as the ablation's. */
export function barChart(input: BarChartInput): PlotlyFigure {
  requireNonEmpty(input.categories.length, 'bar chart categories');
  requireNonEmpty(input.series.length, 'bar chart series');
  const showValues = input.showValues ?? true;
  const data = input.series.map((s, i) => {
    requireSameLength(input.categories, s.mean, `bar series '${s.name}' categories and mean`);
    requireSameLength(input.categories, s.sd, `bar series '${s.name}' categories and sd`);
    requireNoInfinity(s.mean, `bar series '${s.name}' mean`);
    const sd = toArray(s.sd);
    sd.forEach((v, j) => {
      if (v < 0) throw new ConfigError(`bar series '${s.name}' sd[${j}] = ${v} is negative`);
    });
    const colour = s.colour ?? seriesColour(i);
    const mean = toArray(s.mean);
    return {
      type: 'bar' as const,
      name: s.name,
      x: [...input.categories],
      y: mean,
      marker: { color: colour },
      error_y: { type: 'data' as const, array: sd, visible: true, thickness: 1.5, width: 5, color: '#333333' },
      // A missing mean (NaN: e.g. no Dice for a classifier-only model) leaves its slot empty and unlabelled.
      text: showValues ? mean.map((m) => (Number.isNaN(m) ? '' : m.toFixed(3))) : undefined,
      // At the foot of the bar, inside it: at the top the value would collide with the error bar.
      textposition: showValues ? ('inside' as const) : undefined,
      insidetextanchor: 'start' as const,
      textangle: 0,
      textfont: { size: 12 },
      hovertemplate: `${s.name}<br>%{x}: %{y:.3f} +/- %{error_y.array:.3f}<extra></extra>`,
    };
  });
  const defaultWidth = Math.max(640, 120 + 60 * input.categories.length * input.series.length);
  const layout = baseLayout(input.title, input.width ?? defaultWidth, input.height ?? 480);
  layout.xaxis = axis(input.xLabel, { showgrid: false, type: 'category' });
  layout.yaxis = axis(input.yLabel, input.yRange ? { range: input.yRange } : { rangemode: 'tozero' });
  layout.barmode = 'group';
  layout.bargap = 0.25;
  layout.showlegend = input.series.length > 1;
  return fitFigure({ data, layout });
}
