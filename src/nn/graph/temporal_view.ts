/**
 * What a temporal graph network reads while it embeds nodes: which interactions exist (a
 * neighbour finder), their features and (for TGSL's augmented graph) their weights, indexed by
 * edge id with row 0 the padding edge.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NeighborBlock, NeighborSampling, TemporalNeighborFinder } from '../../data/temporal/neighbors.js';
import type { Rng } from '../../util/random.js';

export interface TemporalGraphView {
  finder: TemporalNeighborFinder;
  /** Edge features by edge id, [rows, De]; row 0 (padding) zeros. */
  edgeTable: tf.Tensor2D;
  /**
   * Edge weights by edge id [rows] multiplied into what a neighbour contributes (TGSL's learned
   * edges: σ(·) ∈ (0, 1), real edges 1, padding 0), or null for an unweighted graph.
   */
  edgeWeight: tf.Tensor1D | null;
  /** Node features by node id [numNodes + 1, Dn] (row 0 padding), or null for zeros. */
  nodeTable: tf.Tensor2D | null;
  /** How neighbours are sampled, and the generator for 'uniform'. */
  sampling: NeighborSampling;
  rng: Rng;
}

/** Interfaces every temporal backbone has: node embeddings at given times and a link score. */
export interface TemporalBackbone {
  /** Width of the node embeddings. */
  readonly embedDim: number;
  /** Embeddings [B, embedDim] of nodes at times (each sees only interactions before its time). */
  embed(nodes: Int32Array, times: Float64Array, view: TemporalGraphView): tf.Tensor2D;
  /** Link logits [B] of (src, dst) embedding pairs. */
  linkLogits(src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor1D;
}

/** Rows of `table` for the block's edge ids, [rows, n, D]. */
export function blockRows(table: tf.Tensor2D, ids: Int32Array, rows: number, n: number): tf.Tensor3D {
  return tf.tidy(() => tf.reshape(tf.gather(table, tf.tensor1d(ids, 'int32')), [rows, n, table.shape[1]]) as tf.Tensor3D);
}

/** Time differences t_query − t_neighbour of a block, [rows, n]. */
export function blockDeltas(block: NeighborBlock, times: ArrayLike<number>): tf.Tensor2D {
  const d = new Float32Array(block.rows * block.n);
  for (let i = 0; i < block.rows; i++) for (let j = 0; j < block.n; j++) d[i * block.n + j] = times[i]! - block.times[i * block.n + j]!;
  return tf.tensor2d(d, [block.rows, block.n]);
}

/** 1 for padding neighbours (node 0), else 0, [rows, n]. */
export function blockPadding(block: NeighborBlock): tf.Tensor2D {
  return tf.tensor2d(
    Int32Array.from(block.nodes, (v) => (v === 0 ? 1 : 0)),
    [block.rows, block.n],
    'int32',
  );
}
