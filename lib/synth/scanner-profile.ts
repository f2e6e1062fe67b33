/**
 * User scanner profiles: a JSON file with every field of a centre profile (lib/synth/centres.ts), each a [lo, hi]
 * range drawn uniformly per case, so users simulate their own site:
 *
 *   { "intensityScale": [600, 900], "contrast": [0.8, 1], "enhancementGain": [0.8, 1.1], "noise": [0.03, 0.05],
 *     "biasAmplitude": [0.05, 0.15], "sliceThicknessMm": [4, 6], "blurSigmaMm": [0.4, 0.7] }
 *
 * A missing or unknown field, a value that is not a pair of finite numbers, an inverted range or one outside the
 * field's physical limits (SCANNER_LIMITS) is a ConfigError naming the field. A cohort drawn with a profile
 * (`egfr-gtv synth --scanner FILE.json`) records it in cohort.json (its config's `scanner`); its patients are those
 * of the same seed and centre, imaged on the profile's scanner.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import { CENTRES, type CentreProfile, type Range } from './centres';

export const SCANNER_FIELDS = Object.keys(CENTRES.internal) as (keyof CentreProfile)[];

/** What each field can physically be (inclusive unless `open`, whose lower end is excluded), with its unit. */
export const SCANNER_LIMITS: Record<keyof CentreProfile, { min: number; max: number; open?: boolean; what: string }> = {
  intensityScale: { min: 0, max: 20000, open: true, what: 'white-matter intensity in stored units (16-bit images: at most 20000 leaves room for enhancement)' },
  contrast: { min: 0, max: 2, open: true, what: 'factor on the grey/white/CSF contrast' },
  enhancementGain: { min: 0, max: 3, what: 'factor on every enhancement' },
  noise: { min: 0, max: 0.5, what: 'Rician noise SD as a fraction of white matter' },
  biasAmplitude: { min: 0, max: 1, what: 'SD of the log bias field' },
  sliceThicknessMm: { min: 0, max: 12, open: true, what: 'acquired slice thickness in mm' },
  blurSigmaMm: { min: 0, max: 5, what: 'in-plane point-spread SD in mm' },
};

/** Checks a profile (parsed JSON); `where` names its source in the messages. */
export function validateScannerProfile(value: unknown, where = 'scanner profile'): CentreProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where}: must be a JSON object with the fields ${SCANNER_FIELDS.join(', ')}`);
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(SCANNER_FIELDS as string[]).includes(k));
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown field '${unknown[0]}' (the fields are ${SCANNER_FIELDS.join(', ')})`);
  const out = {} as CentreProfile;
  for (const field of SCANNER_FIELDS) {
    const v = obj[field];
    const lim = SCANNER_LIMITS[field];
    if (v === undefined) throw new ConfigError(`${where}: missing field '${field}' (${lim.what}, a [lo, hi] range)`);
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ConfigError(`${where}: field '${field}' must be a [lo, hi] pair of numbers, got ${JSON.stringify(v)}`);
    }
    const [lo, hi] = v as Range;
    if (lo > hi) throw new ConfigError(`${where}: field '${field}' is inverted: lo ${lo} > hi ${hi}`);
    if ((lim.open ? !(lo > lim.min) : !(lo >= lim.min)) || !(hi <= lim.max)) {
      throw new ConfigError(`${where}: field '${field}' [${lo}, ${hi}] is out of range: ${lim.what} must lie in ${lim.open ? '(' : '['}${lim.min}, ${lim.max}]`);
    }
    out[field] = [lo, hi];
  }
  return out;
}

/** Reads and checks a profile file. */
export function readScannerProfile(file: string): CentreProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`scanner profile ${file}: cannot be read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`scanner profile ${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateScannerProfile(parsed, `scanner profile ${file}`);
}
