/**
 * The public API of egfr-gtv, one namespace per concept: each is a folder of lib/ and its index, in the order of the
 * data flow (docs/architecture.md).
 *   import { model, train, metrics } from 'egfr-gtv';     model.buildModel({ kind: 'mtl' })
 *   import { buildModel } from 'egfr-gtv/model';          the same concept on its own (notebooks import this way)
 * The typed errors are also exported at the root: every loader and command throws them.
 */
export * from './errors';
export * as errors from './errors';
export * as util from './util/index';
export * as engine from './engine/index';
export * as volume from './volume/index';
export * as io from './io/index';
export * as preprocess from './preprocess/index';
export * as data from './data/index';
export * as synth from './synth/index';
export * as model from './model/index';
export * as losses from './losses/index';
export * as weighting from './weighting/index';
export * as train from './train/index';
export * as metrics from './metrics/index';
export * as stats from './stats/index';
export * as patient from './patient/index';
export * as evaluation from './eval/index';
export * as experiments from './experiments/index';
export * as plots from './plots/index';
export * as report from './report/index';
export * as bench from './bench/index';
