/** The public API of egfr-gtv, re-exported per concept. */
export * from './errors';
export * from './volume/index';
export * from './io/index';
export * from './engine/index';
export * from './plots/index';
export * from './util/mode';
export * from './metrics/index';
export * from './eval/aggregate';
export * from './data/index';
export * from './model/index';
export * from './losses/index';
export * from './weighting/index';
export * from './train/step';
export * from './synth/index';
export * from './experiments/index';
export * from './report/index';
