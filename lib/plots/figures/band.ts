import type { ScatterTrace } from '../plotly';
import { withAlpha } from '../theme';
import { requireNoInfinity, requireSameLength } from './checks';

/** A shaded interval around a curve: lower and upper values at each x (a confidence band, mean +/- sd over seeds). */
export interface IntervalBand {
  x: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
}

/**
 * The band as one closed polygon (upper edge left to right, lower edge back), filled and without an outline. One
 * trace, unlike Plotly's 'tonexty' pairs, so it can never fill against an unrelated neighbouring trace.
 */
export function bandTrace(band: IntervalBand, colour: string, legendgroup: string, what: string): ScatterTrace {
  requireSameLength(band.x, band.lower, `${what} band x and lower`);
  requireSameLength(band.x, band.upper, `${what} band x and upper`);
  requireNoInfinity(band.lower, `${what} band lower`);
  requireNoInfinity(band.upper, `${what} band upper`);
  const x = Array.from(band.x);
  return {
    type: 'scatter',
    x: [...x, ...x.slice().reverse()],
    y: [...Array.from(band.upper), ...Array.from(band.lower).reverse()],
    mode: 'lines',
    fill: 'toself',
    fillcolor: withAlpha(colour, 0.18),
    line: { width: 0, color: colour },
    hoverinfo: 'skip',
    showlegend: false,
    legendgroup,
  };
}
