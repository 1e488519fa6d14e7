/**
 * PythonRandom against numbers printed by CPython 3.11's `random` (Debian /usr/bin/python3):
 * the raw MT19937 stream after `random.seed(n)`, `getrandbits`, and both algorithms of
 * `random.sample` (pool for small populations, selected set for large ones). And the use it
 * exists for: TGSL's new-node draw gives the split the official code printed for each seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PythonRandom } from '../../src/util/python_random.js';
import { syntheticTemporalGraph, temporalSplit } from '../../src/data/temporal/index.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

test('the MT19937 stream and getrandbits after random.seed(n)', () => {
  // random.seed(2023); [random.getrandbits(32) for _ in range(3)]
  const r = new PythonRandom(2023);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [1644637140, 3013484573, 4174115899]);
  // random.seed(0); random.getrandbits(32), random.getrandbits(7)
  const z = new PythonRandom(0);
  assert.deepEqual([z.getrandbits(32), z.getrandbits(7)], [3626764237, 49]);
  // A seed above 2³²: two key words. random.seed(2**40 + 5); random.getrandbits(32)
  assert.equal(new PythonRandom(2 ** 40 + 5).nextUint32(), 2166296868);
  assert.throws(() => new PythonRandom(-1), RangeError);
});

test('random.sample: the pool algorithm and the selected-set algorithm', () => {
  // random.seed(7); random.sample(list(range(50)), 12)  (n ≤ setsize: pool)
  assert.deepEqual(new PythonRandom(7).sample(range(50), 12), [20, 9, 25, 41, 3, 4, 34, 6, 23, 37, 45, 32]);
  // random.seed(2023); random.sample(list(range(1, 301)), 10)  (n > setsize: selected set)
  assert.deepEqual(new PythonRandom(2023).sample(range(300, 1), 10), [197, 229, 200, 164, 293, 173, 52, 64, 156, 273]);
  // random.seed(2025); random.sample(list(range(1000)), 40)[:8]
  assert.deepEqual(new PythonRandom(2025).sample(range(1000), 40).slice(0, 8), [571, 84, 661, 857, 489, 969, 177, 541]);
  assert.throws(() => new PythonRandom(1).sample([1, 2], 3), RangeError);
});

test("TGSL's split with the official draw has the official runs' sizes on the synthetic graph", () => {
  // Sizes the official TGAT+TGSL/train.py printed on `sheaf tgsl generate` output (scripts/tgsl/official_run.py, split field).
  const official: Record<number, [number, number, number]> = { 2023: [1970, 350, 420], 2024: [2845, 220, 180], 2025: [3048, 111, 105], 2027: [1897, 363, 355] };
  const g = syntheticTemporalGraph({ events: 5000, seed: 0 });
  for (const [seed, [train, newVal, newTest]] of Object.entries(official)) {
    const s = temporalSplit(g, { seed: Number(seed) });
    assert.deepEqual([s.maskedNodes.length, s.train.length, s.newVal.length, s.newTest.length], [32, train, newVal, newTest], `seed ${seed}`);
  }
  const own = temporalSplit(g, { seed: 2023, draw: 'sheaf' });
  assert.notEqual(own.train.length, 1970, "Sheaf's own draw is another generator");
});
