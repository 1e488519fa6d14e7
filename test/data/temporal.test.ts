/**
 * The temporal data layer (src/data/temporal/): the JODIE and edge-CSV readers (official TGAT id
 * mapping, rebased and stably sorted times, InputErrors with file/line/column), link-query files,
 * the neighbour finder (strict and official `find_before`, recent / first / uniform sampling,
 * layered added edges), the TGAT split, the synthetic generator and the negative sampler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeTemporalGraph,
  formatJodieCsv,
  nodeIdOf,
  parseTemporalCsv,
  parseTemporalQueries,
  quantileSorted,
  RandomDestinationSampler,
  syntheticTemporalGraph,
  TemporalNeighborFinder,
  temporalSplit,
  type TemporalGraph,
} from '../../src/data/temporal/index.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { throwsInput } from '../helpers/errors.js';

const arr = (a: ArrayLike<number>): number[] => Array.from(a);

// Users 0…2, items 0…1 (contiguous integers: the official mapping), times out of order with a tie at 10.
const JODIE = ['user_id,item_id,timestamp,state_label,comma_separated_list_of_features', '0,0,10.0,0,0.1,0.2', '1,0,5.0,0,0.3,0.4', '0,1,10.0,1,0.5,0.6', '2,1,7.5,0,0.7,0.8', ''].join('\n');

test('JODIE: user u → u+1, item i → U+1+i; times rebased to 0 (offset kept); stable time sort; features and labels read', () => {
  const g = parseTemporalCsv(JODIE, { file: 'dir/wiki.csv' });
  assert.equal(g.name, 'wiki.csv');
  assert.equal(g.bipartite, true);
  assert.equal(g.numSources, 3);
  assert.equal(g.numNodes, 5);
  assert.equal(g.timeOffset, 5);
  // File rows 1…4 (lines 2…5) sorted by time: 1 (t 5), 3 (7.5), then 0 and 2 tied at 10 in file order.
  assert.deepEqual(arr(g.src), [2, 3, 1, 1]);
  assert.deepEqual(arr(g.dst), [4, 5, 4, 5]);
  assert.deepEqual(arr(g.t), [0, 2.5, 5, 5]);
  assert.deepEqual(arr(g.label), [0, 0, 0, 1]);
  assert.deepEqual(arr(g.lines!), [3, 5, 2, 4]);
  assert.equal(g.edgeDim, 2);
  assert.deepEqual(arr(g.edgeFeat), arr(Float32Array.from([0.3, 0.4, 0.7, 0.8, 0.1, 0.2, 0.5, 0.6])));
  assert.deepEqual(g.nodeNames, ['', '0', '1', '2', '0', '1']);
  assert.equal(g.nodeFeat, null);
  // Names resolve per side: item '0' is node 4, user '0' node 1.
  assert.equal(nodeIdOf(g, '0', 'src'), 1);
  assert.equal(nodeIdOf(g, '0', 'dst'), 4);
  assert.equal(nodeIdOf(g, '9', 'src'), -1);
  const d = describeTemporalGraph(g);
  assert.deepEqual(d, { events: 4, nodes: 5, distinctPairs: 4, repeatShare: 0, span: 5 });
});

test('JODIE: ids that are not 0…K−1 get numbers in order of first appearance', () => {
  const g = parseTemporalCsv('user_id,item_id,timestamp,state_label\n5,b,1,0\n0,a,2,0\n5,a,3,0\n', { file: 'x.csv' });
  // Users '5', '0' (not contiguous from 0) → 1, 2; items 'b', 'a' → 3, 4.
  assert.deepEqual(arr(g.src), [1, 2, 1]);
  assert.deepEqual(arr(g.dst), [3, 4, 4]);
  assert.deepEqual(g.nodeNames, ['', '5', '0', 'b', 'a']);
  assert.equal(g.edgeDim, 0);
  assert.equal(g.edgeFeat.length, 0);
});

test('edge CSV: header synonyms, one id space (not bipartite), names in first-appearance order, label and features by name', () => {
  const text = 'source,destination,time,w1,label\na,b,3,0.5,1\nc,a,1,0.25,0\nb,c,2,1.5,0\n';
  const g = parseTemporalCsv(text, { file: 'e.csv' });
  assert.equal(g.bipartite, false);
  assert.equal(g.numNodes, 3);
  assert.equal(g.numSources, 3);
  assert.deepEqual(g.nodeNames, ['', 'a', 'b', 'c']);
  assert.equal(g.timeOffset, 1);
  // Sorted: (c,a,0), (b,c,1), (a,b,2).
  assert.deepEqual(arr(g.src), [3, 2, 1]);
  assert.deepEqual(arr(g.dst), [1, 3, 2]);
  assert.deepEqual(arr(g.t), [0, 1, 2]);
  assert.deepEqual(arr(g.label), [0, 0, 1]);
  assert.equal(g.edgeDim, 1);
  assert.deepEqual(arr(g.edgeFeat), [0.25, 1.5, 0.5]);
  // The same file with other spellings of the columns (and another delimiter) reads the same.
  for (const header of ['src,dst,t,w1,y', 'u,i,ts,w1,label', 'from,to,timestamp,w1,label', 'SRC_ID,Target,TS,w1,Label']) {
    const other = parseTemporalCsv(text.replace(/^[^\n]*/, header), { file: 'e.csv' });
    assert.deepEqual([arr(other.src), arr(other.dst), arr(other.t), arr(other.label), arr(other.edgeFeat)], [arr(g.src), arr(g.dst), arr(g.t), arr(g.label), arr(g.edgeFeat)], header);
  }
  const tab = parseTemporalCsv(text.replaceAll(',', '\t'), { file: 'e.tsv' });
  assert.deepEqual(arr(tab.src), arr(g.src));
  // Columns in another order are found by name.
  const reordered = parseTemporalCsv('t,w1,dst,src\n3,0.5,b,a\n1,0.25,a,c\n', { file: 'r.csv' });
  assert.deepEqual(reordered.nodeNames, ['', 'a', 'b', 'c'], 'a row is read source first, then destination');
  assert.deepEqual(arr(reordered.src), [3, 1]);
  assert.deepEqual(arr(reordered.dst), [1, 2]);
  assert.deepEqual(arr(reordered.edgeFeat), [0.25, 0.5]);
  assert.deepEqual(arr(reordered.label), [0, 0]);
  // Forced bipartite: the two sides get separate id spaces.
  const bi = parseTemporalCsv(text, { file: 'e.csv', bipartite: true });
  assert.equal(bi.bipartite, true);
  assert.deepEqual(bi.nodeNames, ['', 'a', 'c', 'b', 'b', 'a', 'c']);
  assert.equal(bi.numSources, 3);
});

test('edge CSV with integer ids 0…K−1 in one space maps id → id + 1', () => {
  const g = parseTemporalCsv('src,dst,t\n2,0,0\n1,3,1\n', { file: 'i.csv' });
  assert.deepEqual(arr(g.src), [3, 2]);
  assert.deepEqual(arr(g.dst), [1, 4]);
  assert.deepEqual(g.nodeNames, ['', '0', '1', '2', '3']);
});

test('format auto-detection: user… first column or a state_label column → JODIE (bipartite), else edges; format forces it', () => {
  const plain = 'src,dst,t,state_label,f\n0,0,1,0,2\n1,0,2,0,3\n';
  const auto = parseTemporalCsv(plain, { file: 'p.csv' });
  assert.equal(auto.bipartite, true, 'state_label → JODIE');
  assert.deepEqual(arr(auto.dst), [3, 3]);
  const edges = parseTemporalCsv(plain, { file: 'p.csv', format: 'edges' });
  assert.equal(edges.bipartite, false);
  assert.deepEqual(arr(edges.src), [1, 2]);
  assert.deepEqual(arr(edges.dst), [1, 1]);
  const user = parseTemporalCsv('user,item,when,lab\n0,0,1,0\n', { file: 'u.csv' });
  assert.equal(user.bipartite, true, 'a user… first column → JODIE, read by position');
  const jodieForced = parseTemporalCsv('a,b,c,d,e\n0,1,4,1,9\n1,0,3,0,8\n', { file: 'j.csv', format: 'jodie' });
  assert.deepEqual(arr(jodieForced.t), [0, 1]);
  assert.deepEqual(arr(jodieForced.edgeFeat), [8, 9]);
  assert.throws(() => parseTemporalCsv('a,b,c,d,e\n0,1,4,1,9\n', { file: 'j.csv' }), InputError, 'without src/dst/t names auto reads an edge file and fails');
});

test('errors: InputError naming file and line (and the column of a bad cell)', () => {
  let e = throwsInput(() => parseTemporalCsv('', { file: 'empty.csv' }), 'empty.csv', 'empty');
  assert.deepEqual(e.location, { file: 'empty.csv' });
  throwsInput(() => parseTemporalCsv('\n  \n\n', { file: 'blank.csv' }), 'empty');
  e = throwsInput(() => parseTemporalCsv('\na,b,c\n1,2,3\n', { file: 'm.csv' }), 'm.csv', 'src, dst, t');
  assert.equal(e.location.line, 2, 'the header line (after a blank line)');
  e = throwsInput(() => parseTemporalCsv('src,b,t\n1,2,3\n', { file: 'm.csv' }), 'no dst column');
  assert.equal(e.location.line, 1);
  e = throwsInput(() => parseTemporalCsv('user_id,item_id,ts\n0,0,1\n', { file: 'j.csv', format: 'jodie' }), 'at least 4 columns');
  assert.equal(e.location.line, 1);
  e = throwsInput(() => parseTemporalCsv('src,dst,t\na,b,1\n\nc,d,soon\n', { file: 'time.csv' }), 'time.csv', 'line 4', "'soon'");
  assert.deepEqual(e.location, { file: 'time.csv', line: 4, column: 't' });
  e = throwsInput(() => parseTemporalCsv('src,dst,t,f\na,b,1,0.5\nc,d,2,NaN\n', { file: 'nan.csv' }), 'line 3', 'column f');
  assert.equal(e.location.column, 'f');
  e = throwsInput(() => parseTemporalCsv('user_id,item_id,timestamp,state_label,features\n0,0,1,0,0.5,1\n0,0,2,0,0.5,nan\n', { file: 'jnan.csv' }), 'line 3');
  assert.equal(e.location.column, '6 (feature 2)');
  e = throwsInput(() => parseTemporalCsv('src,dst,t,f\na,b,1,0.5\nc,d,2,1,7\n', { file: 'cells.csv' }), 'line 3', '5 cells', 'header has 4');
  e = throwsInput(() => parseTemporalCsv('src,dst,t,f\na,b,1,0.5\nc,d,2\n', { file: 'cells.csv' }), 'line 3');
  e = throwsInput(() => parseTemporalCsv('src,dst,t\na,b\n', { file: 'short.csv' }), 'line 2', '2 cells, expected at least 3');
  e = throwsInput(() => parseTemporalCsv('user_id,item_id,timestamp,state_label\n0,0,1,0,0.5\n0,0,2,0\n', { file: 'ragged.csv' }), 'line 3', '0 feature cells', 'first interaction has 1');
  e = throwsInput(() => parseTemporalCsv('src,dst,t\na,,1\n', { file: 'id.csv' }), 'empty node id');
  assert.deepEqual(e.location, { file: 'id.csv', line: 2, column: 'dst' });
  e = throwsInput(() => parseTemporalCsv('src,dst,t\na,b,\n', { file: 'id.csv' }), 'empty cell');
  assert.equal(e.location.column, 't');
  e = throwsInput(() => parseTemporalCsv('src,dst,t,label\na,b,1,yes\n', { file: 'lab.csv' }), 'column label');
  e = throwsInput(() => parseTemporalCsv('src,dst,t\na,b,1\nb,c,2\n', { file: 'few.csv', minEvents: 3 }), 'few.csv', '2 interactions, at least 3');
  assert.equal(e.location.file, 'few.csv');
  throwsInput(() => parseTemporalCsv('src,dst,t\n', { file: 'none.csv' }), '0 interactions');
  assert.equal(parseTemporalCsv('src,dst,t\na,b,1\nb,c,2\n', { file: 'ok.csv', minEvents: 2 }).src.length, 2);
});

function sameGraph(a: TemporalGraph, b: TemporalGraph): void {
  assert.equal(b.numNodes, a.numNodes);
  assert.equal(b.numSources, a.numSources);
  assert.deepEqual(arr(b.src), arr(a.src));
  assert.deepEqual(arr(b.dst), arr(a.dst));
  assert.equal(b.timeOffset, a.timeOffset);
  assert.equal(b.t.length, a.t.length);
  for (let i = 0; i < a.t.length; i++) assert.ok(Math.abs(b.t[i]! - a.t[i]!) <= 1e-9 * Math.max(1, Math.abs(a.t[i]!)), `t[${i}]`);
  assert.deepEqual(arr(b.label), arr(a.label));
  assert.equal(b.edgeDim, a.edgeDim);
  assert.deepEqual(arr(b.edgeFeat), arr(a.edgeFeat));
}

test('formatJodieCsv round-trips through parseTemporalCsv (a read JODIE file and a synthetic graph)', () => {
  const g = parseTemporalCsv(JODIE, { file: 'w.csv' });
  const text = formatJodieCsv(g);
  assert.ok(text.startsWith('user_id,item_id,timestamp,state_label,f0,f1\n'));
  sameGraph(g, parseTemporalCsv(text, { file: 'w2.csv' }));
  // A generated graph keeps only the users and items that interact, so its ids are 0…K−1 per side in the file.
  for (const o of [
    { events: 300, users: 6, items: 5, featureDim: 3, seed: 4 },
    { events: 200, users: 300, items: 80, featureDim: 2, seed: 1 },
  ]) {
    const s = syntheticTemporalGraph(o);
    assert.ok(s.numSources <= o.users);
    sameGraph(s, parseTemporalCsv(formatJodieCsv(s), { file: 's.csv' }));
  }
  const edges = parseTemporalCsv('src,dst,t\na,b,1\n', { file: 'e.csv' });
  assert.throws(() => formatJodieCsv(edges), /not bipartite/);
});

test('formatJodieCsv round-trips a graph without edge features', () => {
  const g = parseTemporalCsv('user_id,item_id,timestamp,state_label\n0,0,1,0\n1,0,2,1\n', { file: 'nofeat.csv' });
  assert.equal(g.edgeDim, 0);
  const text = formatJodieCsv(g);
  assert.ok(!text.split('\n')[0]!.endsWith(','), `header ${JSON.stringify(text.split('\n')[0])}`);
  sameGraph(g, parseTemporalCsv(text, { file: 'nofeat2.csv' }));
});

test('parseTemporalQueries: names looked up per side, times rebased by the graph offset, unknown nodes → 0 and counted', () => {
  const g = parseTemporalCsv(JODIE, { file: 'w.csv' });
  const q = parseTemporalQueries('user_id,item_id,timestamp,extra\n0,1,12,x\n9,0,6,x\n\n2,7,8,x\n', { file: 'q.csv', graph: g });
  assert.deepEqual(arr(q.src), [1, 0, 3]);
  assert.deepEqual(arr(q.dst), [5, 4, 0], "item '0' is node 4 (item side), not user 0's node 1");
  assert.deepEqual(arr(q.t), [7, 1, 3]);
  assert.deepEqual(arr(q.lines), [2, 3, 5]);
  assert.deepEqual(q.srcNames, ['0', '9', '2']);
  assert.deepEqual(q.dstNames, ['1', '0', '7']);
  assert.equal(q.unknownSrc, 1);
  assert.equal(q.unknownDst, 1);
  const e = parseTemporalCsv('src,dst,t\na,b,101\nb,c,102\n', { file: 'e.csv' });
  const qe = parseTemporalQueries('t,dst,src\n150,a,c\n100,zz,b\n', { file: 'q.csv', graph: e });
  assert.deepEqual(arr(qe.src), [3, 2]);
  assert.deepEqual(arr(qe.dst), [1, 0]);
  assert.deepEqual(arr(qe.t), [49, -1]);
  assert.equal(qe.unknownDst, 1);
  assert.equal(qe.unknownSrc, 0);
});

test('parseTemporalQueries: errors name file and line', () => {
  const g = parseTemporalCsv(JODIE, { file: 'w.csv' });
  throwsInput(() => parseTemporalQueries('', { file: 'q.csv', graph: g }), 'q.csv', 'empty');
  let e = throwsInput(() => parseTemporalQueries('a,b\n1,2\n', { file: 'q.csv', graph: g }), 'src, dst, t');
  assert.equal(e.location.line, 1);
  e = throwsInput(() => parseTemporalQueries('src,dst,t\n0,0,1\n0,0,later\n', { file: 'q.csv', graph: g }), 'line 3');
  assert.deepEqual(e.location, { file: 'q.csv', line: 3, column: 't' });
  e = throwsInput(() => parseTemporalQueries('src,dst,t\n0,0\n', { file: 'q.csv', graph: g }), 'line 2');
  e = throwsInput(() => parseTemporalQueries('src,dst,t\n,0,1\n', { file: 'q.csv', graph: g }), 'empty node id');
  assert.equal(e.location.column, 'src');
  throwsInput(() => parseTemporalQueries('src,dst,t\n', { file: 'q.csv', graph: g }), 'no queries');
});

// Node 1: (2, e1, 1), (3, e2, 2), (2, e3, 2), (4, e4, 4); node 3: (1, e2, 2), (2, e5, 5); node 5 has none.
// Given out of time order: the finder sorts each node's run by time, ties in insertion order.
const EDGES = { src: [1, 2, 1, 1, 1], dst: [4, 3, 2, 3, 2], eid: [4, 5, 1, 2, 3], t: [4, 5, 1, 2, 2] };

test('neighbour finder: before(v, t) is strictly before t, oldest first, ties in insertion order', () => {
  const f = TemporalNeighborFinder.build(5, EDGES);
  assert.equal(f.findBefore, 'strict');
  const b = (v: number, t: number) => {
    const r = f.before(v, t);
    return [arr(r.nodes), arr(r.eids), arr(r.times)];
  };
  assert.deepEqual(b(1, 100), [
    [2, 3, 2, 4],
    [1, 2, 3, 4],
    [1, 2, 2, 4],
  ]);
  assert.deepEqual(b(1, 2)[1], [1], 'edges at exactly t are not before t');
  assert.deepEqual(b(1, 2.5)[1], [1, 2, 3]);
  assert.deepEqual(b(1, 4)[1], [1, 2, 3]);
  assert.deepEqual(b(1, 1)[1], []);
  assert.deepEqual(b(3, 10), [
    [1, 2],
    [2, 5],
    [2, 5],
  ]);
  assert.deepEqual(b(5, 10)[1], []);
  assert.deepEqual(b(0, 10)[1], [], 'the padding node has no neighbours');
  assert.equal(f.degree(1), 4);
  assert.equal(f.degree(5), 0);
});

test("neighbour finder 'official': the official find_before drops the most recent neighbour (none for a single one)", () => {
  const f = TemporalNeighborFinder.build(5, EDGES, { findBefore: 'official' });
  assert.deepEqual(arr(f.before(1, 100).eids), [1, 2, 3], 'e4 (the most recent) dropped');
  assert.deepEqual(arr(f.before(1, 2.5).eids), [1, 2]);
  assert.deepEqual(arr(f.before(1, 2).eids), [], 'one neighbour before t → none');
  assert.deepEqual(arr(f.before(3, 10).eids), [2]);
  assert.deepEqual(arr(f.before(4, 10).eids), [], 'a node with a single neighbour gets none');
  // In general: official = the strict list without its last entry, on random graphs and cuts.
  const rng = new Rng(11);
  const m = 300;
  const e = {
    src: Int32Array.from({ length: m }, () => 1 + rng.int(12)),
    dst: Int32Array.from({ length: m }, () => 1 + rng.int(12)),
    eid: Int32Array.from({ length: m }, (_, i) => i + 1),
    t: Float64Array.from({ length: m }, () => rng.int(40)),
  };
  const strict = TemporalNeighborFinder.build(12, e);
  const official = TemporalNeighborFinder.build(12, e, { findBefore: 'official' });
  for (let v = 0; v <= 12; v++) {
    for (const cut of [-1, 0, 0.5, 3, 10, 17.5, 20, 39, 40, 100]) {
      const s = arr(strict.before(v, cut).eids);
      assert.deepEqual(arr(official.before(v, cut).eids), s.slice(0, Math.max(0, s.length - 1)), `node ${v} cut ${cut}`);
      const blk = official.sample([v], [cut], 2 * m, 'recent');
      assert.equal(arr(blk.eids).filter((x) => x !== 0).length, Math.max(0, s.length - 1));
    }
  }
});

test("sampling 'recent' and 'first': the n most recent / earliest before t, oldest first, left-padded with 0", () => {
  const f = TemporalNeighborFinder.build(5, EDGES);
  const r = f.sample([1, 1, 1], [100, 100, 2.5], 3, 'recent');
  assert.equal(r.rows, 3);
  assert.equal(r.n, 3);
  assert.deepEqual(arr(r.eids), [2, 3, 4, 2, 3, 4, 1, 2, 3]);
  assert.deepEqual(arr(r.nodes), [3, 2, 4, 3, 2, 4, 2, 3, 2]);
  assert.deepEqual(arr(r.times), [2, 2, 4, 2, 2, 4, 1, 2, 2]);
  const wide = f.sample([1, 3], [100, 3], 6, 'recent');
  assert.deepEqual(arr(wide.eids), [0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(arr(wide.nodes), [0, 0, 2, 3, 2, 4, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(arr(wide.times), [0, 0, 1, 2, 2, 4, 0, 0, 0, 0, 0, 2]);
  const first = f.sample([1, 1], [100, 2.5], 2, 'first');
  assert.deepEqual(arr(first.eids), [1, 2, 1, 2]);
  const firstWide = f.sample([1], [2.5], 5, 'first');
  assert.deepEqual(arr(firstWide.eids), [0, 0, 1, 2, 3]);
});

test('nodes without history before t get all-zero padding rows (every strategy)', () => {
  const f = TemporalNeighborFinder.build(5, EDGES);
  for (const s of ['recent', 'first', 'uniform'] as const) {
    const b = f.sample([5, 1, 0, 3], [10, 0.5, 10, 2], 4, s, new Rng(1));
    assert.deepEqual(arr(b.nodes), new Array(16).fill(0), s);
    assert.deepEqual(arr(b.eids), new Array(16).fill(0), s);
    assert.deepEqual(arr(b.times), new Array(16).fill(0), s);
  }
  assert.throws(() => f.sample([1, 2], [1], 2, 'recent'), /2 nodes but 1 times/);
});

test("sampling 'uniform': with replacement among the earlier neighbours only, time-sorted, repeatable per seed", () => {
  const f = TemporalNeighborFinder.build(5, EDGES);
  const a = f.sample([1, 1, 3], [2.5, 2, 100], 40, 'uniform', new Rng(3));
  const row = (b: typeof a, i: number) => arr(b.eids.subarray(i * 40, (i + 1) * 40));
  assert.ok(
    row(a, 0).every((e) => e === 1 || e === 2 || e === 3),
    'only e1…e3 are before 2.5',
  );
  assert.deepEqual(new Set(row(a, 0)), new Set([1, 2, 3]), '40 draws with replacement hit all three');
  assert.deepEqual(row(a, 1), new Array(40).fill(1), 'only e1 is before 2');
  assert.deepEqual(new Set(row(a, 2)), new Set([2, 5]));
  for (let i = 0; i < 3; i++) {
    const ts = arr(a.times.subarray(i * 40, (i + 1) * 40));
    for (let j = 1; j < 40; j++) assert.ok(ts[j]! >= ts[j - 1]!, 'sorted by time');
  }
  // Node and time columns belong to the edge sampled.
  const byEid = new Map([
    [1, [2, 1]],
    [2, [3, 2]],
    [3, [2, 2]],
  ]);
  for (let j = 0; j < 40; j++) assert.deepEqual([a.nodes[j], a.times[j]], byEid.get(a.eids[j]!));
  const again = f.sample([1, 1, 3], [2.5, 2, 100], 40, 'uniform', new Rng(3));
  assert.deepEqual([arr(again.nodes), arr(again.eids), arr(again.times)], [arr(a.nodes), arr(a.eids), arr(a.times)]);
  const other = f.sample([1, 1, 3], [2.5, 2, 100], 40, 'uniform', new Rng(4));
  assert.notDeepEqual(arr(other.eids), arr(a.eids));
  assert.throws(() => f.sample([1], [3], 2, 'uniform'), /needs an rng/);
});

test('withEdges: added edges are seen from both ends by later queries, merged in time order (base first on ties); the base finder is unchanged', () => {
  const f = TemporalNeighborFinder.build(5, EDGES);
  const g = f.withEdges({ src: [5, 1], dst: [1, 4], eid: [100, 101], t: [3, 2] });
  assert.deepEqual(arr(g.before(1, 100).eids), [1, 2, 3, 101, 100, 4]);
  assert.deepEqual(arr(g.before(1, 100).times), [1, 2, 2, 2, 3, 4]);
  assert.deepEqual(arr(g.before(5, 10).nodes), [1]);
  assert.deepEqual(arr(g.before(5, 3).eids), [], 'strictly before t holds for added edges too');
  assert.deepEqual(arr(g.before(4, 10).eids), [101, 4]);
  assert.equal(g.degree(1), 6);
  assert.deepEqual(arr(f.before(5, 10).eids), [], 'the base finder does not see them');
  assert.equal(f.degree(1), 4);
  const r = g.sample([1, 5, 2], [3.5, 10, 0], 3, 'recent');
  assert.deepEqual(arr(r.eids), [3, 101, 100, 0, 0, 100, 0, 0, 0]);
  const u = g.sample([5], [10], 6, 'uniform', new Rng(2));
  assert.deepEqual(arr(u.eids), new Array(6).fill(100));
  assert.throws(() => g.withEdges({ src: [], dst: [], eid: [], t: [] }), /already layered/);
});

// The official TGSL (`MTL.py`) builds one NeighborFinder over adj_list + added edges, so its find_before drops only the
// single most recent neighbour of the combined, time-sorted list (not one per layer).
test("withEdges with findBefore 'official': the quirk drops only the most recent neighbour of the combined list (as MTL.py's NeighborFinder(adj_list_aug))", () => {
  const fo = TemporalNeighborFinder.build(5, EDGES, { findBefore: 'official' }).withEdges({ src: [5, 1], dst: [1, 4], eid: [100, 101], t: [3, 2] });
  assert.equal(fo.findBefore, 'official');
  // Combined run of node 1: e1 (1), e2 (2), e3 (2), e101 (2), e100 (3), e4 (4) → official drops e4 only.
  assert.deepEqual(arr(fo.before(1, 100).eids), [1, 2, 3, 101, 100]);
  // Node 5 has a single (added) neighbour → none, as official; node 4: e101 (2), e4 (4) → e101.
  assert.deepEqual(arr(fo.before(5, 10).eids), []);
  assert.deepEqual(arr(fo.before(4, 10).eids), [101]);
  // Before 3.5: e1, e2, e3, e101, e100 are before → official keeps the first four.
  assert.deepEqual(arr(fo.before(1, 3.5).eids), [1, 2, 3, 101]);
});

const SPLIT_GRAPH = syntheticTemporalGraph({ events: 2000, users: 120, items: 40, featureDim: 2, seed: 9 });

test('quantileSorted is numpy’s linear quantile', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([0, 10], 0.7), 7);
  assert.ok(Math.abs(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.85) - 8.65) < 1e-12);
  assert.equal(quantileSorted([5], 0.3), 5);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
});

test('temporalSplit: 70 / 85 % time cuts; ~10 % new nodes from after the validation cut, absent from training; disjoint sets in their periods', () => {
  const g = SPLIT_GRAPH;
  const n = g.src.length;
  const s = temporalSplit(g, { seed: 1 });
  const sorted = Float64Array.from(g.t).sort();
  assert.equal(s.valTime, quantileSorted(sorted, 0.7));
  assert.equal(s.testTime, quantileSorted(sorted, 0.85));
  assert.ok(s.valTime < s.testTime);
  const all = new Set<number>();
  const late = new Set<number>();
  for (let i = 0; i < n; i++) {
    all.add(g.src[i]!).add(g.dst[i]!);
    if (g.t[i]! > s.valTime) late.add(g.src[i]!).add(g.dst[i]!);
  }
  const masked = new Set(s.maskedNodes);
  assert.equal(masked.size, Math.floor(0.1 * all.size));
  assert.ok(masked.size > 0);
  for (const v of masked) assert.ok(late.has(v), `new node ${v} is seen after the validation cut`);
  const inTrain = new Set(s.train);
  const inVal = new Set(s.val);
  const inTest = new Set(s.test);
  for (let i = 0; i < n; i++) {
    const t = g.t[i]!;
    const touchesNew = masked.has(g.src[i]!) || masked.has(g.dst[i]!);
    const sets = Number(inTrain.has(i)) + Number(inVal.has(i)) + Number(inTest.has(i));
    assert.ok(sets <= 1, `interaction ${i} is in ${sets} sets`);
    assert.equal(inTrain.has(i), t <= s.valTime && !touchesNew, `train membership of ${i}`);
    assert.equal(inVal.has(i), t > s.valTime && t <= s.testTime, `validation membership of ${i}`);
    assert.equal(inTest.has(i), t > s.testTime, `test membership of ${i}`);
  }
  // Positions are in time order.
  for (const set of [s.train, s.val, s.test, s.newVal, s.newTest]) for (let j = 1; j < set.length; j++) assert.ok(set[j]! > set[j - 1]!);
  const trainNodes = new Set<number>();
  let tMax = Number.NEGATIVE_INFINITY;
  for (const i of s.train) {
    trainNodes.add(g.src[i]!).add(g.dst[i]!);
    tMax = Math.max(tMax, g.t[i]!);
  }
  assert.deepEqual(
    arr(s.trainNodes),
    [...trainNodes].sort((a, b) => a - b),
  );
  for (const v of masked) assert.ok(!trainNodes.has(v), 'no training interaction touches a new node');
  assert.equal(s.tMax, tMax);
  assert.ok(s.tMax <= s.valTime);
  const isNew = (i: number) => !trainNodes.has(g.src[i]!) || !trainNodes.has(g.dst[i]!);
  assert.deepEqual(arr(s.newVal), arr(s.val).filter(isNew));
  assert.deepEqual(arr(s.newTest), arr(s.test).filter(isNew));
  assert.ok(s.newVal.length > 0 && s.newTest.length > 0);
  assert.ok(s.newVal.length < s.val.length);
  // Every held-out interaction of a new node is inductive.
  for (const i of s.test) if (masked.has(g.src[i]!) || masked.has(g.dst[i]!)) assert.ok(s.newTest.includes(i));
  // Sizes near the quantiles.
  assert.ok(Math.abs(s.val.length - 0.15 * n) < 0.02 * n && Math.abs(s.test.length - 0.15 * n) < 0.02 * n);
});

test('temporalSplit: same seed → same split; another seed → other new nodes; options; empty sets are InputErrors', () => {
  const g = SPLIT_GRAPH;
  const a = temporalSplit(g, { seed: 5 });
  const b = temporalSplit(g, { seed: 5 });
  assert.deepEqual(b, a);
  const c = temporalSplit(g, { seed: 6 });
  assert.notDeepEqual(arr(c.maskedNodes), arr(a.maskedNodes));
  assert.notDeepEqual(arr(c.train), arr(a.train));
  assert.equal(c.maskedNodes.length, a.maskedNodes.length);
  const none = temporalSplit(g, { seed: 5, newNodeShare: 0 });
  assert.equal(none.maskedNodes.length, 0);
  assert.equal(none.newVal.length + none.newTest.length > 0, true, 'nodes first seen after the cut are still new');
  const q = temporalSplit(g, { seed: 5, valQuantile: 0.5, testQuantile: 0.6 });
  assert.equal(q.valTime, quantileSorted(Float64Array.from(g.t).sort(), 0.5));
  const flat: TemporalGraph = { ...g, name: 'flat.csv', t: new Float64Array(g.t.length) };
  const e = throwsInput(() => temporalSplit(flat, { seed: 0 }), 'validation split', 'empty');
  assert.equal(e.location.file, 'flat.csv');
});

test('RandomDestinationSampler: draws only from the distinct destinations, uniformly and seeded', () => {
  const s = new RandomDestinationSampler([9, 4, 4, 7, 9]);
  assert.deepEqual(arr(s.destinations), [4, 7, 9]);
  const a = s.sample(3000, new Rng(8));
  assert.ok(arr(a).every((d) => d === 4 || d === 7 || d === 9));
  for (const d of [4, 7, 9]) {
    const share = arr(a).filter((x) => x === d).length / a.length;
    assert.ok(Math.abs(share - 1 / 3) < 0.04, `share of ${d}: ${share}`);
  }
  assert.deepEqual(arr(s.sample(50, new Rng(8))), arr(a.subarray(0, 50)));
  assert.notDeepEqual(arr(s.sample(50, new Rng(9))), arr(a.subarray(0, 50)));
  assert.throws(() => new RandomDestinationSampler([]), /no destinations/);
});

test('syntheticTemporalGraph: seeded, requested size, bipartite, times non-decreasing from 0, repeated interactions', () => {
  const o = { events: 600, users: 50, items: 20, featureDim: 4 };
  const a = syntheticTemporalGraph({ ...o, seed: 3 });
  const b = syntheticTemporalGraph({ ...o, seed: 3 });
  assert.deepEqual(b, a);
  const c = syntheticTemporalGraph({ ...o, seed: 4 });
  assert.notDeepEqual(arr(c.dst), arr(a.dst));
  assert.equal(a.src.length, 600);
  assert.equal(a.dst.length, 600);
  assert.equal(a.t.length, 600);
  assert.equal(a.label.length, 600);
  assert.equal(a.edgeDim, 4);
  assert.equal(a.edgeFeat.length, 600 * 4);
  assert.ok(arr(a.edgeFeat).every(Number.isFinite));
  assert.equal(a.bipartite, true);
  // Users and items that interact, renumbered contiguously: users 1…U', items U'+1…U'+I'.
  const users = new Set(a.src);
  const items = new Set(a.dst);
  assert.ok(users.size <= 50 && users.size > 25 && items.size <= 20 && items.size > 10, `${users.size} users, ${items.size} items`);
  assert.equal(a.numSources, users.size);
  assert.equal(a.numNodes, users.size + items.size);
  assert.equal(a.nodeNames.length, a.numNodes + 1);
  assert.deepEqual(
    [...users].sort((x, y) => x - y),
    Array.from({ length: users.size }, (_, i) => i + 1),
  );
  assert.deepEqual(
    [...items].sort((x, y) => x - y),
    Array.from({ length: items.size }, (_, i) => users.size + 1 + i),
  );
  assert.equal(a.t[0], 0);
  assert.equal(a.timeOffset, 0);
  for (let i = 1; i < 600; i++) assert.ok(a.t[i]! >= a.t[i - 1]!);
  assert.ok(a.t[599]! > 0);
  const d = describeTemporalGraph(a);
  assert.ok(d.repeatShare > 0.3, `repeat share ${d.repeatShare}`);
  assert.ok(d.distinctPairs > 50);
  const fewRepeats = describeTemporalGraph(syntheticTemporalGraph({ ...o, seed: 3, pRepeat: 0, pCommunity: 0 }));
  assert.ok(fewRepeats.repeatShare < d.repeatShare, 'the repeats come from pRepeat');
  assert.equal(syntheticTemporalGraph({ events: 50 }).src.length, 50);
  assert.throws(() => syntheticTemporalGraph({ events: 0 }), RangeError);
  assert.throws(() => syntheticTemporalGraph({ users: 2.5 }), RangeError);
});
