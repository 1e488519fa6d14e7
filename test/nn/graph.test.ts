import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { segmentMax, segmentMean, segmentSoftmax, segmentSum, softmaxAggregate, scatter } from '../../src/nn/graph/scatter.js';
import { MessagePassing, type MessageContext, type PropagateInputs } from '../../src/nn/graph/message_passing.js';
import { addSelfLoops, degree, edgeIndexFrom } from '../../src/nn/graph/edges.js';
import { collate, type GraphSample } from '../../src/nn/graph/batch.js';
import { GlobalAttention, globalAddPool, globalMaxPool, globalMeanPool } from '../../src/nn/graph/pool.js';
import { Linear } from '../../src/nn/linear.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const S = nnFixtures('graph').scatter;

test('segment sum / mean / max / softmax aggregation: values and gradients equal torch (scatter_reduce, autograd)', () => {
  const x = fx(S.x);
  const idx = tf.tensor1d(S.index, 'int32');
  const n = S.numSegments as number;
  const R = fx(S.r);
  const ops: Record<string, (v: tf.Tensor) => tf.Tensor> = {
    sum: (v) => segmentSum(v, idx, n),
    mean: (v) => segmentMean(v, idx, n),
    max: (v) => segmentMax(v, idx, n),
    softmaxT2: (v) => softmaxAggregate(v, idx, n, 2),
  };
  for (const [k, op] of Object.entries(ops)) {
    const y = op(x);
    assertClose(y, S[k].y, 1e-6, 1e-5, `${k} value`);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(op(v), R)))(x);
    assertClose(g, S[k].gradX, 1e-6, 1e-5, `${k} gradient`);
    tf.dispose([y, g]);
    assertNoLeak(k, () => op(x));
  }
  // The empty segment (4) is 0 for every reduction, as torch_scatter.
  assert.deepEqual(Array.from(segmentMax(x, idx, n).dataSync().slice(12)), [0, 0, 0]);
  assert.throws(() => scatter(x, idx, n, 'min' as never), /unknown reduction/);
  assert.throws(() => segmentSum(x, tf.tensor1d([0, 1], 'int32'), n), /9 rows but 2/);
  const es = S.edgeSoftmax;
  const s = fx(es.scores);
  assertClose(segmentSoftmax(s, idx, n), es.y, 1e-6, 1e-5, 'edge softmax');
  const gs = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(segmentSoftmax(v, idx, n), fx(es.r))))(s);
  assertClose(gs, es.gradScores, 1e-6, 1e-5, 'edge softmax gradient');
  tf.dispose([x, idx, R, s, gs]);
});

test('segmentMax / segmentSoftmax: finite-difference gradient checks (ties split evenly)', () => {
  const rng = new Rng(70);
  const v = tf.variable(rand(rng, [6, 2]));
  const ids = tf.tensor1d([1, 0, 1, 2, 0, 1], 'int32');
  const R = rand(rng, [4, 2]);
  const R2 = rand(rng, [6, 2]);
  expectGradOk(() => tf.sum(tf.mul(segmentMax(v, ids, 4), R)) as tf.Scalar, [['v', v]], { eps: 1e-3 });
  expectGradOk(() => tf.sum(tf.mul(segmentSoftmax(v, ids, 4), R2)) as tf.Scalar, [['v', v]], { eps: 1e-3 });
  // A tie: both maximal entries get half of the upstream gradient.
  const g = tf.grad((a: tf.Tensor) => tf.sum(segmentMax(a, tf.tensor1d([0, 0, 0], 'int32'), 1)))(tf.tensor1d([2, 5, 5]));
  assert.deepEqual(Array.from(g.dataSync()), [0, 0.5, 0.5]);
  tf.dispose([v, ids, R, R2, g]);
});

/** A conv whose messages are given per edge, so propagate's routing is checked against the scatter fixture. */
class GivenMessages extends MessagePassing<PropagateInputs & { m: tf.Tensor }> {
  protected override message(ctx: MessageContext<PropagateInputs & { m: tf.Tensor }>): tf.Tensor {
    return ctx.inputs.m;
  }
}

/** x_j·w_e summed at the target, then an update that adds the node's own state. */
class WeightedSum extends MessagePassing<{ x: tf.Tensor2D; w: tf.Tensor1D }> {
  protected override message(ctx: MessageContext<{ x: tf.Tensor2D; w: tf.Tensor1D }>): tf.Tensor {
    return tf.mul(ctx.xJ(), tf.reshape(ctx.inputs.w, [-1, 1]));
  }
  protected override update(aggregated: tf.Tensor, ctx: MessageContext<{ x: tf.Tensor2D; w: tf.Tensor1D }>): tf.Tensor {
    return tf.add(aggregated, ctx.inputs.x);
  }
}

test('MessagePassing: message/aggregate/update routing, every aggregation, flow direction, bipartite x', () => {
  const m = fx(S.x);
  const n = S.numSegments as number;
  // Edge e goes from node 0 (irrelevant) to S.index[e].
  const ei = edgeIndexFrom(new Array(S.index.length).fill(0), S.index);
  for (const [aggr, key] of [
    ['sum', 'sum'],
    ['add', 'sum'],
    ['mean', 'mean'],
    ['max', 'max'],
  ] as const) {
    const conv = new GivenMessages({ aggr });
    assertClose(conv.propagate(ei, { m, numNodes: n }), S[key].y, 1e-6, 1e-5, aggr);
  }
  assertClose(new GivenMessages({ aggr: 'softmax', softmaxTemperature: 2 }).propagate(ei, { m, numNodes: n }), S.softmaxT2.y, 1e-6, 1e-5, 'softmax');
  const custom = new GivenMessages({ aggr: (msgs, index, N) => tf.mul(segmentSum(msgs, index, N), 2) });
  assertClose(custom.propagate(ei, { m, numNodes: n }), tf.mul(fx(S.sum.y), 2), 1e-6, 1e-5, 'custom aggregation');
  assert.throws(() => new GivenMessages().propagate(ei, { m }), /numNodes/);

  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const w = tf.tensor1d([1, 10, 100]);
  const edges = edgeIndexFrom([0, 1, 2], [1, 2, 1]); // 0→1, 1→2, 2→1
  const fwd = new WeightedSum().propagate(edges, { x, w });
  assertClose(fwd, [1, 2, 3 + 1 + 500, 4 + 2 + 600, 5 + 30, 6 + 40], 1e-5, 1e-6, 'source_to_target');
  // Reversed flow: messages go from edge_index[1] to edge_index[0].
  const rev = new WeightedSum({ flow: 'target_to_source' }).propagate(edges, { x, w });
  assertClose(rev, [1 + 3, 2 + 4, 3 + 50, 4 + 60, 5 + 300, 6 + 400], 1e-5, 1e-6, 'target_to_source');
  // Bipartite: 2 senders, 3 receivers; x_j from the first tensor, rows from the second.
  class Bip extends MessagePassing {}
  const xs = tf.tensor2d([
    [1, 1],
    [2, 2],
  ]);
  const xt = tf.zeros([3, 2]);
  assertClose(new Bip().propagate(edgeIndexFrom([0, 1, 1], [2, 2, 0]), { x: [xs, xt] }), [2, 2, 0, 0, 3, 3], 0, 0, 'bipartite');
  const xv = tf.variable(rand(new Rng(71), [3, 2]));
  const R = rand(new Rng(72), [3, 2]);
  const conv = new WeightedSum({ aggr: 'max' });
  expectGradOk(() => tf.sum(tf.mul(conv.propagate(edges, { x: xv as unknown as tf.Tensor2D, w }), R)) as tf.Scalar, [['x', xv]], { eps: 1e-3 });
  assertNoLeak('propagate', () => conv.propagate(edges, { x, w }));
  tf.dispose([m, ei, x, w, edges, fwd, rev, xs, xt, xv, R]);
});

test('edges: addSelfLoops appends i → i after the edges, degree counts', () => {
  const r = tf.tidy(() => {
    const { src, dst } = addSelfLoops(edgeIndexFrom([0, 2], [1, 1]), 3);
    return [src, dst, degree(dst, 3)];
  });
  assert.deepEqual(Array.from(r[0]!.dataSync()), [0, 2, 0, 1, 2]);
  assert.deepEqual(Array.from(r[1]!.dataSync()), [1, 1, 0, 1, 2]);
  assert.deepEqual(Array.from(r[2]!.dataSync()), [1, 3, 1]);
  tf.dispose(r);
});

test('collate: disjoint union with node/edge offsets, batch vector, features, targets; errors', () => {
  const graphs: GraphSample[] = [
    { numNodes: 3, src: [0, 1], dst: [1, 2], x: Int32Array.from([1, 0, 2, 0, 3, 1]), edgeAttr: Int32Array.from([0, 0, 1, 0]), y: [1, -1] },
    { numNodes: 1, src: [], dst: [], x: Int32Array.from([5, 0]), edgeAttr: Int32Array.from([]), y: [0, 1] },
    { numNodes: 2, src: [1, 0], dst: [0, 1], x: Int32Array.from([7, 2, 8, 0]), edgeAttr: Int32Array.from([3, 1, 3, 2]), y: [1, 1] },
  ];
  const b = collate(graphs);
  assert.equal(b.numGraphs, 3);
  assert.equal(b.numNodes, 6);
  assert.equal(b.numEdges, 4);
  assert.deepEqual(Array.from(b.nodePtr), [0, 3, 4, 6]);
  assert.deepEqual(Array.from(b.edgePtr), [0, 2, 2, 4]);
  assert.deepEqual(Array.from(b.batch.dataSync()), [0, 0, 0, 1, 2, 2]);
  assert.deepEqual(b.edgeIndex.arraySync(), [
    [0, 1, 5, 4],
    [1, 2, 4, 5],
  ]);
  assert.equal(b.x!.dtype, 'int32');
  assert.deepEqual(b.x!.shape, [6, 2]);
  assert.deepEqual(b.edgeAttr!.arraySync(), [
    [0, 0],
    [1, 0],
    [3, 1],
    [3, 2],
  ]);
  assert.deepEqual(b.y!.arraySync(), [
    [1, -1],
    [0, 1],
    [1, 1],
  ]);
  assert.deepEqual(b.graphSizes(), [3, 1, 2]);
  b.dispose();
  const lone = collate([{ numNodes: 1, src: [], dst: [], edgeAttr: [] }], { edgeAttrWidth: 2, edgeAttrDtype: 'int32' });
  assert.deepEqual(lone.edgeAttr!.shape, [0, 2]);
  assert.equal(lone.x, null);
  lone.dispose();
  assert.throws(() => collate([{ numNodes: 2, src: [0], dst: [2] }]), /outside its 2 nodes/);
  assert.throws(() => collate([{ numNodes: 2, src: [0], dst: [1], x: [1, 2, 3] }]), /not a multiple/);
  assert.throws(
    () =>
      collate([
        { numNodes: 1, src: [], dst: [], x: [1] },
        { numNodes: 1, src: [], dst: [], x: [1, 2] },
      ]),
    /width 2/,
  );
  assert.throws(
    () =>
      collate([
        { numNodes: 1, src: [], dst: [], x: [1] },
        { numNodes: 1, src: [], dst: [] },
      ]),
    /some graphs have x/,
  );
});

test('global pooling: sum / mean / max with an empty graph, GlobalAttention gates sum to 1 per graph, gradients', () => {
  const rng = new Rng(73);
  const x = tf.variable(rand(rng, [5, 3]));
  const batch = tf.tensor1d([0, 0, 2, 2, 2], 'int32'); // graph 1 is empty
  const sums = globalAddPool(x, batch, 3).arraySync() as number[][];
  const xs = x.arraySync() as number[][];
  assertClose(
    sums[0]!,
    xs[0]!.map((v, f) => v + xs[1]![f]!),
    1e-6,
    1e-6,
    'sum',
  );
  assert.deepEqual(sums[1], [0, 0, 0]);
  assertClose(
    (globalMeanPool(x, batch, 3).arraySync() as number[][])[2]!,
    xs[2]!.map((v, f) => (v + xs[3]![f]! + xs[4]![f]!) / 3),
    1e-6,
    1e-6,
    'mean',
  );
  const mx = globalMaxPool(x, batch, 3).arraySync() as number[][];
  assert.deepEqual(mx[1], [0, 0, 0]);
  assertClose(
    mx[2]!,
    xs[2]!.map((v, f) => Math.max(v, xs[3]![f]!, xs[4]![f]!)),
    0,
    0,
    'max',
  );
  const ga = new GlobalAttention(new Linear(3, 1, rng));
  assert.deepEqual([...ga.stateDict().keys()], ['gate_nn.weight', 'gate_nn.bias']);
  const gate = ga.gate(x, batch, 3);
  const gs = segmentSum(gate, batch, 3).dataSync();
  assertClose([gs[0]!, gs[2]!], [1, 1], 1e-6, 0, 'gate sums');
  const R = rand(rng, [3, 3]);
  expectGradOk(() => tf.sum(tf.mul(ga.forward(x, batch, 3), R)) as tf.Scalar, [...ga.namedParameters(), ['x', x]], { eps: 1e-3 });
  expectGradOk(() => tf.sum(tf.mul(globalMaxPool(x, batch, 3), R)) as tf.Scalar, [['x', x]], { eps: 1e-3 });
  assertNoLeak('GlobalAttention', () => ga.forward(x, batch, 3));
  tf.dispose([x, batch, gate, R]);
  ga.dispose();
});

test('UnsortedSegmentSum gradient (the engine’s gather + mask): rows with a negative id get zero, others the segment’s upstream gradient', () => {
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ]);
  const ids = tf.tensor1d([1, -1, 0, 1], 'int32');
  const w = tf.tensor2d([
    [0.5, -1],
    [2, 3],
  ]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(v, ids, 2), w)))(x);
  assert.deepEqual(
    Array.from(g.dataSync(), (v) => v + 0),
    [2, 3, 0, 0, 0.5, -1, 2, 3],
  );
  tf.dispose([x, ids, w, g]);
});
