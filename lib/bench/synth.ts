import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadColin27 } from '../synth/colin27';
import { exportCohort } from '../synth/export';

/**
 * Benchmark row for the synthetic cohort: milliseconds per case at 1.5 mm (128x128x112), generation plus gzip NIfTI
 * export of t1c + gtv (+ flair in the second number), measured over a small cohort after a one-case warm-up (JIT,
 * template priors and the memoised expected ceiling are then out of the timing). Target <= 2000 ms per case.
 * `cpu` is the process's user+system CPU time per case, which includes the gzip threads and is less sensitive than
 * wall time to other load on the machine.
 */
export async function synth_case(cases = 5): Promise<Record<string, number>> {
  const anatomy = await loadColin27();
  const root = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-bench-synth-'));
  try {
    const timed = async (name: string, flair: boolean) => {
      await exportCohort(anatomy, { cases: 1, seed: 99, flair }, join(root, `${name}-warm`));
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await exportCohort(anatomy, { cases, seed: 1, flair }, join(root, name));
      const wall = Number(process.hrtime.bigint() - t0) / 1e6 / cases;
      const cpu = process.cpuUsage(cpu0);
      return { wall, cpu: (cpu.user + cpu.system) / 1000 / cases };
    };
    const t1c = await timed('t1c', false);
    const both = await timed('flair', true);
    return {
      synth_case_ms: +t1c.wall.toFixed(1),
      synth_case_cpu_ms: +t1c.cpu.toFixed(1),
      synth_case_flair_ms: +both.wall.toFixed(1),
    };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

export const rows = { synth_case };
