import type { PlotlyFigure, PlotlyTrace } from '../plotly';
import { axis, baseLayout, diagonalTrace, seriesColour } from '../theme';
import { type IntervalBand, bandTrace } from './band';
import { requireInRange, requireNonEmpty } from './checks';
import { fitFigure } from './fit';

export interface RocCurveSeries {
  /** E.g. 'internal test' or 'external test'. */
  name: string;
  /** Operating points from (0, 0) to (1, 1); the output of the metrics' `rocCurve` fits as it is. */
  points: ReadonlyArray<{ fpr: number; tpr: number }>;
  auc?: number;
  /** Confidence interval of the AUC, shown in the legend. */
  aucCi?: { lower: number; upper: number; level?: number };
  /** A pointwise band of TPR over a grid of FPR (e.g. bootstrap percentiles). */
  band?: IntervalBand;
  colour?: string;
}

export interface RocChartInput {
  title?: string;
  curves: RocCurveSeries[];
  width?: number;
  height?: number;
}

function legendName(c: RocCurveSeries): string {
  if (c.auc === undefined) return c.name;
  const auc = `AUC ${c.auc.toFixed(3)}`;
  if (!c.aucCi) return `${c.name} (${auc})`;
  const level = Math.round((c.aucCi.level ?? 0.95) * 100);
  return `${c.name} (${auc}, ${level}% CI ${c.aucCi.lower.toFixed(3)}-${c.aucCi.upper.toFixed(3)})`;
}

/** ROC curves with optional confidence bands and the chance diagonal, on a square unit plot. */
export function rocChart(input: RocChartInput): PlotlyFigure {
  requireNonEmpty(input.curves.length, 'ROC curves');
  const data: PlotlyTrace[] = [];
  input.curves.forEach((c, i) => {
    requireNonEmpty(c.points.length, `ROC curve '${c.name}' points`);
    const fpr = c.points.map((p) => p.fpr);
    const tpr = c.points.map((p) => p.tpr);
    requireInRange(fpr, 0, 1, `ROC curve '${c.name}' fpr`);
    requireInRange(tpr, 0, 1, `ROC curve '${c.name}' tpr`);
    const colour = c.colour ?? seriesColour(i);
    if (c.band) {
      requireInRange(c.band.lower, 0, 1, `ROC curve '${c.name}' band lower`);
      requireInRange(c.band.upper, 0, 1, `ROC curve '${c.name}' band upper`);
      data.push(bandTrace(c.band, colour, c.name, `ROC curve '${c.name}'`));
    }
    data.push({
      type: 'scatter',
      name: legendName(c),
      x: fpr,
      y: tpr,
      mode: 'lines',
      line: { color: colour, width: 2.5 },
      legendgroup: c.name,
      hovertemplate: 'FPR %{x:.3f}<br>TPR %{y:.3f}',
    });
  });
  data.push(diagonalTrace('chance'));
  const layout = baseLayout(input.title, input.width ?? 620, input.height ?? 600);
  layout.xaxis = axis('False positive rate (1 - specificity)', {
    range: [-0.01, 1.01],
    constrain: 'domain',
    dtick: 0.2,
  });
  layout.yaxis = axis('True positive rate (sensitivity)', {
    range: [-0.01, 1.01],
    scaleanchor: 'x',
    scaleratio: 1,
    constrain: 'domain',
    dtick: 0.2,
  });
  layout.legend = { x: 0.98, xanchor: 'right', y: 0.03, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.9)' };
  return fitFigure({ data, layout });
}
