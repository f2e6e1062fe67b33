import type { PlotlyFigure, PlotlyTrace } from '../plotly';
import { axis, baseLayout, seriesColour } from '../theme';
import { type IntervalBand, bandTrace } from './band';
import { requireNoInfinity, requireNonEmpty, requireSameLength, toArray } from './checks';
import { fitFigure } from './fit';

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Drawn against the right-hand axis (e.g. task weights beside losses). */
  rightAxis?: boolean;
  dash?: 'solid' | 'dot' | 'dash' | 'dashdot';
  colour?: string;
  /** A shaded interval around the line (e.g. mean +/- sd over seeds). */
  band?: Omit<IntervalBand, 'x'> & { x?: ArrayLike<number> };
  markers?: boolean;
}

export interface LineChartInput {
  title?: string;
  xLabel: string;
  yLabel: string;
  /** Needed when any series uses the right-hand axis. */
  yRightLabel?: string;
  series: LineSeries[];
  logY?: boolean;
  width?: number;
  height?: number;
}

/** Curves over a shared x axis: losses per epoch, learned task weights over steps, metrics per epoch. */
export function lineChart(input: LineChartInput): PlotlyFigure {
  requireNonEmpty(input.series.length, 'line chart series');
  const data: PlotlyTrace[] = [];
  input.series.forEach((s, i) => {
    requireSameLength(s.x, s.y, `series '${s.name}' x and y`);
    requireNoInfinity(s.y, `series '${s.name}' y`);
    const colour = s.colour ?? seriesColour(i);
    const yaxis = s.rightAxis ? 'y2' : 'y';
    if (s.band) {
      const band = bandTrace({ x: s.band.x ?? s.x, lower: s.band.lower, upper: s.band.upper }, colour, s.name, s.name);
      data.push({ ...band, yaxis });
    }
    data.push({
      type: 'scatter',
      name: s.name,
      x: toArray(s.x),
      y: toArray(s.y),
      mode: s.markers ? 'lines+markers' : 'lines',
      line: { color: colour, width: 2.2, dash: s.dash ?? 'solid' },
      marker: { color: colour, size: 6 },
      legendgroup: s.name,
      yaxis,
    });
  });
  const usesRight = input.series.some((s) => s.rightAxis);
  const layout = baseLayout(input.title, input.width ?? 800, input.height ?? 480);
  layout.xaxis = axis(input.xLabel);
  layout.yaxis = axis(input.yLabel, input.logY ? { type: 'log' } : {});
  if (usesRight) {
    layout.yaxis2 = axis(input.yRightLabel, { overlaying: 'y', side: 'right', showgrid: false });
  }
  // With two y axes a legend inside the plot would cover one of them, so it moves below.
  layout.legend = usesRight
    ? { orientation: 'h', x: 0, y: -0.18, yanchor: 'top' }
    : { x: 1, xanchor: 'right', y: 1, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.85)' };
  return fitFigure({ data, layout });
}
