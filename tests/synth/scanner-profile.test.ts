import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { CENTRES, drawScanner } from '../../lib/synth/centres';
import { resolveCohortConfig } from '../../lib/synth/cohort';
import { SCANNER_FIELDS, readScannerProfile, validateScannerProfile } from '../../lib/synth/scanner-profile';
import { Rng } from '../../lib/util/rng';
import { runCli } from '../cli/run-cli';

const site = {
  intensityScale: [600, 900],
  contrast: [0.8, 1],
  enhancementGain: [0.8, 1.1],
  noise: [0.03, 0.05],
  biasAmplitude: [0.05, 0.15],
  sliceThicknessMm: [4, 6],
  blurSigmaMm: [0.4, 0.7],
};

const fails = (value: unknown, pattern: RegExp) => assert.throws(() => validateScannerProfile(value), (e: Error) => e instanceof ConfigError && pattern.test(e.message));

describe('user scanner profiles', () => {
  it('takes every field of a centre profile; the built-in centres pass and are unchanged', () => {
    assert.deepEqual(SCANNER_FIELDS, ['intensityScale', 'contrast', 'enhancementGain', 'noise', 'biasAmplitude', 'sliceThicknessMm', 'blurSigmaMm']);
    for (const c of Object.values(CENTRES)) assert.deepEqual(validateScannerProfile(c), c);
    assert.deepEqual(CENTRES.external.sliceThicknessMm, [3, 5]);
    assert.deepEqual(CENTRES.internal.intensityScale, [900, 1100]);
    assert.deepEqual(validateScannerProfile(site), site);
  });

  it('names the field of a missing, unknown, malformed, inverted or out-of-range value', () => {
    const { noise: _noise, ...missing } = site;
    fails(missing, /missing field 'noise'/);
    fails({ ...site, sliceThickness: [1, 2] }, /unknown field 'sliceThickness'/);
    fails({ ...site, contrast: 0.9 }, /field 'contrast' must be a \[lo, hi\] pair/);
    fails({ ...site, contrast: [0.9, 'a'] }, /field 'contrast' must be a \[lo, hi\] pair/);
    fails({ ...site, blurSigmaMm: [0.7, 0.4] }, /field 'blurSigmaMm' is inverted/);
    fails({ ...site, noise: [-0.01, 0.05] }, /field 'noise' .* out of range/);
    fails({ ...site, sliceThicknessMm: [0, 3] }, /field 'sliceThicknessMm' .* out of range/);
    fails({ ...site, intensityScale: [100, 40000] }, /field 'intensityScale' .* out of range/);
    fails([1, 2], /must be a JSON object/);
    assert.throws(() => resolveCohortConfig({ scanner: { ...site, noise: [0.05, 0.03] } as never }), /field 'noise' is inverted/);
  });

  it('draws each case within the profile', () => {
    const profile = validateScannerProfile(site);
    for (let s = 0; s < 20; s++) {
      const drawn = drawScanner(new Rng(s), profile);
      for (const f of SCANNER_FIELDS) assert.ok(drawn[f] >= profile[f][0] && drawn[f] <= profile[f][1], f);
    }
    assert.deepEqual(drawScanner(new Rng(3), CENTRES.external), drawScanner(new Rng(3), 'external'));
  });

  it('egfr-gtv synth --scanner records the profile in cohort.json and refuses a bad file naming the field', async () => {
    const tmp = await fs.mkdtemp(join(tmpdir(), 'egfr-gtv-scanner-'));
    try {
      const file = join(tmp, 'site.json');
      await fs.writeFile(file, JSON.stringify(site));
      const out = join(tmp, 'cohort');
      const r = await runCli(['synth', '--out', out, '--cases', '1', '--seed', '2', '--scanner', file, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const cohort = JSON.parse(await fs.readFile(join(out, 'cohort.json'), 'utf8'));
      assert.deepEqual(cohort.config.scanner, site);
      const id = (await fs.readdir(out)).find((d) => d.startsWith('int-'))!;
      const meta = JSON.parse(await fs.readFile(join(out, id, 'meta.json'), 'utf8'));
      assert.ok(meta.scanner.sliceThicknessMm >= 4 && meta.scanner.sliceThicknessMm <= 6);
      const bad = join(tmp, 'bad.json');
      await fs.writeFile(bad, JSON.stringify({ ...site, enhancementGain: [1.2, 0.8] }));
      const refused = await runCli(['synth', '--out', join(tmp, 'x'), '--cases', '1', '--seed', '2', '--scanner', bad]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /scanner profile .*bad\.json: field 'enhancementGain' is inverted/);
      assert.throws(() => readScannerProfile(join(tmp, 'none.json')), /cannot be read/);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
