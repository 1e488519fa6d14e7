import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTask } from './helpers.js';
import { taskGraph } from '../../../src/systems/plrm/label_models.js';
import { alrmvMap, lrmvMap, majorityVote } from '../../../src/systems/plrm/majority_vote.js';
import { probsToPreds } from '../../../src/systems/plrm/predict.js';

// Desired d0={1,2}, d1={3,4}, d2={5,6}; seen s0={1,2,3} (⊇ d0, overlaps d1), s1={3,4,5,6} (⊇ d1, d2),
// s2={6} ⊆ d2, s3={1} ⊆ d0, s4={6} ⊆ d2. Labels 3..7 = s0..s4. ILFs {s0,s2} {s1,s3} {s3,s2} {s0,s4} {s1,s3}.
const task = setTask(10);
const graph = taskGraph(task, 'exclusive');
const rows = [
  [3, 4, 5, 3, 4], // s0 s1 s2 s0 s1
  [5, 6, 6, -1, -1], // s2 s3 s3
  [-1, -1, -1, -1, -1],
  [3, 6, 5, 7, 4], // s0 s3 s2 s4 s1
  [5, 4, -1, 3, -1], // s2 s1 s0
];
const L = Int32Array.from(rows.flat());

test('LRMV on a hand-worked example: each vote counts for every non-exclusive desired label', () => {
  const map = lrmvMap(graph, task.desired, task.ilfs);
  assert.deepEqual(map.get(3), [
    [0, 1],
    [1, 1],
  ]); // s0 → d0, d1
  assert.deepEqual(map.get(4), [
    [1, 1],
    [2, 1],
  ]); // s1 → d1, d2
  const p = majorityVote(L, rows.length, 5, 3, map);
  // votes: row0 d0 2, d1 4, d2 3; row1 d0 2, d2 1; row2 none; row3 d0 2, d1 2, d2 3; row4 d0 1, d1 2, d2 2
  const expected = [
    [0, 1, 0],
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [0, 0, 1],
    [0, 0.5, 0.5],
  ];
  expected.forEach((e, i) => e.forEach((v, c) => assert.ok(Math.abs(p[i * 3 + c]! - v) < 1e-12, `row ${i} class ${c}`)));
  const pred = probsToPreds(p, 3);
  assert.deepEqual([pred[0], pred[1], pred[3]], [1, 0, 2]);
  assert.ok(pred[4] === 1 || pred[4] === 2);
});

test('ALRMV on the same example: labels inside a desired label vote 1 for it, the others share 1', () => {
  const map = alrmvMap(graph, task.desired, task.ilfs);
  assert.deepEqual(map.get(3), [
    [0, 0.5],
    [1, 0.5],
  ]); // s0 subsumes d0 and overlaps d1: shared
  assert.deepEqual(map.get(5), [[2, 1]]); // s2 ⊆ d2
  assert.deepEqual(map.get(6), [[0, 1]]); // s3 ⊆ d0
  const p = majorityVote(L, rows.length, 5, 3, map);
  // row0 d0 1, d1 2, d2 2; row1 d0 2, d2 1; row3 d0 1.5, d1 1, d2 2.5; row4 d0 .5, d1 1, d2 1.5
  const expected = [
    [0, 0.5, 0.5],
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [0, 0, 1],
    [0, 0, 1],
  ];
  expected.forEach((e, i) => e.forEach((v, c) => assert.ok(Math.abs(p[i * 3 + c]! - v) < 1e-12, `row ${i} class ${c}`)));
});

test('tie-break is deterministic and spreads over the tied classes', () => {
  const n = 600;
  const probs = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) probs.set([0.5, 0.5, 0], i * 3);
  const a = probsToPreds(probs, 3);
  const b = probsToPreds(probs, 3);
  assert.deepEqual(a, b);
  const ones = a.reduce((s, v) => s + v, 0);
  assert.ok(a.every((v) => v === 0 || v === 1));
  assert.ok(ones > 240 && ones < 360, `${ones} of ${n} tie-breaks went to class 1`);
});
