import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'nifti');
export const fixture = (name: string) => join(FIXTURES, name);

/** The voxel formula of the synthetic fixtures written by tests/fixtures/nifti/make_fixtures.py. */
export function fixtureValue(i: number, j: number, k: number): number {
  return i + 10 * j + 100 * k - 50;
}
