import { ConfigError } from '../../errors';
import type { PlotlyAnnotation, PlotlyAxis, PlotlyAxisKey, PlotlyFigure, PlotlyLayout, PlotlyTrace } from '../plotly';
import { baseLayout, fontSizes, lineCount, lineHeightPx, seriesColour, withAlpha, wrapText } from '../theme';
import { requireNonEmpty } from './checks';
import type { SliceImage } from '../../volume/views';
import { fitFigure } from './fit';

/** A binary mask drawn over the image: its outline, and optionally a translucent fill. */
export interface SliceOverlay {
  /** Legend entry, e.g. 'GTV (reference)' or 'GTV (predicted)'. */
  name: string;
  /** Same size as the image; voxels > 0.5 are inside. */
  mask: SliceImage;
  colour?: string;
  /** Opacity of the fill inside the mask, 0 (outline only, the default) to 1. */
  fillOpacity?: number;
}

/** A map drawn translucently over the image: a saliency map (Grad-CAM, attention), a probability map. */
export interface SliceHeat {
  /** Same size as the image; values in [0, 1] (higher is hotter). */
  map: SliceImage;
  /** Opacity where the map is 1 (default 0.6); where it is 0 the image shows through. */
  opacity?: number;
}

export interface SlicePanel {
  title?: string;
  image: SliceImage;
  overlays?: SliceOverlay[];
  heat?: SliceHeat;
  /** Grey-level window [low, high]; default: the 1st and 99th percentiles of the image, robust to bright outliers. */
  window?: [number, number];
}

export interface SlicePanelsInput {
  title?: string;
  panels: SlicePanel[];
  /** Panels per row (default: up to 4). */
  columns?: number;
  /** Pixel size of one panel's image side in the output (default 260). */
  panelSize?: number;
  /** Row 0 at the top ('upper', as image viewers) or at the bottom ('lower', as plots); default 'upper'. */
  origin?: 'upper' | 'lower';
}

/** Plotly names the first axes 'xaxis' and 'yaxis', then 'xaxis2', 'yaxis2', ... */
function setAxis(layout: PlotlyLayout, kind: 'x' | 'y', i: number, a: PlotlyAxis): void {
  if (i > 0) layout[`${kind}axis${i + 1}` as PlotlyAxisKey] = a;
  else if (kind === 'x') layout.xaxis = a;
  else layout.yaxis = a;
}

function checkImage(img: SliceImage, what: string): void {
  if (!(Number.isInteger(img.width) && img.width > 0 && Number.isInteger(img.height) && img.height > 0)) {
    throw new ConfigError(`${what}: width and height must be positive integers, got ${img.width}x${img.height}`);
  }
  if (img.data.length !== img.width * img.height) {
    throw new ConfigError(`${what}: ${img.data.length} values for a ${img.width}x${img.height} image`);
  }
}

function rows(img: SliceImage, map: (v: number) => number = (v) => v): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < img.height; y++) {
    const row = new Array<number>(img.width);
    for (let x = 0; x < img.width; x++) row[x] = map(img.data[y * img.width + x]);
    out.push(row);
  }
  return out;
}

function percentileWindow(data: ArrayLike<number>): [number, number] {
  const finite = Array.from(data).filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  finite.sort((a, b) => a - b);
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * (finite.length - 1)))];
  const lo = at(0.01);
  const hi = at(0.99);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/**
 * A grid of image slices (MRI sequences, cases) with masks outlined on top: the picture of a segmentation. Each panel
 * gets its own pair of axes with a 1:1 aspect so voxels stay square.
 */
export function slicePanels(input: SlicePanelsInput): PlotlyFigure {
  requireNonEmpty(input.panels.length, 'slice panels');
  const n = input.panels.length;
  const columns = Math.min(n, input.columns ?? 4);
  if (!(Number.isInteger(columns) && columns > 0)) throw new ConfigError(`slice panels: columns must be >= 1`);
  const rowsOfPanels = Math.ceil(n / columns);
  for (const [i, panel] of input.panels.entries()) checkImage(panel.image, `slice panel ${i}`);
  // Laid out in pixels, then converted to paper fractions: every panel's box has the aspect of the tallest image, so
  // images fill their boxes and the titles sit right above them.
  const panelW = input.panelSize ?? 260;
  const aspect = Math.max(...input.panels.map((p) => p.image.height / p.image.width));
  const panelH = Math.round(panelW * aspect);
  const gapPx = 14;
  // Panel titles wrap to their panel's width; every row leaves room for the longest.
  const titles = input.panels.map((p) => (p.title ? wrapText(p.title, panelW - 8, fontSizes.axisTitle) : undefined));
  const titleLines = Math.max(0, ...titles.map((t) => (t ? lineCount(t) : 0)));
  const titlePx = titleLines > 0 ? titleLines * lineHeightPx(fontSizes.axisTitle) + 8 : 0;
  const plotW = columns * panelW + (columns - 1) * gapPx;
  const plotH = rowsOfPanels * (panelH + titlePx) + (rowsOfPanels - 1) * gapPx;
  const hasOverlays = input.panels.some((p) => (p.overlays ?? []).length > 0);
  const margin = { l: 10, r: 10, t: input.title === undefined ? 10 : 60, b: hasOverlays ? 40 : 10 };
  const data: PlotlyTrace[] = [];
  const annotations: PlotlyAnnotation[] = [];
  const seenOverlay = new Set<string>();
  const upper = (input.origin ?? 'upper') === 'upper';
  const layout = baseLayout(input.title, plotW + margin.l + margin.r, plotH + margin.t + margin.b);
  layout.margin = margin;
  input.panels.forEach((panel, i) => {
    const what = `slice panel ${i}${panel.title ? ` '${panel.title}'` : ''}`;
    const suffix = i === 0 ? '' : String(i + 1);
    const xa = `x${suffix}`;
    const ya = `y${suffix}`;
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x0 = (col * (panelW + gapPx)) / plotW;
    const x1 = x0 + panelW / plotW;
    const top = 1 - (row * (panelH + titlePx + gapPx) + titlePx) / plotH;
    const domainY: [number, number] = [Math.max(0, top - panelH / plotH), top];
    const [lo, hi] = panel.window ?? percentileWindow(panel.image.data);
    if (!(hi > lo)) throw new ConfigError(`${what}: window [${lo}, ${hi}] is empty`);
    data.push({
      type: 'heatmap',
      z: rows(panel.image),
      zmin: lo,
      zmax: hi,
      colorscale: [
        [0, '#000000'],
        [1, '#ffffff'],
      ],
      showscale: false,
      hovertemplate: 'x %{x}, y %{y}: %{z:.3g}<extra></extra>',
      xaxis: xa,
      yaxis: ya,
    });
    if (panel.heat) {
      const heat = panel.heat;
      checkImage(heat.map, `${what} heat map`);
      if (heat.map.width !== panel.image.width || heat.map.height !== panel.image.height) {
        throw new ConfigError(`${what}: the heat map is ${heat.map.width}x${heat.map.height}, the image ${panel.image.width}x${panel.image.height}`);
      }
      const a = Math.min(1, Math.max(0, heat.opacity ?? 0.6));
      data.push({
        type: 'heatmap',
        z: rows(heat.map),
        zmin: 0,
        zmax: 1,
        // Transparent where cold, through yellow to red where hot (the usual look of a class-activation map).
        colorscale: [
          [0, 'rgba(255,255,0,0)'],
          [0.5, `rgba(255,200,0,${(a * 0.6).toFixed(3)})`],
          [1, `rgba(220,0,0,${a.toFixed(3)})`],
        ],
        showscale: false,
        hovertemplate: 'x %{x}, y %{y}: %{z:.2f}<extra></extra>',
        xaxis: xa,
        yaxis: ya,
      });
    }
    (panel.overlays ?? []).forEach((ov, j) => {
      checkImage(ov.mask, `${what} overlay '${ov.name}'`);
      if (ov.mask.width !== panel.image.width || ov.mask.height !== panel.image.height) {
        const size = (i: SliceImage) => `${i.width}x${i.height}`;
        throw new ConfigError(`${what}: overlay '${ov.name}' is ${size(ov.mask)}, the image ${size(panel.image)}`);
      }
      const colour = ov.colour ?? seriesColour(j + 1);
      const inside = rows(ov.mask, (v) => (v > 0.5 ? 1 : 0));
      const fill = ov.fillOpacity ?? 0;
      if (fill > 0) {
        data.push({
          type: 'heatmap',
          z: inside,
          zmin: 0,
          zmax: 1,
          colorscale: [
            [0, 'rgba(0,0,0,0)'],
            [1, withAlpha(colour, Math.min(1, fill))],
          ],
          showscale: false,
          hoverinfo: 'skip',
          xaxis: xa,
          yaxis: ya,
        });
      }
      const first = !seenOverlay.has(ov.name);
      seenOverlay.add(ov.name);
      data.push({
        type: 'contour',
        name: ov.name,
        z: inside,
        contours: { start: 0.5, end: 0.5, size: 1, coloring: 'lines', showlabels: false },
        line: { color: colour, width: 2 },
        colorscale: [
          [0, colour],
          [1, colour],
        ],
        showscale: false,
        // Contours alone never enter the legend, so a legend entry is forced once per overlay name.
        showlegend: first,
        legendgroup: ov.name,
        hoverinfo: 'skip',
        xaxis: xa,
        yaxis: ya,
      });
    });
    setAxis(layout, 'x', i, {
      domain: [x0, x1],
      anchor: ya,
      visible: false,
      constrain: 'domain',
      range: [-0.5, panel.image.width - 0.5],
    });
    setAxis(layout, 'y', i, {
      domain: domainY,
      anchor: xa,
      visible: false,
      scaleanchor: xa,
      scaleratio: 1,
      constrain: 'domain',
      range: upper ? [panel.image.height - 0.5, -0.5] : [-0.5, panel.image.height - 0.5],
    });
    const title = titles[i];
    if (title) {
      annotations.push({
        text: title,
        x: (x0 + x1) / 2,
        y: domainY[1],
        xref: 'paper',
        yref: 'paper',
        xanchor: 'center',
        yanchor: 'bottom',
        showarrow: false,
        font: { size: fontSizes.axisTitle },
      });
    }
  });
  layout.annotations = annotations;
  layout.showlegend = seenOverlay.size > 0;
  layout.legend = { orientation: 'h', x: 0.5, xanchor: 'center', y: 0, yanchor: 'top' };
  layout.plot_bgcolor = '#ffffff';
  return fitFigure({ data, layout }, { growHeight: true });
}
