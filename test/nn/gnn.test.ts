import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { GNN, GNNGraphPred, type JKMode } from '../../src/nn/graph/gnn.js';
import { collate, type GraphSample } from '../../src/nn/graph/batch.js';
import { Adapter } from '../../src/nn/adapter.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, loadStateMixed, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const G = nnFixtures('graph').gnn;

function fixtureBatch() {
  const graphs: GraphSample[] = (G.graphs as Array<{ numNodes: number; x: number[][]; src: number[]; dst: number[]; edgeAttr: number[][] }>).map((g) => ({
    numNodes: g.numNodes,
    src: g.src,
    dst: g.dst,
    x: Int32Array.from(g.x.flat()),
    edgeAttr: Int32Array.from(g.edgeAttr.flat()),
  }));
  return collate(graphs, { edgeAttrWidth: 2 });
}

/** AdapterGNN's two parallel adapters per layer (docs/research/graph.md §1a), under Sheaf's branch names. */
function addAdapters(gnn: GNN, bottleneck: number, rng: Rng): void {
  const make = () => new Adapter(gnn.embDim, bottleneck, rng, { residual: false, scale: { learnable: 0.01 }, norm: 'batchnorm' });
  gnn.addBranch('adapters_in', 'input', make);
  gnn.addBranch('adapters_msg', 'aggregate', make);
}

/** AdapterGNN's tuned set (docs/research/graph.md §1a): adapters + scalars, backbone BN affine, GIN-MLP biases, the head. */
function adapterGNNTrainable(m: GNNGraphPred): void {
  m.freeze();
  m.unfreeze('gnn.adapters_in');
  m.unfreeze('gnn.adapters_msg');
  m.unfreeze('gnn.batch_norms');
  m.unfreeze(/^gnn\.gnns\.\d+\.mlp\.\d+\.bias$/);
  m.unfreeze('graph_pred_linear');
}

test('GNN (Hu et al.): pretrain-gnns state-dict names in order; exact parameter counts of docs/research/graph.md §1a', () => {
  const small = new GNN(2, 4, new Rng(80));
  const names = small.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 8), [
    'x_embedding1.weight',
    'x_embedding2.weight',
    'gnns.0.mlp.0.weight',
    'gnns.0.mlp.0.bias',
    'gnns.0.mlp.2.weight',
    'gnns.0.mlp.2.bias',
    'gnns.0.edge_embedding1.weight',
    'gnns.0.edge_embedding2.weight',
  ]);
  assert.deepEqual(names.slice(-2), ['batch_norms.1.weight', 'batch_norms.1.bias']);
  assert.deepEqual(
    small
      .namedBuffers()
      .map(([n]) => n)
      .slice(-3),
    ['batch_norms.1.running_mean', 'batch_norms.1.running_var', 'batch_norms.1.num_batches_tracked'],
  );
  // The full official key set of a 2-layer GNN (state_dict of pretrain-gnns' model.GNN).
  const official = ['x_embedding1.weight', 'x_embedding2.weight'];
  for (let l = 0; l < 2; l++) official.push(...['mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'edge_embedding1.weight', 'edge_embedding2.weight'].map((k) => `gnns.${l}.${k}`));
  for (let l = 0; l < 2; l++) official.push(...['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map((k) => `batch_norms.${l}.${k}`));
  assert.deepEqual([...small.stateDict().keys()].sort(), official.sort());
  small.dispose();
  // 5 × 300 (the paper's backbone): 1,857,900 = 36,900 node embeddings + 5 × 364,200.
  const rng = new Rng(81);
  const big = new GNNGraphPred(5, 300, 1, rng);
  assert.equal(big.gnn.numParameters(), 1_857_900);
  assert.equal(big.numParameters(), 1_858_201);
  addAdapters(big.gnn, 15, rng);
  assert.equal(big.numParameters(), 1_957_361);
  adapterGNNTrainable(big);
  assert.equal(big.numParameters(true), 106_961);
  big.dispose();
  // 5 × 64 (the CI-sized reference run B).
  const mid = new GNNGraphPred(5, 64, 1, rng);
  assert.equal(mid.gnn.numParameters(), 94_272);
  addAdapters(mid.gnn, 15, rng);
  assert.equal(mid.numParameters(), 115_617);
  adapterGNNTrainable(mid);
  assert.equal(mid.numParameters(true), 22_945);
  mid.dispose();
  assert.throws(() => new GNN(1, 4, rng), /≥ 2/);
  assert.throws(() => new GNN(2, 4, rng, { JK: 'mean' as JKMode }), /unknown JK/);
});

test('GNN equals the torch transcription of pretrain-gnns: node representations for every JK (eval)', () => {
  const b = fixtureBatch();
  for (const jk of ['last', 'concat', 'max', 'sum'] as const) {
    const gnn = new GNN(2, 8, new Rng(82), { JK: jk });
    loadStateMixed(gnn, G.state);
    gnn.eval();
    const h = gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!);
    assert.deepEqual(h.shape, [8, jk === 'concat' ? 24 : 8]);
    assertClose(h, G.nodeRep[jk], 1e-5, 1e-4, `JK ${jk}`);
    assertNoLeak(`forward JK ${jk}`, () => gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!));
    h.dispose();
    gnn.dispose();
  }
  b.dispose();
});

test('GNNGraphPred: logits equal torch for mean / sum / max / attention pooling; loadPretrained checks names first', () => {
  const b = fixtureBatch();
  for (const kind of ['mean', 'sum', 'max', 'attention'] as const) {
    const m = new GNNGraphPred(2, 8, 2, new Rng(83), { graphPooling: kind });
    const head = G.graphPred[kind];
    const names = [...m.stateDict().keys()].filter((k) => !k.startsWith('gnn.'));
    assert.deepEqual(names, Object.keys(head.state));
    const state: Record<string, unknown> = { ...head.state };
    for (const [k, v] of Object.entries(G.state)) state['gnn.' + k] = v;
    loadStateMixed(m, state as never);
    m.eval();
    const y = m.forwardBatch(b);
    assert.deepEqual(y.shape, [3, 2]);
    assertClose(y, head.logits, 1e-5, 1e-4, `pooling ${kind}`);
    y.dispose();
    m.dispose();
  }
  const m = new GNNGraphPred(2, 8, 2, new Rng(84));
  addAdapters(m.gnn, 3, new Rng(85));
  const dict = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(G.state)) dict.set(k, typeof v === 'number' ? tf.scalar(v, 'int32') : fx(v as never));
  const before = m.gnn.xEmbeddings[0]!.weight.dataSync()[0];
  dict.set('stray.weight', tf.zeros([1]));
  assert.throws(() => m.loadPretrained(dict), /unexpected \[stray\.weight\]/);
  assert.equal(m.gnn.xEmbeddings[0]!.weight.dataSync()[0], before, 'untouched after a refused load');
  dict.get('stray.weight')!.dispose();
  dict.delete('stray.weight');
  const left = m.loadPretrained(dict);
  assert.ok(left.length > 0 && left.every((k) => k.startsWith('adapters_')));
  assertClose(m.gnn.xEmbeddings[0]!.weight, G.state['x_embedding1.weight'], 0, 0, 'loaded');
  tf.dispose([...dict.values()]);
  m.dispose();
  b.dispose();
});

test('GNN training mode: batch statistics, running-stat updates and gradients equal torch autograd', () => {
  const b = fixtureBatch();
  const gnn = new GNN(2, 8, new Rng(86));
  loadStateMixed(gnn, G.state);
  gnn.train();
  const T = G.train;
  const R = fx(T.r);
  const vars = Object.keys(T.grads).map((n) => gnn.stateDict().get(n) as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!), R)) as tf.Scalar, vars);
  Object.keys(T.grads).forEach((n, i) => assertClose(grads[vars[i]!.name]!, T.grads[n], 1e-5, 1e-4, `grad ${n}`));
  const sd = gnn.stateDict();
  for (const [k, v] of Object.entries(T.stats)) assertClose(sd.get(k)!, v as never, 1e-5, 1e-4, k);
  assert.equal(sd.get('batch_norms.0.num_batches_tracked')!.dataSync()[0], 4);
  // One more train pass gives the fixture's (pre-update) output only when run from the same stats, so check it on a fresh copy.
  const fresh = new GNN(2, 8, new Rng(87));
  loadStateMixed(fresh, G.state);
  assertClose(fresh.forward(b.x!, b.edgeIndex, b.edgeAttr!), T.nodeRep, 1e-5, 1e-4, 'train-mode output');
  tf.dispose([R, value, ...Object.values(grads)]);
  gnn.dispose();
  fresh.dispose();
  b.dispose();
});

test('GNN side branches: AdapterGNN adapters after BatchNorm, before ReLU (eval and train) equal torch; zero-init is a no-op', () => {
  const b = fixtureBatch();
  const gnn = new GNN(2, 8, new Rng(88));
  loadStateMixed(gnn, G.state);
  gnn.eval();
  const plain = gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!);
  addAdapters(gnn, 3, new Rng(89));
  assert.deepEqual(gnn.branchNames(), ['adapters_in', 'adapters_msg']);
  assertClose(gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!), plain, 1e-6, 1e-6, 'zero-initialised adapters change nothing');
  assert.ok(gnn.stateDict().has('adapters_in.0.scale'));
  assert.ok(gnn.stateDict().has('adapters_msg.1.norm.running_var'));
  const state: Record<string, unknown> = { ...G.state, ...G.adapters.state };
  loadStateMixed(gnn, state as never);
  assertClose(gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!), G.adapters.eval, 1e-5, 1e-4, 'eval with adapters');
  gnn.train();
  assertClose(gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!), G.adapters.train, 1e-5, 1e-4, 'train with adapters');
  plain.dispose();
  gnn.dispose();
  b.dispose();
});

test('GNN: finite-difference gradient check in training mode (BatchNorm batch statistics, dropout off)', () => {
  const rng = new Rng(90);
  const gnn = new GNN(2, 3, rng, { nodeVocab: [5, 2], JK: 'concat' });
  addAdapters(gnn, 2, rng);
  // Non-zero up-projections so the adapter parameters have gradients.
  for (const [n, v] of gnn.namedParameters()) if (n.includes('up_proj.weight')) v.assign(rand(rng, v.shape));
  const b = collate([
    { numNodes: 3, src: [0, 1, 1, 2], dst: [1, 0, 2, 1], x: Int32Array.from([1, 0, 2, 1, 4, 0]), edgeAttr: Int32Array.from([0, 0, 0, 0, 3, 1, 3, 1]) },
    { numNodes: 2, src: [0, 1], dst: [1, 0], x: Int32Array.from([3, 1, 0, 0]), edgeAttr: Int32Array.from([1, 2, 1, 2]) },
  ]);
  const R = rand(rng, [5, 9]);
  gnn.train();
  const pick = gnn.namedParameters().filter(([n]) => /x_embedding1|gnns\.0\.mlp\.0|edge_embedding2|batch_norms\.1\.weight|adapters_msg\.0\.(down_proj|scale)/.test(n));
  expectGradOk(() => tf.sum(tf.mul(tf.tanh(gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!)), R)) as tf.Scalar, pick, { eps: 1e-3, rtol: 3e-2, atol: 3e-3 });
  tf.dispose(R);
  gnn.dispose();
  b.dispose();
});
