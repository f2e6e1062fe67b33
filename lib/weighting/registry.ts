/**
 * The registry of task-weighting strategies: the kinds, `createWeighting`, the command line's choices and its help
 * all derive from it. To add a strategy: one file exporting its config, class and entry, and one line here.
 */
import { alignedMtlStrategy } from './aligned-mtl';
import { cagradStrategy } from './cagrad';
import { dbMtlStrategy } from './db-mtl';
import { dwaStrategy } from './dwa';
import type { ConfigOf, StrategyEntry } from './entry';
import { famoStrategy } from './famo';
import { fixedStrategy } from './fixed';
import { glsStrategy } from './gls';
import { graddropStrategy } from './graddrop';
import { gradNormStrategy } from './gradnorm';
import { gradvacStrategy } from './gradvac';
import { imtlGStrategy } from './imtl-g';
import { mgdaStrategy } from './mgda';
import { nashMtlStrategy } from './nash-mtl';
import { pcgradStrategy } from './pcgrad';
import { rlwStrategy } from './rlw';
import { uncertaintyStrategy } from './uncertainty';
import { positiveUncertaintyStrategy } from './uncertainty-positive';

export const weightingRegistry = {
  fixed: fixedStrategy,
  uncertainty: uncertaintyStrategy,
  'uncertainty-positive': positiveUncertaintyStrategy,
  dwa: dwaStrategy,
  gradnorm: gradNormStrategy,
  rlw: rlwStrategy,
  gls: glsStrategy,
  famo: famoStrategy,
  mgda: mgdaStrategy,
  pcgrad: pcgradStrategy,
  graddrop: graddropStrategy,
  gradvac: gradvacStrategy,
  'imtl-g': imtlGStrategy,
  cagrad: cagradStrategy,
  'nash-mtl': nashMtlStrategy,
  'aligned-mtl': alignedMtlStrategy,
  'db-mtl': dbMtlStrategy,
} as const;

export type WeightingKind = keyof typeof weightingRegistry;

/** Every strategy's config, as a union discriminated by `kind`. */
export type WeightingConfig = { [K in WeightingKind]: ConfigOf<(typeof weightingRegistry)[K]> }[WeightingKind];

/** The kinds, in registry order. */
export const weightingKinds = Object.keys(weightingRegistry) as WeightingKind[];

/** The entry of `kind`, or undefined. */
export function strategyEntry(kind: string): StrategyEntry<WeightingConfig> | undefined {
  return Object.prototype.hasOwnProperty.call(weightingRegistry, kind)
    ? (weightingRegistry[kind as WeightingKind] as unknown as StrategyEntry<WeightingConfig>)
    : undefined;
}

/** One line per strategy, for --help: `kind  summary [stateful] [random]`. */
export function weightingHelp(indent = '  '): string {
  const width = Math.max(...weightingKinds.map((k) => k.length));
  return weightingKinds
    .map((k) => {
      const e = strategyEntry(k)!;
      const tags = [e.family === 'gradient' ? 'per-task gradients' : '', e.stateful ? 'stateful' : '', e.random ? 'random' : ''].filter(Boolean);
      return `${indent}${k.padEnd(width)}  ${e.summary}${tags.length ? ` [${tags.join(', ')}]` : ''}`;
    })
    .join('\n');
}
