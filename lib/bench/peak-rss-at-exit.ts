/**
 * Preloaded into a child process (`node --require tsx/cjs --require bench/peak-rss-at-exit.ts ...`): when the process
 * exits, writes its peak resident set size in kB (VmHWM of /proc/self/status; the kernel's maxRSS where there is no
 * /proc) to the file named by $EGFR_GTV_PEAK_RSS_FILE. Without that variable it does nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const PEAK_RSS_FILE_ENV = 'EGFR_GTV_PEAK_RSS_FILE';

/** Peak resident set size of this process in kB. */
export function peakRssKb(): number {
  const status = '/proc/self/status';
  const hwm = existsSync(status) ? /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(status, 'utf8')) : null;
  return hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
}

const target = process.env[PEAK_RSS_FILE_ENV];
if (target) process.on('exit', () => writeFileSync(target, `${peakRssKb()}\n`));
