import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RESULT_COLUMNS } from '../../lib/experiments/results';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// The main job end to end in its reduced form (what `npm start` runs, on the fast grid and the fast-mode cohorts).
describe('npm start (scripts/start.sh --quick)', function () {
  this.timeout(600000);

  it('synthesises the cohorts when missing, runs the fast grid and writes a complete report folder', () => {
    const out = mkdtempSync(join(tmpdir(), 'start-'));
    const root = resolve(__dirname, '..', '..');
    const env = { ...process.env };
    delete env.EGFR_GTV_FAST;
    const r = spawnSync('bash', ['scripts/start.sh', '--quick', '--out', out], { cwd: root, env, encoding: 'utf8' });
    assert.equal(r.status, 0, `start.sh failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    const html = join(out, 'report', 'index.html');
    assert.match(r.stdout, new RegExp(`report: ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n?$`));
    assert.match(r.stdout, /start: fast mode/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /internal test cohort/);
    assert.match(page, /<h2>The paper&#39;s comparison<\/h2>/);
    assert.ok(existsSync(join(out, 'report', 'comparison.json')));
    assert.ok(existsSync(join(out, 'results', 'provenance.json')), 'the reference results are exported');
    assert.match(page, /external test cohort/);
    const figures = readdirSync(join(out, 'report', 'figures')).filter((f) => f.endsWith('.png'));
    assert.ok(figures.length >= 8, `only ${figures.length} figures`);
    for (const f of figures) {
      assert.ok(readFileSync(join(out, 'report', 'figures', f)).subarray(0, 8).equals(PNG_MAGIC), `${f} is not a PNG`);
      assert.ok(page.includes(`figures/${f}`), `${f} is not in the report`);
    }
    const results = readFileSync(join(out, 'report', 'results.csv'), 'utf8').trim().split('\n');
    assert.equal(results[0], RESULT_COLUMNS.join(','));
    const sets = new Set(results.slice(1).map((line) => line.split(',')[5]));
    assert.deepEqual([...sets].sort(), ['external', 'internal']);
    assert.ok(existsSync(join(out, 'report', 'summary.csv')));
  });
});
