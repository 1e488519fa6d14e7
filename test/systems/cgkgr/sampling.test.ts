import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';
import { buildKgAdjacency, buildTrainGraph, parseKgFinal, parseRatingsFinal } from '../../../src/systems/cgkgr/data.js';
import { sampleNeighbours } from '../../../src/systems/cgkgr/sampling.js';

// User 0 has 5 training items, user 1 has 2, user 2 none (cold). Item 4 has 3 users.
const RATINGS = '0 0 1\n0 1 0\n0 2 1\n0 3 0\n0 4 1\n1 4 1\n1 0 0\n3 4 0\n';
const KG = '0\t0\t5\n1\t0\t5\n2\t1\t6\n3\t1\t6\n4\t2\t5\n4\t0\t6\n';
const S = 4;

function setup() {
  const r = parseRatingsFinal(RATINGS);
  return { g: buildTrainGraph(r, 4, 5), adj: buildKgAdjacency(parseKgFinal(KG)) };
}

test('a list with >= S entries is sampled without replacement, a shorter one with replacement (official rule)', () => {
  const { g, adj } = setup();
  for (let trial = 0; trial < 20; trial++) {
    const s = sampleNeighbours(g, adj, S, new Rng(trial), 'empty');
    const u0 = Array.from(s.adjU2I.subarray(0, S));
    assert.equal(new Set(u0).size, S, 'user 0 (5 items) gets S distinct items');
    for (const i of u0) assert.ok([0, 1, 2, 3, 4].includes(i));
    const u1 = Array.from(s.adjU2I.subarray(S, 2 * S));
    for (const i of u1) assert.ok([0, 4].includes(i), 'user 1 samples only its own items');
    // Entity 5 has 3 neighbours (0, 1, 4) < S: with replacement, so a repeat is certain.
    const e5 = Array.from(s.adjE2E.subarray(5 * S, 6 * S));
    assert.ok(new Set(e5).size < S);
    for (let k = 0; k < S; k++) {
      const e = s.adjE2E[5 * S + k]!;
      const r = s.adjRel[5 * S + k]!;
      assert.ok((e === 0 && r === 0) || (e === 1 && r === 0) || (e === 4 && r === 2), `(${e}, ${r}) is not a neighbour of 5`);
    }
  }
  // Over many draws, user 1's two items both appear (sampling, not a fixed fill).
  const seen = new Set<number>();
  for (let t = 0; t < 10; t++) for (const i of sampleNeighbours(g, adj, S, new Rng(100 + t), 'empty').adjU2I.subarray(S, 2 * S)) seen.add(i);
  assert.deepEqual([...seen].sort(), [0, 4]);
});

test('every epoch draws a new sample (the sampler advances)', () => {
  const { g, adj } = setup();
  const rng = new Rng(7);
  const a = sampleNeighbours(g, adj, S, rng, 'empty');
  const b = sampleNeighbours(g, adj, S, rng, 'empty');
  assert.notDeepEqual([a.adjU2I, a.adjE2E], [b.adjU2I, b.adjE2E]);
});

test('users/items without training rows: empty summary mask, a clear error, or the official id 0', () => {
  const { g, adj } = setup();
  const empty = sampleNeighbours(g, adj, S, new Rng(1), 'empty');
  assert.deepEqual(Array.from(empty.userHas), [1, 1, 0, 1]);
  assert.equal(empty.itemHas[4], 1);
  assert.throws(
    () => sampleNeighbours(g, adj, S, new Rng(1), 'error'),
    (e: unknown) => e instanceof InputError && /1 user\(s\) have no training interaction after the split \(first: 2\)/.test(e.message),
  );
  const off = sampleNeighbours(g, adj, S, new Rng(1), 'official');
  assert.deepEqual(Array.from(off.adjU2I.subarray(2 * S, 3 * S)), [0, 0, 0, 0]);
  assert.equal(off.userHas[2], 1);
});

test("summaryRows 'positives' (the paper's reading) keeps the file's negatives out of the summaries", async () => {
  const { prepareData } = await import('../../../src/systems/cgkgr/train.js');
  const { syntheticDataset } = await import('../../../src/systems/cgkgr/synthetic.js');
  const ds = syntheticDataset({ nUser: 20, nItem: 80, positives: 5, seed: 1 });
  const all = prepareData(ds, { splitSeed: 2 });
  const pos = prepareData(ds, { splitSeed: 2, summaryRows: 'positives' });
  assert.deepEqual(pos.train, all.train, 'the training rows themselves are unchanged');
  const positive = new Set<string>();
  for (let k = 0; k < all.train.users.length; k++) if (all.train.labels[k] === 1) positive.add(`${all.train.users[k]}:${all.train.items[k]}`);
  let n = 0;
  for (let u = 0; u < ds.nUser; u++) {
    for (let p = pos.graph.userItems.offsets[u]!; p < pos.graph.userItems.offsets[u + 1]!; p++) {
      assert.ok(positive.has(`${u}:${pos.graph.userItems.values[p]}`));
      n++;
    }
  }
  assert.equal(n, positive.size);
  assert.ok(all.graph.userItems.values.length > n);
});
