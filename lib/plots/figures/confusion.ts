import { ConfigError } from '../../errors';
import type { PlotlyFigure } from '../plotly';
import { axis, baseLayout } from '../theme';
import { requireNonEmpty } from './checks';
import { fitFigure } from './fit';

export interface ConfusionMatrixInput {
  title?: string;
  /** Class names, e.g. ['EGFR wild-type', 'EGFR mutant']. */
  labels: readonly string[];
  /** counts[t][p]: cases of true class t predicted as class p. */
  counts: ReadonlyArray<ArrayLike<number>>;
  width?: number;
  height?: number;
}

/**
 * A confusion matrix as a heatmap. Colour is the fraction of each true class (row), so a rare class is as readable as
 * a common one; each cell also prints its count and that fraction.
 */
export function confusionMatrix(input: ConfusionMatrixInput): PlotlyFigure {
  const k = input.labels.length;
  requireNonEmpty(k, 'confusion matrix labels');
  if (input.counts.length !== k || input.counts.some((row) => row.length !== k)) {
    throw new ConfigError(`confusion matrix: counts must be ${k}x${k} to match the labels`);
  }
  const counts = input.counts.map((row) => Array.from(row));
  for (const row of counts) {
    for (const c of row) {
      if (!(Number.isInteger(c) && c >= 0)) throw new ConfigError(`confusion matrix: count ${c} is not a count`);
    }
  }
  const fractions = counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (total === 0 ? 0 : c / total));
  });
  const text = counts.map((row, t) => row.map((c, p) => `${c}<br>(${(fractions[t][p] * 100).toFixed(0)}%)`));
  const labels = [...input.labels];
  const side = 170 + 120 * k;
  const layout = baseLayout(input.title, input.width ?? side + 120, input.height ?? side);
  layout.xaxis = axis('Predicted class', { showgrid: false, showline: false, ticks: '', side: 'bottom' });
  layout.yaxis = axis('True class', {
    showgrid: false,
    showline: false,
    ticks: '',
    autorange: 'reversed',
    scaleanchor: 'x',
    constrain: 'domain',
  });
  return fitFigure({
    data: [
      {
        type: 'heatmap',
        z: fractions,
        x: labels,
        y: labels,
        zmin: 0,
        zmax: 1,
        colorscale: [
          [0, '#f7fbff'],
          [0.5, '#6baed6'],
          [1, '#08306b'],
        ],
        text,
        texttemplate: '%{text}',
        textfont: { size: 16 },
        hovertemplate: 'true %{y}<br>predicted %{x}<br>%{text}<extra></extra>',
        colorbar: {
          title: { text: 'fraction of<br>true class', font: { size: 13 } },
          thickness: 14,
          tickformat: '.0%',
        },
        xgap: 2,
        ygap: 2,
      },
    ],
    layout,
  });
}
