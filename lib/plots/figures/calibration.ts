import type { PlotlyFigure, PlotlyTrace } from '../plotly';
import { axis, baseLayout, diagonalTrace, seriesColour, withAlpha } from '../theme';
import { requireInRange, requireNonEmpty } from './checks';
import { fitFigure } from './fit';

/** One probability bin: the mean predicted probability of its cases, the observed positive rate, and the case count. */
export interface CalibrationBin {
  meanPredicted: number;
  observedRate: number;
  count: number;
}

export interface CalibrationSeries {
  name: string;
  /** Non-empty bins, in order of predicted probability. */
  bins: readonly CalibrationBin[];
  /** Expected calibration error, shown in the legend when given. */
  ece?: number;
  colour?: string;
}

export interface CalibrationInput {
  title?: string;
  series: CalibrationSeries[];
  width?: number;
  height?: number;
}

/**
 * A reliability diagram: observed positive rate against mean predicted probability per bin, the diagonal of perfect
 * calibration, and below it the number of cases per bin (a point resting on three cases means little).
 */
export function calibrationDiagram(input: CalibrationInput): PlotlyFigure {
  requireNonEmpty(input.series.length, 'calibration series');
  const data: PlotlyTrace[] = [diagonalTrace('perfect calibration')];
  input.series.forEach((s, i) => {
    requireNonEmpty(s.bins.length, `calibration series '${s.name}' bins`);
    const x = s.bins.map((b) => b.meanPredicted);
    const y = s.bins.map((b) => b.observedRate);
    requireInRange(x, 0, 1, `calibration series '${s.name}' meanPredicted`);
    requireInRange(y, 0, 1, `calibration series '${s.name}' observedRate`);
    const colour = s.colour ?? seriesColour(i);
    const name = s.ece === undefined ? s.name : `${s.name} (ECE ${s.ece.toFixed(3)})`;
    data.push({
      type: 'scatter',
      name,
      x,
      y,
      mode: 'lines+markers',
      line: { color: colour, width: 2.2 },
      marker: { color: colour, size: 8 },
      legendgroup: s.name,
      text: s.bins.map((b) => `${b.count} cases`),
      hovertemplate: 'predicted %{x:.2f}<br>observed %{y:.2f}<br>%{text}',
    });
    data.push({
      type: 'bar',
      name: `${s.name} cases`,
      x,
      y: s.bins.map((b) => b.count),
      marker: { color: withAlpha(colour, 0.55), line: { color: colour, width: 1 } },
      legendgroup: s.name,
      showlegend: false,
      xaxis: 'x',
      yaxis: 'y2',
    });
  });
  const layout = baseLayout(input.title, input.width ?? 620, input.height ?? 700);
  layout.xaxis = axis('Mean predicted probability', { range: [0, 1], dtick: 0.2, anchor: 'y2' });
  layout.yaxis = axis('Observed positive rate', { range: [0, 1], dtick: 0.2, domain: [0.3, 1] });
  layout.yaxis2 = axis('Cases', { domain: [0, 0.2], rangemode: 'tozero' });
  layout.barmode = 'group';
  layout.legend = { x: 0.02, xanchor: 'left', y: 0.98, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.9)' };
  return fitFigure({ data, layout });
}
