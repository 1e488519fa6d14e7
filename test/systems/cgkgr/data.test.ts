import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';
import { buildKgAdjacency, buildTrainGraph, csrRow, parseKgFinal, parseRatingsFinal, randomizeKg, readKgcnDataset, splitRows, validateDataset } from '../../../src/systems/cgkgr/data.js';
import { INSTEVAL_DIR } from '../../../src/systems/cgkgr/datasets.js';
import { syntheticDataset } from '../../../src/systems/cgkgr/synthetic.js';
import { nodeStorage } from '../../../src/node/storage.js';

const KG = '0\t0\t3\n1\t0\t3\n2\t1\t4\n3\t1\t4\n';

function throwsInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InputError && pattern.test(e.message), `expected InputError matching ${pattern}`);
}

test('parsers name file, line and field', () => {
  throwsInput(() => parseRatingsFinal('0 1 1\n0 2\n', 'r.txt'), /^r\.txt, line 2: expected 3/);
  throwsInput(() => parseRatingsFinal('0 1 1\n0 x 1\n', 'r.txt'), /^r\.txt, line 2, column 2, field "item"/);
  throwsInput(() => parseRatingsFinal('0 1 2\n', 'r.txt'), /field "label": label must be 0 or 1/);
  throwsInput(() => parseKgFinal('', 'kg.txt'), /^kg\.txt: no rows/);
  const kg = parseKgFinal(KG);
  assert.equal(kg.nEntity, 5);
  assert.equal(kg.nRelation, 2);
});

test('validation: clear errors for isolated entities, user gaps, duplicates and items outside the KG', () => {
  const kg = parseKgFinal(KG);
  const ok = parseRatingsFinal('0 0 1\n0 1 0\n1 2 1\n1 0 0\n');
  assert.deepEqual(validateDataset(ok, kg), { nUser: 2, nItem: 3, itemsWithoutRows: [] });
  // Entity 5 exists (max id) but has no triple of its own: 0..5 with 5 only as... make 5 isolated by id gap.
  const gapKg = parseKgFinal('0\t0\t3\n1\t0\t3\n2\t1\t5\n', 'kg.txt');
  throwsInput(() => validateDataset(ok, gapKg, { kg: 'kg.txt' }), /kg\.txt: 1 entity has no KG neighbour \(first: 4\)/);
  throwsInput(() => validateDataset(parseRatingsFinal('0 0 1\n2 1 1\n'), kg, { ratings: 'r.txt' }), /r\.txt, field "user": 1 user id\(s\) .* no row \(first: 1\)/);
  throwsInput(() => validateDataset(parseRatingsFinal('0 0 1\n1 1 1\n0 0 0\n'), kg, { ratings: 'r.txt' }), /r\.txt, line 3: the pair \(user 0, item 0\) appears twice \(lines 1 and 3\)/);
  throwsInput(() => validateDataset(parseRatingsFinal('0 0 1\n0 7 1\n'), kg, { ratings: 'r.txt' }), /r\.txt, line 2, field "item": item 7 is not a KG entity/);
  // An item with no row at all is a cold item, not an error (the KG still describes it).
  assert.deepEqual(validateDataset(parseRatingsFinal('0 0 1\n0 2 0\n'), kg).itemsWithoutRows, [1]);
});

test('the shipped InstEval loads with the documented sizes', async () => {
  const ds = await readKgcnDataset(nodeStorage, { dir: INSTEVAL_DIR });
  assert.equal(ds.nUser, 2960);
  assert.equal(ds.nItem, 1128);
  assert.equal(ds.kg.nEntity, 1150);
  assert.equal(ds.kg.nRelation, 3);
  assert.equal(ds.kg.heads.length, 3384);
  assert.equal(ds.ratings.users.length, 65350);
  let pos = 0;
  for (const l of ds.ratings.labels) pos += l;
  assert.equal(pos, 32675);
});

test('official 6:2:2 split: floor sizes, disjoint, covering', () => {
  const s = splitRows(1003, new Rng(1));
  assert.equal(s.eval.length, 200);
  assert.equal(s.test.length, 200);
  assert.equal(s.train.length, 603);
  const all = new Set([...s.train, ...s.eval, ...s.test]);
  assert.equal(all.size, 1003);
  const again = splitRows(1003, new Rng(1));
  assert.deepEqual(again.eval, s.eval);
  assert.notDeepEqual(splitRows(1003, new Rng(2)).eval, s.eval);
});

test('training lists use both labels; the KG is made undirected with relation ids kept', () => {
  const r = parseRatingsFinal('0 0 1\n0 1 0\n1 1 1\n');
  const g = buildTrainGraph(r, 2, 3);
  assert.deepEqual(Array.from(csrRow(g.userItems, 0)), [0, 1]);
  assert.deepEqual(Array.from(csrRow(g.itemUsers, 1)), [0, 1]);
  assert.deepEqual(Array.from(csrRow(g.itemUsers, 2)), []);
  const adj = buildKgAdjacency(parseKgFinal(KG));
  const nb = (e: number) => Array.from({ length: adj.offsets[e + 1]! - adj.offsets[e]! }, (_, k) => [adj.entities[adj.offsets[e]! + k], adj.relations[adj.offsets[e]! + k]]);
  // File order: head side and tail side of each triple as they come (3 is a tail twice, then a head).
  assert.deepEqual(nb(3), [
    [0, 0],
    [1, 0],
    [4, 1],
  ]);
  assert.deepEqual(nb(0), [[3, 0]]);
  assert.deepEqual(nb(4), [
    [2, 1],
    [3, 1],
  ]);
});

test('random-KG ablation keeps heads, relations and every degree but moves tails', () => {
  const ds = syntheticDataset({ nUser: 20, nItem: 100, seed: 3 });
  const r = randomizeKg(ds.kg, new Rng(9));
  assert.deepEqual(r.heads, ds.kg.heads);
  assert.deepEqual(r.relations, ds.kg.relations);
  assert.deepEqual(Array.from(r.tails).sort(), Array.from(ds.kg.tails).sort());
  let moved = 0;
  for (let t = 0; t < r.tails.length; t++) if (r.tails[t] !== ds.kg.tails[t]) moved++;
  assert.ok(moved > 0.8 * r.tails.length, `only ${moved} tails moved`);
  const deg = (kg: typeof r) => {
    const d = new Int32Array(kg.nEntity);
    for (let t = 0; t < kg.heads.length; t++) {
      d[kg.heads[t]!]!++;
      d[kg.tails[t]!]!++;
    }
    return d;
  };
  assert.deepEqual(deg(r), deg(ds.kg));
});

test('synthetic set: KG relations as documented, 1:1 negatives never among the positives, valid dataset', () => {
  const ds = syntheticDataset({ nUser: 30, nItem: 200, seed: 5 });
  validateDataset(ds.ratings, ds.kg);
  assert.equal(ds.kg.nRelation, 3);
  const byUser = new Map<number, { pos: Set<number>; neg: Set<number> }>();
  for (let k = 0; k < ds.ratings.users.length; k++) {
    const u = ds.ratings.users[k]!;
    if (!byUser.has(u)) byUser.set(u, { pos: new Set(), neg: new Set() });
    (ds.ratings.labels[k] ? byUser.get(u)!.pos : byUser.get(u)!.neg).add(ds.ratings.items[k]!);
  }
  for (const { pos, neg } of byUser.values()) {
    assert.equal(pos.size, 20);
    assert.equal(neg.size, 20);
    for (const i of neg) assert.ok(!pos.has(i));
  }
  // Positives favour the user's liked types: most positives carry one.
  let withLiked = 0;
  let total = 0;
  for (let k = 0; k < ds.ratings.users.length; k++) {
    if (!ds.ratings.labels[k]) continue;
    const u = ds.ratings.users[k]!;
    total++;
    if (ds.truth.itemTypes[ds.ratings.items[k]!]!.some((t) => ds.truth.likes[u]!.includes(t))) withLiked++;
  }
  assert.ok(withLiked / total > 0.5, `${withLiked}/${total}`);
  assert.deepEqual(syntheticDataset({ nUser: 30, nItem: 200, seed: 5 }).ratings, ds.ratings);
});

test('ratings with no negative (or no positive) row are an input error naming the file', async () => {
  const { MemoryStorage } = await import('../../../src/io/storage.js');
  const { InputError } = await import('../../../src/util/errors.js');
  const st = new MemoryStorage();
  await st.write('d/ratings_final.txt', '0\t0\t1\n0\t1\t1\n1\t0\t1\n');
  await st.write('d/kg_final.txt', '0\t0\t1\n1\t0\t0\n');
  await assert.rejects(readKgcnDataset(st, { dir: 'd' }), (e: unknown) => e instanceof InputError && /d\/ratings_final\.txt.*every row has label 1/.test((e as Error).message));
});
