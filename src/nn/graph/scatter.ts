/**
 * Differentiable reductions over segments (graph nodes, graphs of a batch), the primitives of
 * message passing and pooling. Sum and mean are tfjs's `unsortedSegmentSum` (our kernel pack makes
 * it fast on WASM, src/engine/kernels/unsorted_segment_sum.ts); max and softmax use the engine's
 * gradient-free segment max inside a `tf.customGrad` with the analytic gradient, because a
 * gradient-free kernel anywhere on the taped path makes tfjs's backprop throw.
 */
import * as tf from '@tensorflow/tfjs-core';
import { segmentMaxNoGrad } from '../../engine/ops.js';

/** How messages arriving at the same target are combined. 'add' is PyG's name for 'sum'. */
export type Reduction = 'sum' | 'add' | 'mean' | 'max';

type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;

/** A one-input op whose forward runs untaped (so it may use gradient-free kernels) with a hand-written gradient. */
function withGrad(forward: (x: tf.Tensor, save: (ts: tf.Tensor[]) => void) => tf.Tensor, grad: GradFn): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(((x: tf.Tensor, save: (ts: tf.Tensor[]) => void) => ({
    value: forward(x, save),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grad(dy, saved),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
}

function checkIds(x: tf.Tensor, ids: tf.Tensor1D, what: string): void {
  if (ids.rank !== 1 || ids.dtype !== 'int32') throw new Error(`${what}: segment ids must be a 1-D int32 tensor, got ${ids.dtype} [${ids.shape}]`);
  if (x.shape[0] !== ids.shape[0]) throw new Error(`${what}: ${x.shape[0]} rows but ${ids.shape[0]} segment ids`);
}

/** out[s] = Σ_{i: ids[i] = s} x[i]; x [E, ...] → [numSegments, ...]. */
export function segmentSum(x: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  checkIds(x, ids, 'segmentSum');
  return tf.unsortedSegmentSum(x, ids, numSegments);
}

/** Number of entries per segment as float32 [numSegments] (e.g. in-degrees, graph sizes). */
export function segmentCount(ids: tf.Tensor1D, numSegments: number): tf.Tensor1D {
  return tf.tidy(() => tf.unsortedSegmentSum(tf.onesLike(tf.cast(ids, 'float32')), ids, numSegments) as tf.Tensor1D);
}

/** Per-segment mean; empty segments give 0 (as torch_scatter / PyG). */
export function segmentMean(x: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  checkIds(x, ids, 'segmentMean');
  return tf.tidy(() => {
    const counts = tf.maximum(segmentCount(ids, numSegments), 1);
    return tf.div(tf.unsortedSegmentSum(x, ids, numSegments), tf.reshape(counts, [numSegments, ...new Array(x.rank - 1).fill(1)]));
  });
}

/**
 * Per-segment maximum, element-wise over the trailing dims; empty segments give 0 (as PyG's
 * max aggregation and `global_max_pool`). The gradient goes to the maximal entries, split
 * evenly between ties (as `torch.scatter_reduce(..., 'amax')`).
 */
export function segmentMax(x: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  checkIds(x, ids, 'segmentMax');
  const op = withGrad(
    (v, save) => {
      const raw = segmentMaxNoGrad(v, ids, numSegments);
      const out = tf.where(tf.isInf(raw), tf.zerosLike(raw), raw);
      save([v, out, ids]);
      return out;
    },
    (dy, [v, out, segIds]) => {
      const s = segIds as tf.Tensor1D;
      const hit = tf.cast(tf.equal(v!, tf.gather(out!, s)), 'float32');
      const share = tf.div(dy, tf.maximum(tf.unsortedSegmentSum(hit, s, numSegments), 1));
      return tf.mul(tf.gather(share, s), hit);
    },
  );
  return op(x);
}

/**
 * Softmax of `scores` ([E] or [E, H]) over the entries sharing a segment id: the edge softmax of
 * attention over an edge list (PyG's `utils.softmax`). Stabilised by the segment maximum;
 * differentiable: d/ds = y ⊙ (dy − Σ_segment dy ⊙ y).
 */
export function segmentSoftmax(scores: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  checkIds(scores, ids, 'segmentSoftmax');
  const op = withGrad(
    (s, save) => {
      const max = segmentMaxNoGrad(s, ids, numSegments);
      const e = tf.exp(tf.sub(s, tf.gather(max, ids)));
      const y = tf.div(e, tf.gather(tf.unsortedSegmentSum(e, ids, numSegments), ids));
      save([y, ids]);
      return y;
    },
    (dy, [y, segIds]) => {
      const s = segIds as tf.Tensor1D;
      const dot = tf.gather(tf.unsortedSegmentSum(tf.mul(dy, y!), s, numSegments), s);
      return tf.mul(y!, tf.sub(dy, dot));
    },
  );
  return op(scores);
}

/**
 * Reduce rows of `x` [E, ...] into `numSegments` buckets by `ids` [E] (torch_scatter's
 * `scatter(src, index, dim=0, dim_size, reduce)`).
 */
export function scatter(x: tf.Tensor, ids: tf.Tensor1D, numSegments: number, reduce: Reduction = 'sum'): tf.Tensor {
  switch (reduce) {
    case 'sum':
    case 'add':
      return segmentSum(x, ids, numSegments);
    case 'mean':
      return segmentMean(x, ids, numSegments);
    case 'max':
      return segmentMax(x, ids, numSegments);
    default:
      throw new Error(`scatter: unknown reduction '${String(reduce)}' (sum, add, mean, max)`);
  }
}

/**
 * PyG's `SoftmaxAggregation` with a fixed temperature t: per target and channel,
 * Σ_i softmax_i(t·x_i)·x_i over the messages of that target. x [E, F] → [numSegments, F].
 */
export function softmaxAggregate(x: tf.Tensor, ids: tf.Tensor1D, numSegments: number, t = 1): tf.Tensor {
  return tf.tidy(() => {
    const alpha = segmentSoftmax(t === 1 ? x : tf.mul(x, t), ids, numSegments);
    return tf.unsortedSegmentSum(tf.mul(alpha, x), ids, numSegments);
  });
}
