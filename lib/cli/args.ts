import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseCommandArgs` returns: named, since the declaration build cannot name node:util's internal types. */
export type ParsedCommandArgs<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>
>;

/**
 * `node:util` parseArgs with our error type: an unknown flag or a missing value becomes a `UsageError`, so the
 * command line answers with the command's usage and exit status 2 instead of a stack trace.
 */
export function parseCommandArgs<T extends Options>(args: string[], options: T, allowPositionals = false): ParsedCommandArgs<T> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The value of a required string option, or a `UsageError` naming it. */
export function requireOption(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing required option --${name}`);
  return v;
}

/** Parses a numeric option; `fallback` when absent, a `UsageError` when not a finite number. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} must be a number, got '${String(v)}'`);
  }
  return n;
}

/** Option specs for `parseCommandArgs`: each name a string-valued option (combine with `flagOptions` by spreading). */
export function stringOptions<N extends string>(...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as Record<N, { type: 'string' }>;
}

/** Option specs for `parseCommandArgs`: each name a boolean flag. */
export function flagOptions<N extends string>(...names: N[]): Record<N, { type: 'boolean' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as Record<N, { type: 'boolean' }>;
}

/**
 * An integer option of at least `min`: `fallback` when absent, a `UsageError` when given and not such an integer.
 */
export function integerOption(values: Record<string, unknown>, name: string, fallback: number, min: number): number;
export function integerOption(values: Record<string, unknown>, name: string, fallback: undefined, min: number): number | undefined;
export function integerOption(values: Record<string, unknown>, name: string, fallback: number | undefined, min: number): number | undefined {
  if (values[name] === undefined) return fallback;
  const n = numberOption(values, name, 0);
  if (!Number.isInteger(n) || n < min) {
    const kind = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new UsageError(`--${name} must be ${kind}, got ${n}`);
  }
  return n;
}

/** A string option that must be one of `allowed`: `fallback` when absent, a `UsageError` naming the choices. */
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[], fallback: T): T;
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined;
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${String(v)}'`);
  }
  return v as T;
}

/**
 * The items of a repeatable NAME=VALUE option (`form` says what the usage calls it, e.g. NAME=DIR) as [name, value]
 * pairs in order, split at the first '='; a `UsageError` when the name or the value is empty.
 */
export function nameValueOption(items: string[] | undefined, name: string, form = 'NAME=VALUE'): Array<[string, string]> {
  return (items ?? []).map((item) => {
    const i = item.indexOf('=');
    if (i <= 0 || i === item.length - 1) throw new UsageError(`--${name} must be ${form}, got '${item}'`);
    return [item.slice(0, i), item.slice(i + 1)];
  });
}
