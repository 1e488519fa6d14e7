/**
 * Argument checks shared by the metric functions. Shape problems (empty input, unequal lengths,
 * bad K) are programming errors of the caller and throw `RangeError`; problems with the *content*
 * of the data (only one class present, labels outside {0, 1}, NaN scores) are the user's to fix and
 * throw `InputError` with the offending field named.
 */
import { InputError } from '../util/errors.js';

/** Any flat numeric array: `Float32Array`, `Float64Array`, `number[]`, `Int32Array`, … */
export type NumericArray = ArrayLike<number>;

/** Throws a RangeError unless `a` and `b` are non-empty and of equal length. */
export function checkPair(fn: string, aName: string, a: NumericArray, bName: string, b: NumericArray): void {
  if (a.length !== b.length) {
    throw new RangeError(`${fn}: ${aName} has ${a.length} elements but ${bName} has ${b.length}; they must be equal`);
  }
  if (a.length === 0) throw new RangeError(`${fn}: ${aName} and ${bName} are empty`);
}

/** Throws an InputError unless every element of `labels` is exactly 0 or 1. */
export function checkBinaryLabels(fn: string, field: string, labels: NumericArray): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v !== 0 && v !== 1) {
      throw new InputError(`${fn}: ${field}[${i}] = ${v}; binary labels must be 0 or 1`, { field });
    }
  }
}

/** Throws an InputError unless every element of `labels` is an integer. */
export function checkIntegerLabels(fn: string, field: string, labels: NumericArray): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v)) {
      throw new InputError(`${fn}: ${field}[${i}] = ${v}; class labels must be integers`, { field });
    }
  }
}

/** Throws an InputError if any element of `values` is NaN. */
export function checkNoNaN(fn: string, field: string, values: NumericArray): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) throw new InputError(`${fn}: ${field}[${i}] is NaN`, { field });
  }
}
