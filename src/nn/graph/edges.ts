/**
 * Edge lists as PyG stores them: `edge_index` [2, E] int32, row 0 = source j, row 1 = target i
 * of the directed edge j → i. Helpers here build and split them with tensor ops only.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Directed edges j → i: a [2, E] int32 tensor as PyG's `edge_index` (row 0 = source j,
 * row 1 = target i), or the two rows as separate [E] tensors.
 */
export type EdgeIndex = tf.Tensor2D | { src: tf.Tensor1D; dst: tf.Tensor1D };

/** Source and target ids of an `EdgeIndex` as [E] int32 tensors (new tensors when split from [2, E]; call inside a tidy). */
export function edgeEndpoints(edgeIndex: EdgeIndex): { src: tf.Tensor1D; dst: tf.Tensor1D } {
  if (edgeIndex instanceof tf.Tensor) {
    if (edgeIndex.rank !== 2 || edgeIndex.shape[0] !== 2) throw new Error(`edge index must be [2, E], got [${edgeIndex.shape}]`);
    if (edgeIndex.dtype !== 'int32') throw new Error(`edge index must be int32, got ${edgeIndex.dtype}`);
    const [s, d] = tf.split(edgeIndex, 2, 0);
    const src = tf.reshape(s!, [-1]) as tf.Tensor1D;
    const dst = tf.reshape(d!, [-1]) as tf.Tensor1D;
    tf.dispose([s!, d!]);
    return { src, dst };
  }
  if (edgeIndex.src.rank !== 1 || edgeIndex.dst.rank !== 1) throw new Error(`edge index: src and dst must be 1-D, got [${edgeIndex.src.shape}] and [${edgeIndex.dst.shape}]`);
  if (edgeIndex.src.dtype !== 'int32' || edgeIndex.dst.dtype !== 'int32') throw new Error('edge index: src and dst must be int32');
  if (edgeIndex.src.size !== edgeIndex.dst.size) throw new Error(`edge index: ${edgeIndex.src.size} sources but ${edgeIndex.dst.size} targets`);
  return { src: edgeIndex.src, dst: edgeIndex.dst };
}

/** Number of edges of an `EdgeIndex`. */
export function numEdges(edgeIndex: EdgeIndex): number {
  return edgeIndex instanceof tf.Tensor ? edgeIndex.shape[1] : edgeIndex.src.size;
}

/** A [2, E] int32 edge index from JS arrays of sources and targets. */
export function edgeIndexFrom(src: ArrayLike<number>, dst: ArrayLike<number>): tf.Tensor2D {
  if (src.length !== dst.length) throw new Error(`edgeIndexFrom: ${src.length} sources but ${dst.length} targets`);
  const data = new Int32Array(2 * src.length);
  data.set(Array.from(src), 0);
  data.set(Array.from(dst), src.length);
  return tf.tensor2d(data, [2, src.length], 'int32');
}

/**
 * The edges plus one self-loop i → i per node, appended after the existing edges (PyG's
 * `add_self_loops`, which pretrain-gnns' GINConv calls in every layer). Call inside a tidy.
 */
export function addSelfLoops(edgeIndex: EdgeIndex, numNodes: number): { src: tf.Tensor1D; dst: tf.Tensor1D } {
  const { src, dst } = edgeEndpoints(edgeIndex);
  const loops = tf.range(0, numNodes, 1, 'int32') as tf.Tensor1D;
  return { src: tf.concat([src, loops]) as tf.Tensor1D, dst: tf.concat([dst, loops]) as tf.Tensor1D };
}

/** How many entries of `index` [E] name each node (PyG's `degree`), float32 [numNodes]. */
export function degree(index: tf.Tensor1D, numNodes: number): tf.Tensor1D {
  return tf.tidy(() => tf.unsortedSegmentSum(tf.onesLike(tf.cast(index, 'float32')), index, numNodes) as tf.Tensor1D);
}
