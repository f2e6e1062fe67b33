import { ConfigError } from '../../errors';

/** Builders reject bad data here, so a mistake surfaces as a clear message rather than an empty or garbled plot. */

export function requireNonEmpty(length: number, what: string): void {
  if (length === 0) throw new ConfigError(`${what} is empty`);
}

export function requireSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new ConfigError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/** NaN is allowed (Plotly draws a gap) but infinities are not: they would silently break the axis range. */
export function requireNoInfinity(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] === Infinity || values[i] === -Infinity) throw new ConfigError(`${what}[${i}] is infinite`);
  }
}

export function requireInRange(values: ArrayLike<number>, lo: number, hi: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) throw new ConfigError(`${what}[${i}] = ${v} lies outside [${lo}, ${hi}]`);
  }
}

/** Plain number arrays: typed arrays would not survive JSON on their way to the browser. */
export function toArray(values: ArrayLike<number>): number[] {
  return Array.from(values);
}
