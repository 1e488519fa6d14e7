/**
 * TGSL's ET-GNN (`view_learner.py` `ETGNN`, docs/research/graph.md §2a step 1): a two-layer
 * message passing network over the static graph of the training interactions (with a self-loop
 * per node and a reverse copy of every interaction, as `dgl.add_self_loop` + `dgl.add_reverse_edges`)
 * that learns one embedding per interaction. Layer: message m_uv = [h_u ‖ x_uv ‖ φ(t_uv)], node
 * update h_v ← W_n[mean_{u→v} m_uv ‖ h_v], edge update x_uv ← W_e[h_u ‖ x_uv ‖ φ(t_uv) ‖ h_v]
 * (the new h), ReLU after layer 1. φ: fixed-frequency sin and an MLP (the ET-GNN's own
 * `GraphMixerTE`). Xavier-uniform weights, zero biases. The official module also builds an
 * edge-scoring `mlp` its forward never calls; it is left out (it gets no gradient there either).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { MLPTimeEncode } from './temporal.js';
import { segmentMean } from './scatter.js';
import { xavierUniform } from '../init.js';
import type { Rng } from '../../util/random.js';

/** The static graph ET-GNN runs on. */
export interface ETGraph {
  numNodes: number;
  /** Endpoints of every edge (original, self-loops, reverses), int32 [M]. */
  src: tf.Tensor1D;
  dst: tf.Tensor1D;
  /** Edge features [M, D] and times [M, 1]. */
  feat: tf.Tensor2D;
  time: tf.Tensor2D;
  /** Node features [numNodes, D]. */
  nodeFeat: tf.Tensor2D;
  /** The first `numOriginal` edges are the interactions whose embeddings are returned. */
  numOriginal: number;
}

/**
 * Build the ET-GNN graph of interactions (node ids < numNodes) as DGL 1.0 builds it in the official
 * code: the originals, one self-loop per node (`add_self_loop` fills new edge data with 1: features
 * of ones, time 1), then reversed copies of the originals only (`add_reverse_edges` excludes
 * self-loops) with their features and times — 2E + N edges.
 */
export function etGraph(numNodes: number, src: ArrayLike<number>, dst: ArrayLike<number>, times: ArrayLike<number>, feat: Float32Array, dim: number, nodeFeat: Float32Array | null = null): ETGraph {
  const E = src.length;
  const M = 2 * E + numNodes;
  const s = new Int32Array(M);
  const d = new Int32Array(M);
  const t = new Float32Array(M);
  const f = new Float32Array(M * dim);
  for (let i = 0; i < E; i++) {
    s[i] = src[i]!;
    d[i] = dst[i]!;
    t[i] = times[i]!;
    s[E + numNodes + i] = dst[i]!;
    d[E + numNodes + i] = src[i]!;
    t[E + numNodes + i] = times[i]!;
  }
  f.set(feat.subarray(0, E * dim));
  f.fill(1, E * dim, (E + numNodes) * dim);
  f.set(feat.subarray(0, E * dim), (E + numNodes) * dim);
  for (let v = 0; v < numNodes; v++) {
    s[E + v] = v;
    d[E + v] = v;
    t[E + v] = 1;
  }
  return {
    numNodes,
    src: tf.tensor1d(s, 'int32'),
    dst: tf.tensor1d(d, 'int32'),
    feat: tf.tensor2d(f, [M, dim]),
    time: tf.tensor2d(t, [M, 1]),
    nodeFeat: nodeFeat ? tf.tensor2d(nodeFeat, [numNodes, dim]) : tf.zeros([numNodes, dim]),
    numOriginal: E,
  };
}

export function disposeETGraph(g: ETGraph): void {
  tf.dispose([g.src, g.dst, g.feat, g.time, g.nodeFeat]);
}

/** One `TimeAwareGCN` layer: `apply_mod` (node update) and `apply_mod_e` (edge update). */
class TimeAwareGCN extends Module {
  readonly applyMod: { fc: Linear } & Module;
  readonly applyModE: { fc: Linear } & Module;
  constructor(dim: number, rng: Rng) {
    super();
    const wrap = (fc: Linear) => {
      const m = new (class extends Module {
        readonly fc = this.module('fc', fc);
      })();
      return m;
    };
    this.applyMod = this.module('apply_mod', wrap(new Linear(4 * dim, dim, rng)));
    this.applyModE = this.module('apply_mod_e', wrap(new Linear(4 * dim, dim, rng)));
  }

  forward(g: ETGraph, h: tf.Tensor2D, x: tf.Tensor2D, tEnc: tf.Tensor2D): { h: tf.Tensor2D; x: tf.Tensor2D } {
    return tf.tidy(() => {
      const hs = tf.gather(h, g.src);
      const msg = tf.concat([hs, x, tEnc], 1);
      const agg = segmentMean(msg, g.dst, g.numNodes);
      const hNew = this.applyMod.fc.forward(tf.concat([agg, h], 1)) as tf.Tensor2D;
      const xNew = this.applyModE.fc.forward(tf.concat([tf.gather(hNew, g.src), x, tEnc, tf.gather(hNew, g.dst)], 1)) as tf.Tensor2D;
      return { h: hNew, x: xNew };
    });
  }
}

export class ETGNN extends Module {
  readonly gcn1: TimeAwareGCN;
  readonly gcn2: TimeAwareGCN;
  readonly timeEncoder: MLPTimeEncode;

  constructor(
    readonly dim: number,
    rng: Rng,
  ) {
    super();
    this.gcn1 = this.module('gcn1', new TimeAwareGCN(dim, rng));
    this.gcn2 = this.module('gcn2', new TimeAwareGCN(dim, rng));
    this.timeEncoder = this.module('time_encoder', new MLPTimeEncode(dim, rng, { frequencies: 'tgsl', fn: 'sin' }));
    // `init_emb`: every Linear Xavier-uniform with zero bias.
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.weight') && p.rank === 2) {
        const w = xavierUniform(rng, p.shape);
        p.assign(w);
        w.dispose();
      } else if (name.endsWith('.bias')) tf.tidy(() => p.assign(tf.zerosLike(p)));
    }
  }

  /** Embeddings [numOriginal, D] of the graph's original interactions. */
  forward(g: ETGraph): tf.Tensor2D {
    return tf.tidy(() => {
      const tEnc = tf.reshape(this.timeEncoder.forward(g.time), [-1, this.dim]) as tf.Tensor2D;
      let { h, x } = this.gcn1.forward(g, g.nodeFeat, g.feat, tEnc);
      h = tf.relu(h);
      x = tf.relu(x);
      ({ x } = this.gcn2.forward(g, h, x, tEnc));
      return tf.slice(x, [0, 0], [g.numOriginal, this.dim]) as tf.Tensor2D;
    });
  }
}
