/** The test-time options `eval` and `predict` share: --tta, --tta-flips and --adapt-bn. */
import { resolveTtaFlips, type TtaFlip } from '../eval/tta';
import { ConfigError, UsageError } from '../errors';

export const TEST_TIME_USAGE = `  --tta             average the probabilities over the left-right flip of every slice (the flip training draws)
  --tta-flips F     the flips to average over instead, comma-separated: x (left-right), y (up-down); implies --tta
  --adapt-bn        re-estimate the batch-norm statistics on each patient's own slices before predicting it (AdaBN)`;

/** The predict options of the parsed values. */
export function testTimeOptions(values: { tta?: boolean; 'tta-flips'?: string; 'adapt-bn'?: boolean }): { tta: TtaFlip[]; adaptBn: boolean } {
  let tta: TtaFlip[] = values.tta ? ['x'] : [];
  if (values['tta-flips'] !== undefined) {
    try {
      tta = resolveTtaFlips(values['tta-flips'].split(',').map((f) => f.trim()));
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`--tta-flips: ${err.message}`);
      throw err;
    }
  }
  return { tta, adaptBn: Boolean(values['adapt-bn']) };
}
