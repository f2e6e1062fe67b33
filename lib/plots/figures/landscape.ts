import type { ContourTrace, PlotlyColorbar, PlotlyFigure, PlotlyTrace } from '../plotly';
import { axis, baseLayout, seriesColour } from '../theme';
import { requireNoInfinity, requireNonEmpty, requireSameLength, toArray } from './checks';
import { fitFigure } from './fit';
import { ConfigError } from '../../errors';

/** One optimisation path over the landscape; paths with the same name share a colour and one legend entry. */
export interface LandscapePath {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  colour?: string;
  dash?: 'solid' | 'dot' | 'dash' | 'dashdot';
}

export interface LandscapeInput {
  title?: string;
  xLabel: string;
  yLabel: string;
  /** The surface: z[j][i] is its value at (x[i], y[j]). */
  surface: { x: ArrayLike<number>; y: ArrayLike<number>; z: ArrayLike<number>[]; label?: string };
  /** Number of contour levels between the surface's smallest and largest value (default 24). */
  levels?: number;
  paths?: LandscapePath[];
  /** A curve drawn under the paths (a Pareto set), in grey. */
  front?: { name: string; x: ArrayLike<number>; y: ArrayLike<number> };
  /** Mark each path's first point with a black dot (the starts) and its last with a cross (default true). */
  endpoints?: boolean;
  width?: number;
  height?: number;
}

/** The contour trace with the coordinates and colour bar Plotly takes (plotly.ts types the part the builders share). */
interface CoordinateContour extends ContourTrace {
  x: number[];
  y: number[];
  colorbar?: PlotlyColorbar;
}

/** A pale blue-to-sand scale, light enough for coloured paths to stand out on it. */
const paleScale: Array<[number, string]> = [
  [0, '#dbe9f6'],
  [0.5, '#f7f7f7'],
  [1, '#f3e3c3'],
];

/**
 * Filled contours of a 2-D surface (a loss landscape) with optimisation paths drawn on it, their starts and ends, and
 * optionally a front (the Pareto set); equal scales on both axes.
 */
export function landscapeContour(input: LandscapeInput): PlotlyFigure {
  const { surface } = input;
  requireNonEmpty(surface.x.length, 'landscape x');
  requireNonEmpty(surface.y.length, 'landscape y');
  if (surface.z.length !== surface.y.length) throw new ConfigError(`landscape z: ${surface.z.length} rows for ${surface.y.length} y values`);
  const z = surface.z.map((row, j) => {
    requireSameLength(row, surface.x, `landscape z row ${j} and x`);
    requireNoInfinity(row, `landscape z row ${j}`);
    return toArray(row);
  });
  const finite = z.flat().filter(Number.isFinite);
  requireNonEmpty(finite.length, 'landscape z (finite values)');
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const levels = input.levels ?? 24;
  if (!(Number.isInteger(levels) && levels >= 2)) throw new ConfigError(`landscape levels must be an integer >= 2, got ${levels}`);
  const contour: CoordinateContour = {
    type: 'contour',
    name: surface.label ?? 'surface',
    x: toArray(surface.x),
    y: toArray(surface.y),
    z,
    contours: { start: lo, end: hi, size: hi > lo ? (hi - lo) / levels : 1, coloring: 'fill', showlabels: false },
    line: { color: 'rgba(90,90,90,0.35)', width: 0.8 },
    colorscale: paleScale,
    showscale: true,
    colorbar: { thickness: 14, len: 0.8, ...(surface.label ? { title: { text: surface.label } } : {}) },
    showlegend: false,
    hoverinfo: 'skip',
  };
  const data: PlotlyTrace[] = [contour];
  if (input.front) {
    requireSameLength(input.front.x, input.front.y, `front '${input.front.name}' x and y`);
    data.push({
      type: 'scatter',
      name: input.front.name,
      x: toArray(input.front.x),
      y: toArray(input.front.y),
      mode: 'lines',
      line: { color: '#6f6f78', width: 7 },
    });
  }
  const paths = input.paths ?? [];
  const names = [...new Set(paths.map((p) => p.name))];
  const starts: number[][] = [];
  const ends: Array<{ point: number[]; colour: string; name: string }> = [];
  const shown = new Set<string>();
  for (const p of paths) {
    requireSameLength(p.x, p.y, `path '${p.name}' x and y`);
    requireNonEmpty(p.x.length, `path '${p.name}'`);
    requireNoInfinity(p.x, `path '${p.name}' x`);
    requireNoInfinity(p.y, `path '${p.name}' y`);
    const colour = p.colour ?? seriesColour(names.indexOf(p.name));
    data.push({
      type: 'scatter',
      name: p.name,
      x: toArray(p.x),
      y: toArray(p.y),
      mode: 'lines',
      line: { color: colour, width: 2.4, dash: p.dash ?? 'solid' },
      legendgroup: p.name,
      showlegend: !shown.has(p.name),
    });
    shown.add(p.name);
    starts.push([p.x[0], p.y[0]]);
    ends.push({ point: [p.x[p.x.length - 1], p.y[p.y.length - 1]], colour, name: p.name });
  }
  if ((input.endpoints ?? true) && paths.length > 0) {
    const unique = starts.filter((s, i) => starts.findIndex((o) => o[0] === s[0] && o[1] === s[1]) === i);
    data.push({
      type: 'scatter',
      name: 'start',
      x: unique.map((s) => s[0]),
      y: unique.map((s) => s[1]),
      mode: 'markers',
      marker: { color: '#000000', size: 11, symbol: 'circle' },
    });
    for (const e of ends) {
      data.push({
        type: 'scatter',
        name: `${e.name} end`,
        x: [e.point[0]],
        y: [e.point[1]],
        mode: 'markers',
        marker: { color: e.colour, size: 11, symbol: 'x', line: { color: '#ffffff', width: 1 } },
        legendgroup: e.name,
        showlegend: false,
      });
    }
  }
  const layout = baseLayout(input.title, input.width ?? 760, input.height ?? 620);
  const xs = toArray(surface.x);
  const ys = toArray(surface.y);
  layout.xaxis = axis(input.xLabel, { range: [Math.min(...xs), Math.max(...xs)], showgrid: false, constrain: 'domain' });
  layout.yaxis = axis(input.yLabel, { range: [Math.min(...ys), Math.max(...ys)], showgrid: false, scaleanchor: 'x', scaleratio: 1, constrain: 'domain' });
  layout.legend = { orientation: 'h', x: 0, y: -0.14, yanchor: 'top' };
  return fitFigure({ data, layout });
}
