import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTask, allRelations } from './helpers.js';
import { LabelGraph } from '../../../src/systems/plrm/relations.js';
import { taskGraph } from '../../../src/systems/plrm/label_models.js';
import { checkDistinguishability } from '../../../src/systems/plrm/distinguishability.js';

test('a good graph: every desired label has its own relation pattern', () => {
  const t = setTask(10);
  const r = checkDistinguishability(taskGraph(t, 'exclusive'), t.desired, t.ilfs);
  assert.equal(r.ok, true);
  assert.deepEqual(r.indistinguishable, []);
  assert.deepEqual(r.uncovered, []);
  // relation of d0 to s0..s4: d0 ⊆ s0, exclusive with s1 and s2, d0 ⊇ s3, exclusive with s4
  assert.deepEqual(r.signatures[0], ['subsumed', 'exclusive', 'exclusive', 'subsuming', 'exclusive']);
  assert.match(r.lines.join('\n'), /OK: every desired label has a distinct relation pattern/);
});

test('a bad graph: labels with identical relations to every seen label are reported by name', () => {
  // desired a={1}, b={2}, c={3}; seen ab={1,2} (contains a and b), c3={3,4}, x={5}
  const sets = [[1], [2], [3], [1, 2], [3, 4], [5]].map((s) => new Set(s));
  const names = ['a', 'b', 'c', 'ab', 'c34', 'x'];
  const g = LabelGraph.build(names, allRelations(sets));
  const r = checkDistinguishability(
    g,
    [0, 1, 2],
    [
      [3, 4],
      [5, 3],
    ],
  );
  assert.equal(r.ok, false);
  assert.deepEqual(r.indistinguishable, [[0, 1]]);
  const text = r.lines.join('\n');
  assert.match(text, /PROBLEM: 'a' and 'b' cannot be told apart/);
  assert.match(text, /NOT DISTINGUISHABLE/);
  // x is exclusive with every desired label: its ILF outputs are uninformative.
  assert.deepEqual(r.uninformative, [5]);
  assert.match(text, /seen label 'x' relates identically/);
});

test('an uncovered desired label is a warning, not a problem', () => {
  const sets = [[1], [2], [3], [1, 7], [2, 8], [9]].map((s) => new Set(s));
  const g = LabelGraph.build(['a', 'b', 'c', 'a7', 'b8', 'z'], allRelations(sets));
  const r = checkDistinguishability(
    g,
    [0, 1, 2],
    [
      [3, 4],
      [5, 3],
    ],
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.uncovered, [2]);
  assert.match(r.lines.join('\n'), /no seen label is related to 'c'/);
  assert.equal(r.allSingle, true);
});
