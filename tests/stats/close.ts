import { strict as assert } from 'node:assert';

/** Asserts |actual - expected| <= rel·|expected| (an absolute rel when expected is 0), naming both values. */
export function closeRel(actual: number | null, expected: number, rel = 1e-9): void {
  const scale = expected === 0 ? 1 : Math.abs(expected);
  assert.ok(actual !== null && Math.abs(actual - expected) <= rel * scale, `${actual} != ${expected} (rel ${rel})`);
}
