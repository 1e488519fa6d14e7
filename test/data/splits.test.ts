import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chronologicalSplit, splitView, rangeLength } from '../../src/data/splits.js';
import { InputError, UsageError } from '../../src/util/errors.js';

test('StemGNN boundaries: truncation of ratio·n in float64 (Chicago 5697 rows → 3987/1140/570)', () => {
  const s = chronologicalSplit(5697);
  assert.deepEqual(s, { train: [0, 3987], valid: [3987, 5127], test: [5127, 5697] });
  assert.equal(rangeLength(s.valid), 1140);
  assert.equal(rangeLength(s.test), 570);
});

test('weights 7:2:1 and fractions 0.7/0.2/0.1 follow the same float arithmetic as the reference', () => {
  // Values from python: int((7/10 + 2/10) * 100) = 89, int((0.7/s + 0.2/s) * 100) = 90 with s = 0.7+0.2+0.1.
  assert.deepEqual(chronologicalSplit(100, [7, 2, 1]), { train: [0, 70], valid: [70, 89], test: [89, 100] });
  assert.deepEqual(chronologicalSplit(100, [0.7, 0.2, 0.1]), { train: [0, 70], valid: [70, 90], test: [90, 100] });
  assert.deepEqual(chronologicalSplit(1000, [7, 2, 1]).valid, [700, 899]);
  assert.deepEqual(chronologicalSplit(33, [7, 2, 1]), { train: [0, 23], valid: [23, 29], test: [29, 33] });
});

test('empty-split errors for each split', () => {
  const check = (n: number, ratios: [number, number, number], name: string, sizes: string): void => {
    assert.throws(
      () => chronologicalSplit(n, ratios, { source: 'tiny.csv' }),
      (e: unknown) => e instanceof InputError && e.message.startsWith(`tiny.csv: the ${name} split is empty: ${n} rows`) && e.message.includes(sizes),
    );
  };
  check(3, [7, 2, 1], 'valid', 'train 2, valid 0, test 1');
  check(3, [1, 1, 1e-20], 'test', 'train 1, valid 2, test 0');
  check(1, [1, 1, 1], 'train', 'train 0, valid 0, test 1');
});

test('a zero ratio allows an empty split; bad ratios are usage errors', () => {
  assert.deepEqual(chronologicalSplit(10, [8, 2, 0]), { train: [0, 8], valid: [8, 10], test: [10, 10] });
  assert.throws(() => chronologicalSplit(10, [0, 1, 1]), UsageError);
  assert.throws(() => chronologicalSplit(10, [1, -1, 1]), UsageError);
  assert.throws(() => chronologicalSplit(10, [1, NaN, 1]), UsageError);
  assert.throws(() => chronologicalSplit(10, [1, 1] as never), UsageError);
});

test('splitView is a view of the split rows', () => {
  const data = Float32Array.from({ length: 12 }, (_, i) => i);
  const v = splitView(data, 3, [1, 3]);
  assert.deepEqual(v, Float32Array.from([3, 4, 5, 6, 7, 8]));
  v[0] = -1;
  assert.equal(data[3], -1);
  assert.throws(() => splitView(data, 3, [2, 5]), RangeError);
});
