/**
 * The subset of Plotly's figure schema that our builders emit, typed here because plotly.js-dist-min ships no types
 * for Node. A figure is plain JSON (no typed arrays, no functions): it travels as a string to the Chromium page that
 * renders it and into the HTML of interactive output.
 */

export interface PlotlyFont {
  family?: string;
  size?: number;
  color?: string;
}

export interface PlotlyTitle {
  text: string;
  font?: PlotlyFont;
  x?: number;
  xanchor?: 'left' | 'center' | 'right';
  y?: number;
  yref?: 'container' | 'paper';
  yanchor?: 'top' | 'middle' | 'bottom';
  standoff?: number;
}

export interface PlotlyAxis {
  title?: PlotlyTitle;
  range?: [number, number];
  autorange?: boolean | 'reversed';
  rangemode?: 'normal' | 'tozero' | 'nonnegative';
  type?: 'linear' | 'log' | 'category';
  domain?: [number, number];
  anchor?: string;
  overlaying?: string;
  side?: 'left' | 'right' | 'top' | 'bottom';
  scaleanchor?: string;
  scaleratio?: number;
  constrain?: 'range' | 'domain';
  visible?: boolean;
  showgrid?: boolean;
  gridcolor?: string;
  zeroline?: boolean;
  showline?: boolean;
  linecolor?: string;
  mirror?: boolean;
  ticks?: '' | 'inside' | 'outside';
  showticklabels?: boolean;
  tickfont?: PlotlyFont;
  tickformat?: string;
  tickvals?: number[];
  ticktext?: string[];
  dtick?: number;
  automargin?: boolean;
  /** Category axes: 'array' orders the categories as `categoryarray` lists them. */
  categoryorder?: 'trace' | 'array';
  categoryarray?: string[];
}

export interface PlotlyLine {
  color?: string;
  width?: number;
  dash?: 'solid' | 'dot' | 'dash' | 'dashdot' | 'longdash';
  shape?: 'linear' | 'hv' | 'vh' | 'spline';
}

export interface PlotlyMarker {
  color?: string;
  size?: number;
  symbol?: string;
  opacity?: number;
  line?: PlotlyLine;
}

/** Properties shared by every trace type we emit. */
interface TraceBase {
  name?: string;
  showlegend?: boolean;
  legendgroup?: string;
  hoverinfo?: string;
  hovertemplate?: string;
  xaxis?: string;
  yaxis?: string;
  opacity?: number;
}

export interface PlotlyErrorBar {
  type: 'data';
  /** False: `array` reaches above the point and `arrayminus` below it. */
  symmetric?: boolean;
  array: number[];
  arrayminus?: number[];
  visible: boolean;
  thickness?: number;
  width?: number;
  color?: string;
}

export interface ScatterTrace extends TraceBase {
  type: 'scatter';
  x: number[];
  /** Numbers, or categories on a category axis (a forest plot's rows). */
  y: number[] | string[];
  mode?: 'lines' | 'markers' | 'lines+markers' | 'none';
  line?: PlotlyLine;
  marker?: PlotlyMarker;
  fill?: 'none' | 'toself' | 'tonexty' | 'tozeroy';
  fillcolor?: string;
  error_y?: PlotlyErrorBar;
  error_x?: PlotlyErrorBar;
  text?: string[];
}

export interface BarTrace extends TraceBase {
  type: 'bar';
  x: Array<string | number>;
  y: number[];
  width?: number;
  marker?: PlotlyMarker;
  error_y?: PlotlyErrorBar;
  text?: string[];
  textposition?: 'inside' | 'outside' | 'auto' | 'none';
  insidetextanchor?: 'start' | 'middle' | 'end';
  textangle?: number;
  textfont?: PlotlyFont;
}

export interface BoxTrace extends TraceBase {
  type: 'box';
  y: number[];
  /** One category per value; boxes with the same category sit side by side when `boxmode` is 'group'. */
  x?: string[];
  boxpoints?: 'all' | 'outliers' | 'suspectedoutliers' | false;
  jitter?: number;
  pointpos?: number;
  boxmean?: boolean | 'sd';
  marker?: PlotlyMarker;
  line?: PlotlyLine;
  fillcolor?: string;
}

/** A colour scale: pairs of (position in [0, 1], colour). */
export type PlotlyColorscale = Array<[number, string]>;

export interface PlotlyColorbar {
  title?: PlotlyTitle;
  thickness?: number;
  len?: number;
  x?: number;
  tickformat?: string;
}

export interface HeatmapTrace extends TraceBase {
  type: 'heatmap';
  /** Rows of values; row 0 is drawn at the bottom unless the y axis is reversed. */
  z: number[][];
  x?: Array<number | string>;
  y?: Array<number | string>;
  zmin?: number;
  zmax?: number;
  colorscale?: PlotlyColorscale;
  showscale?: boolean;
  colorbar?: PlotlyColorbar;
  text?: string[][];
  texttemplate?: string;
  textfont?: PlotlyFont;
  xgap?: number;
  ygap?: number;
}

export interface ContourTrace extends TraceBase {
  type: 'contour';
  z: number[][];
  contours: { start: number; end: number; size: number; coloring: 'lines' | 'fill' | 'none'; showlabels?: boolean };
  line?: PlotlyLine;
  colorscale?: PlotlyColorscale;
  showscale?: boolean;
}

export type PlotlyTrace = ScatterTrace | BarTrace | BoxTrace | HeatmapTrace | ContourTrace;

export interface PlotlyAnnotation {
  text: string;
  x: number;
  y: number;
  xref: string;
  yref: string;
  showarrow: boolean;
  xanchor?: 'left' | 'center' | 'right';
  yanchor?: 'top' | 'middle' | 'bottom';
  font?: PlotlyFont;
}

export interface PlotlyShape {
  type: 'line' | 'rect';
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  xref: string;
  yref: string;
  line?: PlotlyLine;
  layer?: 'above' | 'below';
}

export interface PlotlyLegend {
  x?: number;
  y?: number;
  xanchor?: 'left' | 'center' | 'right';
  yanchor?: 'top' | 'middle' | 'bottom';
  orientation?: 'v' | 'h';
  bgcolor?: string;
  bordercolor?: string;
  borderwidth?: number;
  font?: PlotlyFont;
}

/** Extra axes of multi-panel figures are `xaxis2`, `yaxis3`, ...; Plotly names the first ones `xaxis` and `yaxis`. */
export type PlotlyAxisKey = `xaxis${number}` | `yaxis${number}`;

export interface PlotlyLayout {
  title?: PlotlyTitle;
  width?: number;
  height?: number;
  font?: PlotlyFont;
  margin?: { l?: number; r?: number; t?: number; b?: number; pad?: number };
  paper_bgcolor?: string;
  plot_bgcolor?: string;
  showlegend?: boolean;
  legend?: PlotlyLegend;
  colorway?: string[];
  xaxis?: PlotlyAxis;
  yaxis?: PlotlyAxis;
  annotations?: PlotlyAnnotation[];
  shapes?: PlotlyShape[];
  barmode?: 'group' | 'stack' | 'overlay';
  boxmode?: 'group' | 'overlay';
  bargap?: number;
  hovermode?: 'closest' | 'x' | 'x unified' | false;
  [axis: PlotlyAxisKey]: PlotlyAxis | undefined;
}

export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}
