import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchRows } from '../../lib/bench/registry';
import { peakRssKb } from '../../lib/bench/peak-rss-at-exit';
import { measureTrainMemory } from '../../lib/bench/train-memory';

const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('egfr-gtv-bench-train-rss-')).sort();

describe('bench train_peak_rss', () => {
  it('is a registered row', () => {
    assert.ok(benchRows.some(([name]) => name === 'train_peak_rss'));
  });

  it('reads the peak resident set size of this process', () => {
    const kb = peakRssKb();
    const rss = process.memoryUsage().rss / 1024;
    assert.ok(kb >= rss * 0.99, `peak ${kb} kB below the current ${rss} kB`);
    assert.ok(kb <= process.resourceUsage().maxRSS * 1.01 + 1024);
  });

  it('trains in a child process, reports its peak RSS and removes the cohort', async () => {
    const before = leftovers();
    const m = await measureTrainMemory({ cases: 2, steps: 1, args: ['--size', '32', '--batch', '2', '--val-fraction', '0'] });
    assert.equal(m.train_peak_rss_steps, 1);
    assert.equal(m.train_peak_rss_cases, 2);
    // Node.js with TensorFlow.js loaded alone takes well over 100 MB; a 1-step 32 px run far less than 1.5 GB.
    assert.ok(m.train_peak_rss_mb > 100 && m.train_peak_rss_mb < 1536, `${m.train_peak_rss_mb} MB`);
    assert.deepEqual(leftovers(), before);
  });

  it('a failing training run is an error with the message of the command', async () => {
    await assert.rejects(
      measureTrainMemory({ cases: 2, steps: 1, args: ['--size', '30'] }),
      /egfr-gtv train exited with 2.*multiple of 16/,
    );
  });
});
