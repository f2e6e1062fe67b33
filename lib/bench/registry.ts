import type { EngineReport } from '../engine/backend';
import { cli_help_ms, cli_info_ms } from './cli';
import { rows as ioRows } from './io';
import { mtlBenchRow } from './model';
import { predictVolumeRow } from './predict';
import { timeReferenceUnet } from './reference-unet';
import { trainPeakRssRow } from './train-memory';
import { synth_case } from './synth';

/** What a bench row gets: the engine report of the chosen backend and a progress logger (stderr). */
export interface BenchContext {
  engine: EngineReport;
  log(msg: string): void;
}

/**
 * A named bench row: returns either one number (reported under the row's name) or several keyed values. Later
 * issues append rows here; `npm run bench -- --only a,b` runs some.
 */
export type BenchRow = (ctx: BenchContext) => Promise<number | Record<string, number>>;

const unetRow: BenchRow = async (ctx) => {
  const t = timeReferenceUnet({ log: ctx.log });
  return {
    unet_b4_128_train_ms: t.train_ms,
    unet_b4_128_forward_ms: t.forward_ms,
    unet_b4_128_train_cpu_ms: t.train_cpu_ms,
  };
};

export const benchRows: [string, BenchRow][] = [
  ['unet_b4_128', unetRow],
  ['mtl_b4_128', mtlBenchRow],
  ['predict_volume', predictVolumeRow],
  ['train_peak_rss', trainPeakRssRow],
  ...Object.entries(ioRows).map(([name, fn]): [string, BenchRow] => [name, () => fn()]),
  ['synth_case', () => synth_case()],
  ['cli_help_ms', () => cli_help_ms()],
  ['cli_info_ms', () => cli_info_ms()],
];
