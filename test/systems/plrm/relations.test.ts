import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelGraph, compose, converse, RELATIONS, type Relation, type RelationTriple } from '../../../src/systems/plrm/relations.js';
import { InputError } from '../../../src/util/errors.js';

// The official LabelRelationConstraints table (wis/label/label_relation.py), transcribed as facts:
// r(a,b), r(b,c) → possible r(a,c). Official names: INCLUSION = subsuming (a ⊋ b), INCLUDED = subsumed.
const OFFICIAL: Array<[Relation, Relation, Relation[]]> = [
  ['overlap', 'subsumed', ['subsumed', 'overlap']],
  ['overlap', 'subsuming', ['exclusive', 'subsuming', 'overlap']],
  ['overlap', 'exclusive', ['exclusive', 'subsuming', 'overlap']],
  ['overlap', 'overlap', ['exclusive', 'subsuming', 'subsumed', 'overlap']],
  ['subsuming', 'exclusive', ['exclusive', 'subsuming', 'overlap']],
  ['subsuming', 'subsuming', ['subsuming']],
  ['subsuming', 'overlap', ['subsuming', 'overlap']],
  ['subsuming', 'subsumed', ['subsumed', 'subsuming', 'overlap']],
  ['exclusive', 'subsumed', ['subsumed', 'exclusive', 'overlap']],
  ['exclusive', 'subsuming', ['exclusive']],
  ['exclusive', 'overlap', ['subsumed', 'exclusive', 'overlap']],
  ['exclusive', 'exclusive', ['exclusive', 'subsuming', 'subsumed', 'overlap']],
  ['subsumed', 'subsuming', ['exclusive', 'subsuming', 'subsumed', 'overlap']],
  ['subsumed', 'overlap', ['subsumed', 'exclusive', 'overlap']],
  ['subsumed', 'subsumed', ['subsumed']],
  ['subsumed', 'exclusive', ['exclusive']],
];

test('composition table derived from set semantics equals the official table on its four relations', () => {
  for (const [r1, r2, allowed] of OFFICIAL) {
    const ours = compose(r1, r2)
      .filter((r) => r !== 'equal')
      .sort();
    assert.deepEqual(ours, [...allowed].sort(), `${r1} ∘ ${r2}`);
  }
});

test('equal composes as identity and converse swaps subsuming/subsumed', () => {
  for (const r of RELATIONS) {
    assert.deepEqual(compose('equal', r), [r]);
    assert.deepEqual(compose(r, 'equal'), [r]);
  }
  assert.equal(converse('subsuming'), 'subsumed');
  assert.equal(converse('subsumed'), 'subsuming');
  assert.equal(converse('overlap'), 'overlap');
  // Equal is possible exactly where both sets contain a common set from the same side.
  assert.ok(compose('subsuming', 'subsumed').includes('equal'));
  assert.ok(!compose('subsuming', 'exclusive').includes('equal'));
});

const names = ['animal', 'dog', 'puppy', 'cat', 'pet'];

test('inference: a chain of subsumption implies the rest; default fills open pairs', () => {
  const rel: RelationTriple[] = [
    [0, 1, 'subsuming'],
    [1, 2, 'subsuming'],
    [1, 3, 'exclusive'],
  ];
  const g = LabelGraph.build(names, rel, { defaultRelation: 'exclusive' });
  assert.equal(g.relation(0, 2), 'subsuming');
  assert.equal(g.origin(0, 2), 'implied');
  assert.equal(g.relation(2, 0), 'subsumed');
  assert.equal(g.relation(2, 3), 'exclusive'); // puppy ⊆ dog, dog excl cat
  assert.equal(g.origin(2, 3), 'implied');
  // animal–cat is open (exclusive, overlap, subsuming, subsumed … minus what dog rules out): default exclusive applies.
  assert.equal(g.relation(0, 3), 'exclusive');
  assert.equal(g.origin(0, 3), 'default');
  assert.equal(g.origin(0, 1), 'given');
});

test('when the default is impossible the pair stays open (ambiguous) and gets no relation', () => {
  // pet overlaps dog; animal subsumes dog: animal–pet cannot be exclusive (they share dogs).
  const rel: RelationTriple[] = [
    [0, 1, 'subsuming'],
    [4, 1, 'overlap'],
  ];
  const g = LabelGraph.build(names, rel, { defaultRelation: 'exclusive' });
  assert.equal(g.relation(0, 4), null);
  assert.ok(!g.possible(0, 4).includes('exclusive'));
  assert.ok(g.ambiguous.some(([a, b]) => a === 0 && b === 4));
  const u = LabelGraph.build(names, rel, { defaultRelation: 'unknown' });
  assert.equal(u.relation(0, 3), null);
  assert.equal(u.originCounts().default, 0);
});

test('contradictory input is rejected with an error naming the labels', () => {
  const rel: RelationTriple[] = [
    [0, 1, 'subsuming'],
    [1, 2, 'subsuming'],
    [0, 2, 'exclusive'],
  ];
  assert.throws(
    () => LabelGraph.build(names, rel, { file: 'task.json' }),
    (e: unknown) => e instanceof InputError && /animal/.test(e.message) && /puppy/.test(e.message) && /dog/.test(e.message) && /task\.json/.test(e.message),
  );
  // The same pair given twice with different relations.
  assert.throws(
    () =>
      LabelGraph.build(
        names,
        [
          [0, 1, 'subsuming'],
          [1, 0, 'subsuming'],
        ],
        { file: 't' },
      ),
    (e: unknown) => e instanceof InputError && /relations\[1\]/.test(e.message) && /animal/.test(e.message),
  );
  // Given twice consistently (as its converse) is fine.
  assert.equal(
    LabelGraph.build(names, [
      [0, 1, 'subsuming'],
      [1, 0, 'subsumed'],
    ]).relation(0, 1),
    'subsuming',
  );
  // Exclusive groups (desired labels) contradicting the relations.
  assert.throws(
    () => LabelGraph.build(names, [[1, 3, 'overlap']], { exclusiveGroups: [{ labels: [1, 3], why: 'desired labels must be mutually exclusive' }] }),
    (e: unknown) => e instanceof InputError && /mutually exclusive/.test(e.message) && /dog/.test(e.message) && /cat/.test(e.message),
  );
  assert.throws(() => LabelGraph.build(names, [[0, 0, 'overlap']]), /itself/);
  assert.throws(() => LabelGraph.build(names, [[0, 9, 'overlap']]), /out of range/);
});

test('equal relations propagate like identity', () => {
  const g = LabelGraph.build(
    ['a', 'b', 'c'],
    [
      [0, 1, 'equal'],
      [1, 2, 'subsuming'],
    ],
  );
  assert.equal(g.relation(0, 2), 'subsuming');
  assert.throws(
    () =>
      LabelGraph.build(
        ['a', 'b', 'c'],
        [
          [0, 1, 'equal'],
          [1, 2, 'subsuming'],
          [0, 2, 'exclusive'],
        ],
      ),
    InputError,
  );
});

test('path consistency catches contradictions that need two inference steps', () => {
  // a ⊇ b, b ⊇ c, c ⊇ d  ⇒ a ⊇ d; given a excl d.
  assert.throws(
    () =>
      LabelGraph.build(
        ['a', 'b', 'c', 'd'],
        [
          [0, 1, 'subsuming'],
          [1, 2, 'subsuming'],
          [2, 3, 'subsuming'],
          [0, 3, 'exclusive'],
        ],
      ),
    InputError,
  );
  // Consistent set-algebra graph of random sets is always accepted and reproduced exactly.
  const sets = [[1, 2, 3], [2, 3], [3], [4, 5], [1, 4], [6]].map((s) => new Set(s));
  const relOf = (x: Set<number>, y: Set<number>): Relation => {
    const inter = [...x].filter((v) => y.has(v)).length;
    if (inter === 0) return 'exclusive';
    if (inter === x.size && inter === y.size) return 'equal';
    if (inter === x.size) return 'subsumed';
    if (inter === y.size) return 'subsuming';
    return 'overlap';
  };
  const triples: RelationTriple[] = [];
  for (let a = 0; a < sets.length; a++) for (let b = a + 1; b < sets.length; b++) triples.push([a, b, relOf(sets[a]!, sets[b]!)]);
  const g = LabelGraph.build(
    sets.map((_, i) => `s${i}`),
    triples,
  );
  for (const [a, b, r] of triples) assert.equal(g.relation(a, b), r);
  // Dropping half of the pairs, inference recovers every forced one and never contradicts the truth.
  const g2 = LabelGraph.build(
    sets.map((_, i) => `s${i}`),
    triples.filter((_, i) => i % 2 === 0),
    { defaultRelation: 'unknown' },
  );
  for (const [a, b, r] of triples) assert.ok(g2.possible(a, b).includes(r), `s${a} s${b}`);
});
