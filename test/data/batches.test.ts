import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchIndices } from '../../src/data/batches.js';
import { Rng } from '../../src/util/random.js';

const flat = (bs: Int32Array[]): number[] => bs.flatMap((b) => Array.from(b));

test('in-order batches with a short last batch, or dropped', () => {
  const bs = batchIndices(10, 4);
  assert.deepEqual(
    bs.map((b) => Array.from(b)),
    [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ],
  );
  assert.deepEqual(
    batchIndices(10, 4, { dropLast: true }).map((b) => b.length),
    [4, 4],
  );
  assert.deepEqual(batchIndices(8, 4, { dropLast: true }).length, 2);
  assert.deepEqual(batchIndices(0, 4), []);
});

test('shuffled batches: a permutation, repeatable from the seed', () => {
  const a = batchIndices(100, 32, { shuffle: true, rng: new Rng(3) });
  const b = batchIndices(100, 32, { shuffle: true, rng: new Rng(3) });
  const c = batchIndices(100, 32, { shuffle: true, rng: new Rng(4) });
  assert.deepEqual(
    a.map((x) => x.length),
    [32, 32, 32, 4],
  );
  assert.deepEqual(flat(a), flat(b));
  assert.notDeepEqual(flat(a), flat(c));
  assert.deepEqual(
    [...flat(a)].sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.notDeepEqual(
    flat(a),
    Array.from({ length: 100 }, (_, i) => i),
  );
});

test('shuffle without an rng and bad sizes are rejected', () => {
  assert.throws(() => batchIndices(5, 2, { shuffle: true }), /rng/);
  assert.throws(() => batchIndices(5, 0), /batchSize/);
  assert.throws(() => batchIndices(-1, 2), RangeError);
});
