/**
 * TGSL's network (`MTL.py`, docs/research/graph.md §2a): a temporal backbone f_q (TGAT or
 * GraphMixer), its EMA key copy f_k, the ET-GNN edge embedder, the LSTM context, the time mapping
 * ψ and the MoCo queue — and the two computations the official code runs in training and in
 * inference alike: learn edges for a batch's nodes (steps 2–6: context, candidates, time-mapped
 * scores, Gumbel top-k, the augmented graph) and score links on a graph view.
 *
 * Fixes and decisions, each a pitfall of §2f: padding neighbours get weight 0 (the official
 * `weight[eid − 1]` gives them the last added edge's); k = ⌊ratio·#candidates⌋ ≥ 1 is checked at
 * configuration; every random draw (neighbour samples, t*, Gumbel noise) comes from a seeded
 * generator, so inference is stochastic but repeatable; contexts and candidates only read the
 * training graph (cut at t_max + 1) and added edges carry t* < t_max. Added edges whose candidate is
 * padding (a node with no training history) are left out of the augmented graph (inert anyway:
 * TGAT masks padding). An added edge's feature is its time-mapped ET-GNN embedding x̂_c ⊙ ψ(t* − t_c),
 * detached, as the official code stores it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../../nn/module.js';
import { LSTM } from '../../nn/lstm.js';
import { ETGNN } from '../../nn/graph/etgnn.js';
import { TGAT } from '../../nn/graph/tgat.js';
import { GraphMixer } from '../../nn/graph/graphmixer.js';
import { TimeMapping } from '../../nn/graph/temporal.js';
import type { TemporalBackbone, TemporalGraphView } from '../../nn/graph/temporal_view.js';
import type { NeighborBlock, TemporalNeighborFinder } from '../../data/temporal/neighbors.js';
import { stopGradient } from '../../engine/ops.js';
import { Rng } from '../../util/random.js';
import { candidatesPerNode, type ResolvedTGSLConfig } from './config.js';
import type { RunContext } from './data.js';

export type Backbone = (TGAT | GraphMixer) & TemporalBackbone;

function buildBackbone(cfg: ResolvedTGSLConfig, rng: Rng, dropout: number): Backbone {
  if (cfg.backbone === 'tgat') return new TGAT(cfg.width, rng, { numLayers: cfg.numLayers, numHeads: cfg.numHeads, numNeighbors: cfg.numNeighbors, dropout, timeEncoding: cfg.timeEncoding });
  return new GraphMixer(cfg.width, rng, { numNeighbors: cfg.numNeighbors, numLayers: cfg.numLayers, timeDim: cfg.timeDim, timeGap: cfg.timeGap, dropout });
}

/** The backbone alone (`tgsl: false`) or the backbone with TGSL's structure learner. */
export class TGSLNet extends Module {
  readonly encoder: Backbone;
  readonly encoderK: Backbone | null;
  readonly viewLearner: ETGNN | null;
  readonly edgeRnn: LSTM | null;
  readonly sampleTimeEncoder: TimeMapping | null;
  readonly queue: tf.Variable | null;
  /** Host copy of the queue [D, K] (column j = key j) and the write pointer. */
  private queueHost: Float32Array | null;
  queuePtr = 0;

  constructor(
    readonly cfg: ResolvedTGSLConfig,
    seed: number,
  ) {
    super();
    const rng = new Rng(seed);
    this.encoder = this.module('encoder', buildBackbone(cfg, rng.fork(), cfg.dropout));
    if (!cfg.tgsl) {
      this.encoderK = null;
      this.viewLearner = null;
      this.edgeRnn = null;
      this.sampleTimeEncoder = null;
      this.queue = null;
      this.queueHost = null;
      return;
    }
    const W = cfg.width;
    // The key encoder: same architecture without dropout (the official SSL_Encoder_k), initialised as a copy, never trained.
    this.encoderK = this.module('encoder_k', buildBackbone(cfg, rng.fork(), 0));
    this.encoderK.loadStateDict(this.encoder.stateDict());
    this.encoderK.freeze();
    this.viewLearner = this.module('view_learner', new ETGNN(W, rng.fork()));
    this.edgeRnn = this.module('edge_rnn', new LSTM(W, W, rng.fork(), { numLayers: cfg.rnnLayer, batchFirst: true }));
    this.sampleTimeEncoder = this.module('sample_time_encoder', new TimeMapping(W, rng.fork()));
    const D = this.encoder.embedDim;
    const K = cfg.queueSize;
    const q = rng.fork().normalArray(D * K);
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += q[d * K + j]! ** 2;
      const n = Math.max(Math.sqrt(s), 1e-12);
      for (let d = 0; d < D; d++) q[d * K + j]! /= n;
    }
    this.queueHost = q;
    this.queue = this.buffer('queue', tf.tensor2d(q, [D, K]));
  }

  /** f_k ← m·f_k + (1 − m)·f_q. */
  momentumUpdate(): void {
    if (!this.encoderK) return;
    const m = this.cfg.momentum;
    const q = new Map(this.encoder.namedParameters());
    tf.tidy(() => {
      for (const [name, pk] of this.encoderK!.namedParameters()) {
        const pq = q.get(name);
        if (pq) pk.assign(tf.add(tf.mul(pk, m), tf.mul(pq, 1 - m)));
      }
    });
  }

  /** Write keys [U, D] into the queue at the pointer, wrapping at K (the official `_dequeue_and_enqueue`). */
  enqueue(keys: Float32Array, count: number): void {
    if (!this.queueHost || !this.queue) return;
    const D = this.encoder.embedDim;
    const K = this.cfg.queueSize;
    for (let i = 0; i < count; i++) {
      const col = (this.queuePtr + i) % K;
      for (let d = 0; d < D; d++) this.queueHost[d * K + col] = keys[i * D + d]!;
    }
    this.queuePtr = (this.queuePtr + count) % K;
    // A batch larger than the queue leaves the last K keys, as the wrap-around writes do.
    tf.tidy(() => this.queue!.assign(tf.tensor2d(this.queueHost!, [D, K])));
  }

  /** Bring the host queue in line with the buffer (after loading a state dict). */
  syncQueue(): void {
    if (this.queue) this.queueHost = this.queue.dataSync().slice() as Float32Array;
  }
}

/** The view of a graph with its plain (unweighted) edges. */
export function plainView(ctx: RunContext, finder: TemporalNeighborFinder, sampling: 'uniform' | 'recent', rng: Rng): TemporalGraphView {
  return { finder, edgeTable: ctx.edgeTable, edgeWeight: null, nodeTable: ctx.nodeTable, sampling, rng };
}

/** ET-GNN embeddings of the training interactions as a table by edge id [E + 1, W] (zero rows for other edges and padding). */
export function edgeEmbeddingTable(net: TGSLNet, ctx: RunContext): tf.Tensor2D {
  return tf.tidy(() => {
    const x = net.viewLearner!.forward(ctx.et!);
    const withZero = tf.concat([tf.zeros([1, ctx.width]), x], 0);
    return tf.gather(withZero, tf.tensor1d(ctx.trainRowOfEid, 'int32')) as tf.Tensor2D;
  });
}

/** Learned edges of one batch, for the report. */
export interface AddedEdges {
  src: Int32Array;
  dst: Int32Array;
  t: Float64Array;
  weight: Float32Array;
}

/** A refined graph: the view to score on, the differentiable weights of its added edges, and what was added. */
export interface Refinement {
  view: TemporalGraphView;
  weights: tf.Tensor1D;
  added: () => AddedEdges;
}

function concatBlocks(a: NeighborBlock, b: NeighborBlock): NeighborBlock {
  const rows = a.rows;
  const n = a.n + b.n;
  const nodes = new Int32Array(rows * n);
  const eids = new Int32Array(rows * n);
  const times = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) {
    nodes.set(a.nodes.subarray(i * a.n, (i + 1) * a.n), i * n);
    nodes.set(b.nodes.subarray(i * b.n, (i + 1) * b.n), i * n + a.n);
    eids.set(a.eids.subarray(i * a.n, (i + 1) * a.n), i * n);
    eids.set(b.eids.subarray(i * b.n, (i + 1) * b.n), i * n + a.n);
    times.set(a.times.subarray(i * a.n, (i + 1) * a.n), i * n);
    times.set(b.times.subarray(i * b.n, (i + 1) * b.n), i * n + a.n);
  }
  return { rows, n, nodes, eids, times };
}

/** Step 3: candidate (node, edge, time) per batch node, [U, C], from the training graph only. */
export function candidates(ctx: RunContext, cfg: ResolvedTGSLConfig, nodes: Int32Array, rng: Rng): NeighborBlock {
  const U = nodes.length;
  const n = cfg.canNn;
  const cut = new Float64Array(U).fill(ctx.split.tMax + 1);
  const f = ctx.trainFinder;
  const first = () => f.sample(nodes, cut, n, 'uniform', rng);
  const third = () => {
    let b = f.sample(nodes, cut, n, 'uniform', rng);
    for (let hop = 2; hop <= 3; hop++) b = f.sample(b.nodes, b.times, n, 'uniform', rng);
    // Row i's n³ third-hop entries are contiguous (rows expand in order), so the block is [U, n³].
    return { rows: U, n: n ** 3, nodes: b.nodes, eids: b.eids, times: b.times };
  };
  switch (cfg.canType) {
    case '1st':
      return first();
    case '3rd':
      return third();
    case 'mix':
      return concatBlocks(first(), third());
    case 'random': {
      const pool = ctx.split.trainNodes;
      const nodesOut = new Int32Array(U * n);
      const times = new Float64Array(U * n);
      for (let i = 0; i < U * n; i++) {
        nodesOut[i] = pool[rng.int(pool.length)]!;
        times[i] = rng.uniform() * ctx.split.tMax;
      }
      return { rows: U, n, nodes: nodesOut, eids: new Int32Array(U * n), times };
    }
  }
}

/**
 * Steps 2–6 for the batch nodes `nodes` (training nodes only): LSTM context from `rnnNn` sampled
 * training interactions, candidates, time-mapped logits, Gumbel top-k, and the augmented view of
 * `base` (the training graph in training, the full history in inference). `edgeEmb` is
 * {@link edgeEmbeddingTable}. Tensors are tracked by the caller's tidy / gradient scope.
 */
export function refine(net: TGSLNet, ctx: RunContext, edgeEmb: tf.Tensor2D, nodes: Int32Array, base: TemporalNeighborFinder, rng: Rng): Refinement {
  const cfg = net.cfg;
  const U = nodes.length;
  const W = ctx.width;
  const tMax = ctx.split.tMax;
  const psi = net.sampleTimeEncoder!;
  // Step 2: context c_u = the LSTM's last-layer final state over 20 time-sorted training interactions.
  const cut = new Float64Array(U).fill(tMax + 1);
  const hist = ctx.trainFinder.sample(nodes, cut, cfg.rnnNn, 'uniform', rng);
  const seq = tf.reshape(tf.gather(edgeEmb, tf.tensor1d(hist.eids, 'int32')), [U, cfg.rnnNn, W]) as tf.Tensor3D;
  const { hN } = net.edgeRnn!.forward(seq);
  const context = tf.reshape(tf.slice(hN, [cfg.rnnLayer - 1, 0, 0], [1, U, W]), [U, 1, W]);
  // Steps 3–4: candidates, t* ~ U(0, t_max), ℓ = ⟨c ⊙ ψ(t* − t_max), x̂_c ⊙ ψ(t* − t_c)⟩.
  const cand = candidates(ctx, cfg, nodes, rng);
  const C = cand.n;
  if (C !== candidatesPerNode(cfg.canType, cfg.canNn)) throw new Error(`TGSL: ${C} candidates per node, expected ${candidatesPerNode(cfg.canType, cfg.canNn)}`);
  const tStar = new Float32Array(U * C);
  const dCand = new Float32Array(U * C);
  const dCtx = new Float32Array(U * C);
  for (let i = 0; i < U * C; i++) {
    tStar[i] = rng.uniform() * tMax;
    dCand[i] = tStar[i]! - cand.times[i]!;
    dCtx[i] = tStar[i]! - tMax;
  }
  const candFeat = tf.reshape(tf.gather(edgeEmb, tf.tensor1d(cand.eids, 'int32')), [U, C, W]);
  const mapped = tf.mul(candFeat, psi.forward(tf.tensor2d(dCand, [U, C])));
  const ctxMapped = tf.mul(context, psi.forward(tf.tensor2d(dCtx, [U, C])));
  const logits = tf.sum(tf.mul(ctxMapped, mapped), -1);
  // Step 5: logistic noise log ε − log(1 − ε), ε ~ U(1e-4, 1 − 1e-4); z = σ((ℓ + g)/gtau); keep the k largest z per node.
  const noise = new Float32Array(U * C);
  for (let i = 0; i < U * C; i++) {
    const e = 1e-4 + (1 - 2e-4) * rng.uniform();
    noise[i] = Math.log(e) - Math.log(1 - e);
  }
  const z = tf.sigmoid(tf.div(tf.add(logits, tf.tensor2d(noise, [U, C])), cfg.gtau));
  const k = Math.floor(cfg.ratio * C);
  const zHost = z.dataSync();
  const keep = new Int32Array(U * k);
  const order = Array.from({ length: C }, (_, j) => j);
  for (let i = 0; i < U; i++) {
    order.sort((a, b) => zHost[i * C + b]! - zHost[i * C + a]! || a - b);
    for (let j = 0; j < k; j++) keep[i * k + j] = i * C + order[j]!;
  }
  const keepT = tf.tensor1d(keep, 'int32');
  const weights = tf.gather(tf.reshape(z, [-1]), keepT) as tf.Tensor1D;
  const newFeat = stopGradient(tf.gather(tf.reshape(mapped, [U * C, W]), keepT) as tf.Tensor2D);
  // Step 6: the augmented graph — fresh edge ids after every real one, weight z, time t*.
  const E = ctx.graph.src.length;
  const src: number[] = [];
  const dst: number[] = [];
  const eid: number[] = [];
  const ts: number[] = [];
  for (let j = 0; j < U * k; j++) {
    const c = cand.nodes[keep[j]!]!;
    if (c === 0) continue;
    src.push(nodes[Math.floor(j / k)]!);
    dst.push(c);
    eid.push(E + 1 + j);
    ts.push(tStar[keep[j]!]!);
  }
  const finder = base.withEdges({ src, dst, eid, t: ts });
  const edgeTable = tf.concat([ctx.edgeTable, newFeat], 0) as tf.Tensor2D;
  const edgeWeight = tf.concat([tf.zeros([1]), tf.ones([E]), weights]) as tf.Tensor1D;
  return {
    view: { finder, edgeTable, edgeWeight, nodeTable: ctx.nodeTable, sampling: cfg.sampling, rng },
    weights,
    added: () => {
      const w = weights.dataSync();
      const keepW: number[] = [];
      for (let j = 0; j < U * k; j++) if (cand.nodes[keep[j]!]! !== 0) keepW.push(w[j]!);
      return { src: Int32Array.from(src), dst: Int32Array.from(dst), t: Float64Array.from(ts), weight: Float32Array.from(keepW) };
    },
  };
}

/** Binary cross-entropy of logits against 1 (positives) and 0 (negatives), each a batch mean (torch's BCELoss on σ). */
export function linkBce(pos: tf.Tensor1D, neg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(pos))), tf.mean(tf.softplus(neg))) as tf.Scalar);
}

/** Link logits of (src, dst) and (src, neg) at times t on a view: one embedding pass over all three node lists. */
export function pairLogits(backbone: Backbone, view: TemporalGraphView, src: Int32Array, dst: Int32Array, neg: Int32Array, t: Float64Array): { pos: tf.Tensor1D; neg: tf.Tensor1D } {
  const B = src.length;
  const nodes = new Int32Array(3 * B);
  nodes.set(src);
  nodes.set(dst, B);
  nodes.set(neg, 2 * B);
  const times = new Float64Array(3 * B);
  times.set(t);
  times.set(t, B);
  times.set(t, 2 * B);
  const h = backbone.embed(nodes, times, view);
  return tf.tidy(() => {
    const [hs, hd, hn] = tf.split(h, 3, 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const out = { pos: backbone.linkLogits(hs, hd), neg: backbone.linkLogits(hs, hn) };
    h.dispose();
    return out;
  });
}

/** ℓ2-normalised rows. */
export function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}

/** MoCo InfoNCE: logits [q·k, q·Queue]/τ, cross-entropy against index 0. */
export function infoNce(q: tf.Tensor2D, k: tf.Tensor2D, queue: tf.Tensor, tau: number): tf.Scalar {
  return tf.tidy(() => {
    const lPos = tf.sum(tf.mul(q, k), 1, true);
    const lNeg = tf.matMul(q, queue);
    const logits = tf.div(tf.concat([lPos, lNeg], 1), tau);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.squeeze(tf.slice(logits, [0, 0], [-1, 1]), [1]))) as tf.Scalar;
  });
}

/** Distinct nodes of a batch's sources and destinations (training nodes only, when a mask is given), ascending. */
export function batchNodes(src: Int32Array, dst: Int32Array, trainMask: Uint8Array | null): Int32Array {
  const s = new Set<number>();
  for (const v of src) if (!trainMask || trainMask[v]) s.add(v);
  for (const v of dst) if (!trainMask || trainMask[v]) s.add(v);
  return Int32Array.from([...s].sort((a, b) => a - b));
}
