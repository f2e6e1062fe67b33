import { DatasetError } from '../errors';

/**
 * Checks two per-patient measurements of the same patients, in the same order: as many values of the variant as of
 * the reference, at least one patient, and every value finite (a NaN Dice of an empty mask must be resolved by the
 * caller, not silently dropped from one side of a pair). Throws a `DatasetError` naming the first bad position.
 */
export function assertPaired(variant: ArrayLike<number>, reference: ArrayLike<number>): void {
  if (variant.length !== reference.length) throw new DatasetError(`${variant.length} values of the variant but ${reference.length} of the reference`);
  if (variant.length === 0) throw new DatasetError('no patients to compare');
  for (let i = 0; i < variant.length; i++) {
    if (!Number.isFinite(variant[i])) throw new DatasetError(`variant value at position ${i} is ${variant[i]}, not a finite number`);
    if (!Number.isFinite(reference[i])) throw new DatasetError(`reference value at position ${i} is ${reference[i]}, not a finite number`);
  }
}

/** The paired differences d[i] = variant[i] - reference[i], after `assertPaired`. */
export function pairedDifferences(variant: ArrayLike<number>, reference: ArrayLike<number>): Float64Array {
  assertPaired(variant, reference);
  return Float64Array.from({ length: variant.length }, (_, i) => variant[i] - reference[i]);
}
