/**
 * Agreement with the official TGSL code (github ViktorAxelsen/TGSL, MIT, run on CPU torch with
 * Sheaf's DGL stand-in; fixture test/fixtures/tgsl/forward.json by scripts/tgsl/make_fixtures.py,
 * numbers only) at width 8, 2 heads, 4 neighbours, eval mode, on a 12-node / 40-event graph:
 * the neighbour blocks (TGAT's NeighborFinder with uniform=False and its find_before; DyGLib's
 * 'recent' sampler), TGAT embeddings with and without TGSL's edge weights, link logits and
 * probabilities and every gradient, ET-GNN edge embeddings and gradients for DGL 1.0.0's
 * self-loop fill 1 and DGL ≤ 0.9's fill 0, TimeMapping ψ with the MTL scoring step, the Gumbel
 * top-k and the LSTM context, and GraphMixer (+ MergeLayer) embeddings, logits and gradients.
 * Then finite-difference gradient checks of tiny TGAT / GraphMixer / ET-GNN / TimeMapping and a
 * tensor-leak check of one forward + backward each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import '../../../src/node/setup.js';
import { TemporalNeighborFinder, type EdgeList, type FindBefore, type NeighborBlock, type NeighborSampling } from '../../../src/data/temporal/neighbors.js';
import { TGAT } from '../../../src/nn/graph/tgat.js';
import { GraphMixer } from '../../../src/nn/graph/graphmixer.js';
import { ETGNN, disposeETGraph, etGraph, type ETGraph } from '../../../src/nn/graph/etgnn.js';
import { TimeMapping } from '../../../src/nn/graph/temporal.js';
import type { TemporalGraphView } from '../../../src/nn/graph/temporal_view.js';
import { LSTM } from '../../../src/nn/lstm.js';
import type { Module } from '../../../src/nn/module.js';
import { Rng } from '../../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, rand, type Fx } from '../../nn/helpers.js';

await initEngine({ backend: 'wasm' });

const F = JSON.parse(readFileSync(new URL('../../fixtures/tgsl/forward.json', import.meta.url), 'utf8')) as Record<string, any>;
const G = F.graph;
const W: number = F.tgat.config.width;
const EDGES: EdgeList = { src: G.src.data, dst: G.dst.data, eid: G.eids.data, t: G.times.data };
/** The official edge / node feature tables (row 0 padding), as TGAN's e_feat_th / n_feat_th and GraphMixer's raw features. */
const edgeTable = tf.tensor2d(G.edge_feat.data, G.edge_feat.shape);
const nodeTable = tf.tensor2d(G.node_feat.data, G.node_feat.shape);

// ------------------------------------------------------------------------------------------------
// helpers

/** |a − e| ≤ rel·(max|e| + |e|) element-wise: agreement to `rel` relative to the tensor's scale. */
function near(actual: tf.Tensor | ArrayLike<number>, expected: Fx | ArrayLike<number>, what: string, rel = 1e-4): void {
  const e: ArrayLike<number> = 'data' in (expected as Fx) ? (expected as Fx).data : (expected as ArrayLike<number>);
  let scale = 0;
  for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]!));
  assertClose(actual, expected, rel * scale + 1e-7, rel, what);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function finder(findBefore: FindBefore, edges: EdgeList = EDGES, numNodes: number = G.num_nodes): TemporalNeighborFinder {
  return TemporalNeighborFinder.build(numNodes, edges, { findBefore });
}

function view(f: TemporalNeighborFinder, edgeWeight: tf.Tensor1D | null, sampling: NeighborSampling): TemporalGraphView {
  return { finder: f, edgeTable, edgeWeight, nodeTable, sampling, rng: new Rng(1) };
}

/**
 * The official edge-weight vector w (w[e − 1] weighs edge id e, padding id 0 reads w[−1]) as
 * Sheaf's table by edge id: [w[−1], w[0], …, w[E − 1]].
 */
function weightByEid(w: ArrayLike<number>): Float32Array {
  const n = w.length;
  const out = new Float32Array(n);
  out[0] = w[n - 1]!;
  for (let e = 1; e < n; e++) out[e] = w[e - 1]!;
  return out;
}

/** The inverse: a gradient by edge id back in the official vector's order. */
function officialOrder(g: ArrayLike<number>): Float32Array {
  const n = g.length;
  const out = new Float32Array(n);
  for (let e = 1; e < n; e++) out[e - 1] = g[e]!;
  out[n - 1] = g[0]!;
  return out;
}

/**
 * Load an official state dict through `rename` (official name → our name and shape, or null for
 * an entry with no counterpart). Strict: every one of our parameters and buffers must be set.
 * Returns the official names left out.
 */
function loadOfficial(m: Module, state: Record<string, Fx>, rename: (k: string, v: Fx) => [string, number[]] | null): string[] {
  const dict = new Map<string, tf.Tensor>();
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(state)) {
    const r = rename(k, v);
    if (r === null) dropped.push(k);
    else dict.set(r[0], tf.tensor(v.data, r[1]));
  }
  m.loadStateDict(dict);
  tf.dispose([...dict.values()]);
  return dropped;
}

const same = (k: string, v: Fx): [string, number[]] => [k, v.shape];

/** Gradients of `loss` w.r.t. the trainable parameters of `m` and `extra`, by name (only those that get one). */
function namedGrads(m: Module, extra: Array<[string, tf.Variable]>, loss: () => tf.Scalar): Map<string, Float32Array> {
  const named: Array<[string, tf.Variable]> = [...m.namedTrainable(), ...extra];
  const { value, grads } = tf.variableGrads(
    loss,
    named.map(([, v]) => v),
  );
  const out = new Map<string, Float32Array>();
  for (const [n, v] of named) {
    const g = grads[v.name];
    if (g) out.set(n, g.dataSync() as Float32Array);
  }
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Our gradients against the fixture's, by (mapped) name: the same set of parameters, each to 1e-4 of its scale. */
function compareGrads(ours: Map<string, Float32Array>, official: Record<string, Fx>, rename: (k: string) => string, what: string): void {
  const want = new Map(Object.entries(official).map(([k, v]) => [rename(k), v] as const));
  assert.deepEqual([...ours.keys()].sort(), [...want.keys()].sort(), `${what}: the parameters that get a gradient`);
  for (const [k, g] of want) near(ours.get(k)!, g, `${what}: d/d ${k}`);
}

function sameBlock(b: NeighborBlock, f: { nodes: Fx; eids: Fx; times: Fx }, what: string): void {
  assert.deepEqual([b.rows, b.n], f.nodes.shape, `${what}: shape`);
  assert.deepEqual(Array.from(b.nodes), f.nodes.data, `${what}: nodes`);
  assert.deepEqual(Array.from(b.eids), f.eids.data, `${what}: edge ids`);
  assert.deepEqual(Array.from(b.times), f.times.data, `${what}: times`);
}

const ints = (f: Fx) => Int32Array.from(f.data);
/** Fixture values (9 significant digits of float32 numbers) as the float32 numbers they are. */
const f32 = (a: ArrayLike<number>) => Array.from(a, Math.fround);
const floats = (f: Fx) => Float64Array.from(f.data);

/** Link logits of (src, dst) pairs at times t: embeddings of both node lists on the view, then the backbone's link head. */
function pairLogits(m: TGAT | GraphMixer, v: TemporalGraphView, pairs: { src: Fx; dst: Fx; times: Fx }): tf.Tensor1D {
  return tf.tidy(() => m.linkLogits(m.embed(ints(pairs.src), floats(pairs.times), v), m.embed(ints(pairs.dst), floats(pairs.times), v)));
}

/** The official ETGNN's graph (fixture edge list and data) as an ETGraph. */
function fixtureETGraph(gr: Record<string, any>, numOriginal: number): ETGraph {
  return {
    numNodes: gr.num_nodes,
    src: tf.tensor1d(gr.src.data, 'int32'),
    dst: tf.tensor1d(gr.dst.data, 'int32'),
    feat: tf.tensor2d(gr.edge_feat.data, gr.edge_feat.shape),
    time: tf.tensor2d(gr.ts.data, [gr.ts.shape[0], 1]),
    nodeFeat: tf.tensor2d(gr.node_feat.data, gr.node_feat.shape),
    numOriginal,
  };
}

// ------------------------------------------------------------------------------------------------
// official models

const TGAT_DATA_TABLES = ['n_feat_th', 'e_feat_th', 'edge_raw_embed.weight', 'node_raw_embed.weight'];

function officialTgat(): TGAT {
  const c = F.tgat.config;
  const m = new TGAT(c.width, new Rng(10), { numLayers: c.layers, numHeads: c.heads, numNeighbors: c.neighbors, dropout: 0.1 });
  // TGAN keeps the graph's feature tables as (frozen) members; here they are the view's tables.
  const dropped = loadOfficial(m, F.tgat.state_dict, (k, v) => (TGAT_DATA_TABLES.includes(k) ? null : same(k, v)));
  assert.deepEqual(dropped, TGAT_DATA_TABLES);
  return m.eval();
}

/** DyGLib's `nn.Sequential(GraphMixer, MergeLayer)` names ('0.' backbone, '1.' link predictor) → ours. */
function graphMixerName(k: string): string {
  if (k === '0.time_encoder.w.weight') return 'time_encoder.basis_freq';
  if (k === '0.time_encoder.w.bias') return 'time_encoder.phase';
  if (k.startsWith('0.')) return k.slice(2);
  if (k.startsWith('1.')) return 'link_predictor.' + k.slice(2);
  throw new Error(`unexpected GraphMixer name ${k}`);
}

function officialGraphMixer(): GraphMixer {
  const c = F.graphmixer.config;
  const m = new GraphMixer(c.width, new Rng(11), {
    nodeDim: W,
    timeDim: c.time_feat_dim,
    numNeighbors: c.num_neighbors,
    numLayers: c.num_layers,
    timeGap: c.time_gap,
    tokenDimExpansionFactor: c.token_dim_expansion_factor,
    channelDimExpansionFactor: c.channel_dim_expansion_factor,
    dropout: 0.1,
  });
  // nn.Linear(1, d)'s weight [d, 1] is the frequency vector ω [d].
  const dropped = loadOfficial(m, F.graphmixer.state_dict, (k, v) => [graphMixerName(k), k === '0.time_encoder.w.weight' ? [v.shape[0]!] : v.shape]);
  assert.deepEqual(dropped, []);
  return m.eval();
}

function officialEtgnn(): ETGNN {
  const m = new ETGNN(F.etgnn.config.hidden_dim, new Rng(12));
  // The official ETGNN builds an edge-scoring `mlp` its forward never calls; Sheaf leaves it out.
  const dropped = loadOfficial(m, F.etgnn.state_dict, (k, v) => (k.startsWith('mlp.') ? null : same(k, v)));
  assert.deepEqual(dropped, ['mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'mlp.4.weight', 'mlp.4.bias']);
  return m;
}

// ------------------------------------------------------------------------------------------------
// (1) neighbour blocks

test("neighbour finder: 'first' + official find_before gives TGAT's sampled hop-1 / hop-2 blocks; 'recent' + strict gives DyGLib's", () => {
  const off = finder('official');
  const q = F.tgat.queries;
  const hop1 = off.sample(q.nodes.data, q.times.data, F.tgat.config.neighbors, 'first');
  sameBlock(hop1, F.tgat.blocks.hop1, 'TGAT hop 1');
  const hop2 = off.sample(hop1.nodes, hop1.times, F.tgat.config.neighbors, 'first');
  sameBlock(hop2, F.tgat.blocks.hop2, 'TGAT hop 2');
  // The official find_before is what makes these blocks: strictly-before differs (it keeps the most recent neighbour).
  const strict = finder('strict');
  const s1 = strict.sample(q.nodes.data, q.times.data, F.tgat.config.neighbors, 'first');
  assert.notDeepEqual(Array.from(s1.eids), F.tgat.blocks.hop1.eids.data, 'strict before is not the official find_before');
  // Query 6 (node 10, one earlier event): the official find_before returns nothing.
  assert.deepEqual(Array.from(hop1.nodes.subarray(24, 28)), [0, 0, 0, 0]);
  assert.ok(s1.nodes[27]! > 0, 'strictly before, node 10 has its one neighbour');

  const gq = F.graphmixer.queries;
  const c = F.graphmixer.config;
  sameBlock(strict.sample(gq.nodes.data, gq.times.data, c.num_neighbors, 'recent'), F.graphmixer.blocks.recent, "GraphMixer 'recent' tokens");
  sameBlock(strict.sample(gq.nodes.data, gq.times.data, c.time_gap, 'recent'), F.graphmixer.blocks.time_gap, "GraphMixer 'recent' time-gap neighbours");
  // GraphMixer's node encoder reads `before()`: its last time_gap entries are the time-gap block's valid entries.
  const tg = F.graphmixer.blocks.time_gap;
  for (let i = 0; i < gq.nodes.data.length; i++) {
    const b = strict.before(gq.nodes.data[i], gq.times.data[i]);
    const k = Math.min(b.nodes.length, c.time_gap);
    const want = tg.eids.data.slice(i * c.time_gap, (i + 1) * c.time_gap).filter((e: number) => e > 0);
    assert.deepEqual(Array.from(b.eids.subarray(b.nodes.length - k)), want, `before() of query ${i}`);
  }
});

// ------------------------------------------------------------------------------------------------
// (2) TGAT forward

test('TGAT = official TGAN: state-dict names; tem_conv embeddings with and without augmented edge weights, affinity logits and probabilities (1e-4)', () => {
  const m = officialTgat();
  const official = Object.keys(F.tgat.state_dict).filter((k) => !TGAT_DATA_TABLES.includes(k));
  assert.deepEqual([...m.stateDict().keys()].sort(), official.sort(), 'parameter and buffer names are the official ones');
  assert.deepEqual(G.edge_feat.data, F.tgat.state_dict.e_feat_th.data, 'edge table = TGAN e_feat_th');
  assert.deepEqual(G.node_feat.data, F.tgat.state_dict.n_feat_th.data, 'node table = TGAN n_feat_th');

  const f = finder('official');
  const q = F.tgat.queries;
  const plain = view(f, null, 'first');
  const w = tf.tensor1d(weightByEid(F.tgat.edge_weight.data));
  const weighted = view(f, w, 'first');
  const emb = m.embed(ints(q.nodes), floats(q.times), plain);
  near(emb, F.tgat.embeddings, 'embeddings');
  const embW = m.embed(ints(q.nodes), floats(q.times), weighted);
  near(embW, F.tgat.embeddings_weighted, 'embeddings with edge weights');
  assert.ok(maxAbsDiff(emb.dataSync(), embW.dataSync()) > 1e-2, 'the weights change the embeddings');

  const logits = pairLogits(m, plain, F.tgat.pairs);
  near(logits, F.tgat.pair_logits, 'pair logits');
  const probs = tf.sigmoid(logits);
  near(probs, F.tgat.pair_probs, 'pair probabilities');
  const logitsW = pairLogits(m, weighted, F.tgat.pairs);
  near(logitsW, F.tgat.pair_logits_weighted, 'pair logits with edge weights');
  tf.dispose([w, emb, embW, logits, probs, logitsW]);
  m.dispose();
});

// ------------------------------------------------------------------------------------------------
// (3) TGAT gradients

test('TGAT gradients of sum(logits · r) equal torch for every parameter, with and without edge weights, and w.r.t. the edge weights (1e-4)', () => {
  const m = officialTgat();
  const f = finder('official');
  const r = tf.tensor1d(F.tgat.grad_r.data);
  const loss = (v: TemporalGraphView) => () => tf.sum(tf.mul(pairLogits(m, v, F.tgat.pairs), r)) as tf.Scalar;
  const g = namedGrads(m, [], loss(view(f, null, 'first')));
  compareGrads(g, F.tgat.grads, (k) => k, 'TGAT');
  // The official parameters without a gradient are the feature tables and the fixed frequencies (a buffer here).
  assert.deepEqual([...F.tgat.grads_none].sort(), [...TGAT_DATA_TABLES, 'time_encoder.w'].sort());
  assert.deepEqual(
    m.namedBuffers().map(([n]) => n),
    ['time_encoder.w'],
  );

  const w = tf.variable(tf.tensor1d(weightByEid(F.tgat.edge_weight.data)));
  const gw = namedGrads(m, [['edge_weight', w]], loss(view(f, w as unknown as tf.Tensor1D, 'first')));
  const dw = gw.get('edge_weight')!;
  gw.delete('edge_weight');
  compareGrads(gw, F.tgat.grads_weighted, (k) => k, 'TGAT weighted');
  near(officialOrder(dw), F.tgat.grad_edge_weight, 'd/d edge weights');
  // The padding weight (official w[−1]) gets a gradient: all-padding rows attend uniformly to weighted padding values.
  assert.ok(Math.abs(dw[0]!) > 1e-4, 'padding weight gradient');
  tf.dispose([r, w]);
  m.dispose();
});

// ------------------------------------------------------------------------------------------------
// (4) ET-GNN

test('ET-GNN = official view_learner.ETGNN on the train.py graph: etGraph is DGL 1.0.0 (self-loop fill 1); edge embeddings and gradients for fill 1 and fill 0', () => {
  const m = officialEtgnn();
  assert.deepEqual(
    [...m.stateDict().keys()].sort(),
    Object.keys(F.etgnn.state_dict)
      .filter((k) => !k.startsWith('mlp.'))
      .sort(),
  );
  const E: number = F.etgnn.train_events;
  const fill1 = F.etgnn.fill1;
  const fill0 = F.etgnn.fill0;
  const N: number = fill1.graph.num_nodes;
  // train.py: node features of training nodes, zeros for the others (here nodes 6 and 11); edge features e_feat[eid].
  const trainNodes = new Set<number>([...G.src.data.slice(0, E), ...G.dst.data.slice(0, E)]);
  const nodeFeat = new Float32Array(N * W);
  for (let v = 0; v < N; v++) if (trainNodes.has(v)) nodeFeat.set(G.node_feat.data.slice(v * W, (v + 1) * W), v * W);
  const feat = Float32Array.from(G.edge_feat.data.slice(W, (E + 1) * W));
  const g1 = etGraph(N, G.src.data.slice(0, E), G.dst.data.slice(0, E), G.times.data.slice(0, E), feat, W, nodeFeat);
  assert.equal(g1.numOriginal, E);
  assert.deepEqual(Array.from(g1.src.dataSync()), fill1.graph.src.data, 'edge sources: originals, self-loops, reverses');
  assert.deepEqual(Array.from(g1.dst.dataSync()), fill1.graph.dst.data, 'edge destinations');
  assert.deepEqual(Array.from(g1.time.dataSync()), fill1.graph.ts.data, 'edge times (self-loops 1)');
  assert.deepEqual(Array.from(g1.feat.dataSync()), f32(fill1.graph.edge_feat.data), 'edge features (self-loops 1)');
  assert.deepEqual(Array.from(g1.nodeFeat.dataSync()), f32(fill1.graph.node_feat.data), 'node features');
  // Fill 0 differs from fill 1 only in the self-loops' data.
  assert.deepEqual(fill0.graph.src.data, fill1.graph.src.data);
  assert.deepEqual(fill0.graph.dst.data, fill1.graph.dst.data);
  assert.deepEqual(fill0.graph.ts.data.slice(E, E + N), new Array(N).fill(0));

  const R = tf.tensor2d(F.etgnn.grad_r.data, F.etgnn.grad_r.shape);
  const g0 = fixtureETGraph(fill0.graph, E);
  const outs: Float32Array[] = [];
  for (const [key, g] of [
    ['fill1', g1],
    ['fill0', g0],
  ] as const) {
    const ref = F.etgnn[key];
    const out = m.forward(g);
    near(out, ref.edge_embeddings, `${key}: edge embeddings`);
    outs.push(out.dataSync() as Float32Array);
    out.dispose();
    const grads = namedGrads(m, [], () => tf.sum(tf.mul(m.forward(g), R)) as tf.Scalar);
    compareGrads(grads, ref.grads, (k) => k, `ET-GNN ${key}`);
    assert.deepEqual(
      ref.grads_none.filter((k: string) => !k.startsWith('mlp.')),
      ['time_encoder.w'],
    );
  }
  assert.ok(maxAbsDiff(outs[0]!, outs[1]!) > 1e-2, 'the self-loop fill matters');

  // data.ts passes every node's features (not zeroing non-training ones): harmless, as those nodes only have self-loops.
  const gAll = etGraph(N, G.src.data.slice(0, E), G.dst.data.slice(0, E), G.times.data.slice(0, E), feat, W, Float32Array.from(G.node_feat.data.slice(0, N * W)));
  const outAll = m.forward(gAll);
  near(outAll, fill1.edge_embeddings, 'unmasked node features: same edge embeddings');
  tf.dispose([R, outAll]);
  for (const g of [g1, g0, gAll]) disposeETGraph(g);
  m.dispose();
});

// ------------------------------------------------------------------------------------------------
// (5) TimeMapping, scoring, Gumbel top-k, LSTM context

test('TimeMapping ψ = official view_learner.TimeMapping; the MTL scoring step, Gumbel top-k and the 3-layer LSTM context equal torch', () => {
  const T = F.time_mapping;
  const psi = new TimeMapping(W, new Rng(13));
  assert.deepEqual([...psi.stateDict().keys()].sort(), Object.keys(T.state_dict).sort());
  loadOfficial(psi, T.state_dict, same);
  const deltas = tf.tensor1d(T.deltas.data);
  const out = psi.forward(deltas);
  near(out, T.psi, 'ψ(Δ)');

  // logits[u, c] = Σ context[u] ⊙ ψ(t* − t_max) ⊙ cand[u, c] ⊙ ψ(t* − t_c), as model.ts refine() computes it.
  const S = T.scoring;
  const [n, C] = S.t_star.shape as [number, number];
  const dCand = Float32Array.from(S.t_star.data as number[], (t, i) => t - S.t_cand.data[i]);
  const dCtx = Float32Array.from(S.t_star.data as number[], (t) => t - S.t_max);
  const logits = tf.tidy(() => {
    const ctx = tf.reshape(tf.tensor2d(S.context.data, S.context.shape), [n, 1, W]);
    const cand = tf.tensor3d(S.cand_feat.data, S.cand_feat.shape);
    const mapped = tf.mul(cand, psi.forward(tf.tensor2d(dCand, [n, C])));
    return tf.sum(tf.mul(tf.mul(ctx, psi.forward(tf.tensor2d(dCtx, [n, C]))), mapped), -1);
  });
  near(logits, S.logits, 'scoring logits');

  const Gt = T.gumbel_topk;
  const z = tf.tidy(() => {
    const eps = tf.tensor2d(Gt.eps.data, Gt.eps.shape);
    return tf.sigmoid(tf.div(tf.add(tf.sub(tf.log(eps), tf.log(tf.sub(1, eps))), logits), Gt.gtau));
  });
  near(z, Gt.z, 'z');
  const zh = z.dataSync();
  const keep: number[] = [];
  const kept: number[] = [];
  for (let u = 0; u < n; u++) {
    const order = Array.from({ length: C }, (_, j) => j).sort((a, b) => zh[u * C + b]! - zh[u * C + a]! || a - b);
    for (let j = 0; j < Gt.k; j++) {
      keep.push(order[j]!);
      kept.push(zh[u * C + order[j]!]!);
    }
  }
  assert.deepEqual(keep, Gt.keep.data, 'kept candidates');
  near(kept, Gt.weights, 'kept weights');

  // The context: torch.nn.LSTM(W, W, 3) on [L, nodes, W], h_n[−1]; model.ts runs it batch-first on [nodes, L, W].
  const L = T.lstm;
  const lstm = new LSTM(W, W, new Rng(14), { numLayers: 3, batchFirst: true });
  loadOfficial(lstm, L.state_dict, same);
  const ctx = tf.tidy(() => {
    const { output, hN, cN } = lstm.forward(tf.transpose(tf.tensor3d(L.input.data, L.input.shape), [1, 0, 2]) as tf.Tensor3D);
    tf.dispose([output, cN]);
    return tf.reshape(tf.slice(hN, [2, 0, 0], [1, L.input.shape[1], W]), [L.input.shape[1], W]);
  });
  near(ctx, L.context, 'LSTM context h_n[−1]');
  tf.dispose([deltas, out, logits, z, ctx]);
  psi.dispose();
  lstm.dispose();
});

// ------------------------------------------------------------------------------------------------
// (6) GraphMixer

test('GraphMixer + MergeLayer = official DyGLib/TGSL modules: embeddings with and without edge weights, logits, probabilities, gradients (1e-4)', () => {
  const m = officialGraphMixer();
  assert.deepEqual([...m.stateDict().keys()].sort(), Object.keys(F.graphmixer.state_dict).map(graphMixerName).sort());
  const f = finder('strict');
  const q = F.graphmixer.queries;
  const plain = view(f, null, 'recent');
  const wArr = weightByEid(F.graphmixer.edge_weight.data);
  const w = tf.variable(tf.tensor1d(wArr));
  const weighted = view(f, w as unknown as tf.Tensor1D, 'recent');
  const emb = m.embed(ints(q.nodes), floats(q.times), plain);
  near(emb, F.graphmixer.embeddings, 'embeddings');
  const embW = m.embed(ints(q.nodes), floats(q.times), weighted);
  near(embW, F.graphmixer.embeddings_weighted, 'embeddings with edge weights');
  assert.ok(maxAbsDiff(emb.dataSync(), embW.dataSync()) > 1e-2, 'the weights change the embeddings');
  const logits = pairLogits(m, plain, F.graphmixer.pairs);
  near(logits, F.graphmixer.pair_logits, 'pair logits');
  const probs = tf.sigmoid(logits);
  near(probs, F.graphmixer.pair_probs, 'pair probabilities');
  const logitsW = pairLogits(m, weighted, F.graphmixer.pairs);
  near(logitsW, F.graphmixer.pair_logits_weighted, 'pair logits with edge weights');

  const r = tf.tensor1d(F.graphmixer.grad_r.data);
  const loss = (v: TemporalGraphView) => () => tf.sum(tf.mul(pairLogits(m, v, F.graphmixer.pairs), r)) as tf.Scalar;
  compareGrads(namedGrads(m, [], loss(plain)), F.graphmixer.grads, graphMixerName, 'GraphMixer');
  assert.deepEqual(
    F.graphmixer.grads_none.map(graphMixerName).sort(),
    m
      .namedBuffers()
      .map(([k]) => k)
      .sort(),
    'the frozen time encoder',
  );
  const gw = namedGrads(m, [['edge_weight', w]], loss(weighted));
  const dw = gw.get('edge_weight')!;
  gw.delete('edge_weight');
  compareGrads(gw, F.graphmixer.grads_weighted, graphMixerName, 'GraphMixer weighted');
  near(officialOrder(dw), F.graphmixer.grad_edge_weight, 'd/d edge weights');
  tf.dispose([w, emb, embW, logits, probs, logitsW, r]);
  m.dispose();
});

// ------------------------------------------------------------------------------------------------
// finite-difference gradient checks and leaks (tiny models; none of these is in test/nn)

/** A 4-node, 7-event graph with features, its tables as variables, and a few (src, dst, t) pairs. */
function tinyGraph(rng: Rng, dim: number) {
  const edges: EdgeList = { src: [1, 2, 1, 2, 3, 1, 4], dst: [3, 3, 4, 4, 4, 3, 2], eid: [1, 2, 3, 4, 5, 6, 7], t: [1, 2, 2, 3.5, 4, 5, 6] };
  const edgeT = tf.variable(rand(rng, [8, dim]) as tf.Tensor2D);
  const nodeT = tf.variable(rand(rng, [5, dim], -0.5, 0.5) as tf.Tensor2D);
  const weight = tf.variable(tf.tensor1d(rng.uniformArray(8, 0.2, 0.9)));
  const pairs = { src: { shape: [3], data: [1, 2, 4] }, dst: { shape: [3], data: [4, 3, 1] }, times: { shape: [3], data: [7, 5.5, 4.5] } };
  const R = rand(rng, [3]);
  return { edges, edgeT, nodeT, weight, pairs, R };
}

test('finite-difference gradient checks: tiny TGAT (parameters, edge weights, feature tables) and tiny GraphMixer', () => {
  const rng = new Rng(20);
  const D = 2;
  const t = tinyGraph(rng, D);
  const fd = finder('strict', t.edges, 4);
  const v: TemporalGraphView = {
    finder: fd,
    edgeTable: t.edgeT as unknown as tf.Tensor2D,
    edgeWeight: t.weight as unknown as tf.Tensor1D,
    nodeTable: t.nodeT as unknown as tf.Tensor2D,
    sampling: 'recent',
    rng: new Rng(1),
  };
  const tables: Array<[string, tf.Variable]> = [
    ['edge_weight', t.weight],
    ['edge_table', t.edgeT],
    ['node_table', t.nodeT],
  ];

  const tgat = new TGAT(D, rng.fork(), { numLayers: 2, numHeads: 2, numNeighbors: 2, dropout: 0 });
  const tgatLoss = () => tf.sum(tf.mul(pairLogits(tgat, v, t.pairs), t.R)) as tf.Scalar;
  expectGradOk(tgatLoss, [...tgat.namedParameters(), ...tables], { eps: 1e-3, maxPerVariable: 8, rng: rng.fork() });

  const gm = new GraphMixer(D, rng.fork(), { timeDim: 2, numNeighbors: 2, numLayers: 1, timeGap: 3, dropout: 0 });
  const gmLoss = () => tf.sum(tf.mul(pairLogits(gm, v, t.pairs), t.R)) as tf.Scalar;
  expectGradOk(gmLoss, [...gm.namedParameters(), ...tables], { eps: 1e-3, maxPerVariable: 8, rng: rng.fork() });
  tf.dispose([t.edgeT, t.nodeT, t.weight, t.R]);
  tgat.dispose();
  gm.dispose();
});

test('finite-difference gradient checks: tiny ET-GNN (parameters, edge and node features) and TimeMapping (weights, deltas)', () => {
  const rng = new Rng(21);
  const D = 2;
  const src = [1, 2, 1, 3];
  const dst = [3, 3, 2, 2];
  const g = etGraph(4, src, dst, [1, 2, 3, 4.5], rng.uniformArray(4 * D, -1, 1), D, rng.uniformArray(4 * D, -1, 1));
  const feat = tf.variable(g.feat);
  const nodeFeat = tf.variable(g.nodeFeat);
  const gv: ETGraph = { ...g, feat: feat as unknown as tf.Tensor2D, nodeFeat: nodeFeat as unknown as tf.Tensor2D };
  const et = new ETGNN(D, rng.fork());
  const R = rand(rng, [4, D]);
  expectGradOk(() => tf.sum(tf.mul(et.forward(gv), R)) as tf.Scalar, [...et.namedParameters(), ['edge_feat', feat], ['node_feat', nodeFeat]], { eps: 1e-3 });

  const psi = new TimeMapping(4, rng.fork());
  const delta = tf.variable(rand(rng, [2, 3], -5, 5));
  const R2 = rand(rng, [2, 3, 4]);
  expectGradOk(() => tf.sum(tf.mul(psi.forward(delta), R2)) as tf.Scalar, [...psi.namedParameters(), ['delta', delta]], { eps: 1e-3 });
  tf.dispose([feat, nodeFeat, g.src, g.dst, g.time, R, delta, R2]);
  et.dispose();
  psi.dispose();
});

test('no tensor leaks: one forward + backward of the official TGAT (weighted), GraphMixer (weighted) and ET-GNN', () => {
  const tgat = officialTgat();
  const gm = officialGraphMixer();
  const et = officialEtgnn();
  const w = tf.variable(tf.tensor1d(weightByEid(F.tgat.edge_weight.data)));
  const r = tf.tensor1d(F.tgat.grad_r.data);
  const backward = (m: Module, loss: () => tf.Scalar) => () => {
    const { value, grads } = tf.variableGrads(loss, [...m.parameters(), w]);
    return [value, ...Object.values(grads)];
  };
  const tv = view(finder('official'), w as unknown as tf.Tensor1D, 'first');
  assertNoLeak('TGAT forward', () => pairLogits(tgat, tv, F.tgat.pairs));
  assertNoLeak(
    'TGAT forward + backward',
    backward(tgat, () => tf.sum(tf.mul(pairLogits(tgat, tv, F.tgat.pairs), r)) as tf.Scalar),
  );
  const gv = view(finder('strict'), w as unknown as tf.Tensor1D, 'recent');
  assertNoLeak('GraphMixer forward', () => pairLogits(gm, gv, F.graphmixer.pairs));
  assertNoLeak(
    'GraphMixer forward + backward',
    backward(gm, () => tf.sum(tf.mul(pairLogits(gm, gv, F.graphmixer.pairs), r)) as tf.Scalar),
  );
  const g = fixtureETGraph(F.etgnn.fill1.graph, F.etgnn.train_events);
  const R = tf.tensor2d(F.etgnn.grad_r.data, F.etgnn.grad_r.shape);
  assertNoLeak('ET-GNN forward', () => et.forward(g));
  assertNoLeak('ET-GNN forward + backward', () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(et.forward(g), R)) as tf.Scalar, et.parameters());
    return [value, ...Object.values(grads)];
  });
  disposeETGraph(g);
  tf.dispose([w, r, R]);
  for (const m of [tgat, gm, et]) m.dispose();
});
