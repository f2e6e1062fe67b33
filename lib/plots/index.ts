/** Figures: typed Plotly specs built from plain data, rendered to PNG/SVG through Chromium, shown in notebooks. */
export * from './plotly';
export { palette as plotPalette, seriesColour, withAlpha } from './theme';
export type { IntervalBand } from './figures/band';
export * from './figures/line';
export * from './figures/roc';
export * from './figures/box';
export * from './figures/confusion';
export * from './figures/calibration';
export * from './figures/bars';
export * from './figures/slices';
export { FigureRenderer, findChromium, imageFormatOfPath, withFigureRenderer } from './render';
export type { FigureTextLayout, ImageFormat, ImageOptions, RendererOptions, TextBox } from './render';
export * from './display';
export * from './figures/forest';
export { fitFigure, type FitOptions } from './figures/fit';
export * from './figures/landscape';
