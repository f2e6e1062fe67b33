import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../io';
import { resample } from '../volume/resample';
import { median } from '../util/percentile';

/**
 * Benchmark rows for medical image I/O: reading the full-size gzip Colin27 (181x217x181 uint8) and resampling it to
 * 1.5 mm. The volume is looked up at $EGFR_GTV_CH2, the Debian install path, or a copy unpacked from the
 * `mricron-data` package under .cache/ (fetched with `apt-get download` the first time).
 */
const ROOT = join(__dirname, '..', '..');
const DEBIAN_PATH = '/usr/share/mricron/templates/ch2.nii.gz';
const CACHE = join(ROOT, '.cache', 'mricron-data');
const CACHED_PATH = join(CACHE, 'usr', 'share', 'mricron', 'templates', 'ch2.nii.gz');

export function colin27Path(): string {
  const fromEnv = process.env.EGFR_GTV_CH2;
  if (fromEnv) return fromEnv;
  if (existsSync(DEBIAN_PATH)) return DEBIAN_PATH;
  if (!existsSync(CACHED_PATH)) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('apt-get', ['download', 'mricron-data'], { cwd: CACHE, stdio: 'ignore' });
    const deb = readdirSync(CACHE).find((f) => f.startsWith('mricron-data') && f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download mricron-data produced no .deb');
    execFileSync('dpkg', ['-x', deb, '.'], { cwd: CACHE });
  }
  return CACHED_PATH;
}

/** Median of `runs` timings after one warm-up, in milliseconds. */
async function medianMs(fn: () => Promise<unknown> | unknown, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** Read the 181x217x181 gzip Colin27 (decompress, parse, convert to float32). Target <= 500 ms. */
export async function nifti_read_ms(): Promise<number> {
  const path = colin27Path();
  return medianMs(() => readNifti(path));
}

/** Resample the read Colin27 from 1 mm to 1.5 mm isotropic, trilinear. Target <= 1000 ms. */
export async function resample_ms(): Promise<number> {
  const volume = await readNifti(colin27Path());
  return medianMs(() => resample(volume, [1.5, 1.5, 1.5], { interpolation: 'linear' }));
}

export const rows = { nifti_read_ms, resample_ms };
