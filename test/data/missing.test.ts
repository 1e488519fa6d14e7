import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillForwardBackward, countMissing } from '../../src/data/missing.js';
import { chronologicalSplit, splitView } from '../../src/data/splits.js';
import { InputError } from '../../src/util/errors.js';

const N = NaN;

test('forward fill then backward fill per column (pandas ffill().bfill())', () => {
  // 5 rows × 3 cols. Expected values worked out by hand:
  // col 0: N,1,N,N,4 → 1,1,1,1,4 ; col 1: 2,N,3,N,N → 2,2,3,3,3 ; col 2: N,N,N,5,N → 5,5,5,5,5
  const data = Float32Array.from([N, 2, N, 1, N, N, N, 3, N, N, N, 5, 4, N, N]);
  const filled = fillForwardBackward(data, 5, 3);
  assert.deepEqual(data, Float32Array.from([1, 2, 5, 1, 2, 5, 1, 3, 5, 1, 3, 5, 4, 3, 5]));
  assert.equal(filled, 10);
  assert.equal(fillForwardBackward(data, 5, 3), 0);
});

test('splits are filled independently: no value crosses a split boundary', () => {
  // 10 rows, 1 column; 7:2:1 gives train [0,7), valid [7,9), test [9,10).
  const data = Float32Array.from([1, 2, 3, 4, 5, 6, 7, N, 9, N]);
  const split = chronologicalSplit(10);
  assert.deepEqual(split.valid, [7, 9]);
  fillForwardBackward(splitView(data, 1, split.train), 7, 1, { split: 'train' });
  fillForwardBackward(splitView(data, 1, split.valid), 2, 1, { split: 'valid' });
  // valid row 7 is back-filled from row 8 (9), not forward-filled from train's 7.
  assert.equal(data[7], 9);
  // test [9,10) holds only NaN: an error naming the split.
  assert.throws(
    () => fillForwardBackward(splitView(data, 1, split.test), 1, 1, { split: 'test', header: ['load'], source: 'x.csv' }),
    (e: unknown) => e instanceof InputError && e.message === 'x.csv, column 1, field "load": column has no values in the test split (1 rows), so its missing values cannot be filled',
  );
});

test('an all-NaN column is an InputError naming the column', () => {
  const data = Float32Array.from([1, N, 2, N]);
  assert.throws(
    () => fillForwardBackward(data, 2, 2, { header: ['a', 'b'] }),
    (e: unknown) => e instanceof InputError && e.location.column === 2 && e.location.field === 'b',
  );
});

test('countMissing counts NaN per column; zero rows is a no-op', () => {
  assert.deepEqual(countMissing(Float32Array.from([N, 1, N, N, 2, 3]), 3), Int32Array.from([2, 0, 1]));
  assert.equal(fillForwardBackward(new Float32Array(0), 0, 4), 0);
  assert.throws(() => fillForwardBackward(new Float32Array(5), 2, 3), RangeError);
});
