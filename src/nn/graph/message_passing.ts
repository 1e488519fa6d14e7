/**
 * A message-passing base in the style of PyG's `MessagePassing`: a layer defines `message`
 * (one tensor row per edge), optionally `aggregate` (how rows meeting at a node combine) and
 * `update` (what the node does with the result). Everything is batched: messages are built with
 * gathers over the edge list and reduced with segment ops (./scatter.ts), never a JS loop over
 * nodes or edges.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { gatherRows } from '../../engine/ops.js';
import { edgeEndpoints, type EdgeIndex } from './edges.js';
import { scatter, segmentSoftmax, softmaxAggregate, type Reduction } from './scatter.js';

/**
 * How the messages arriving at one node are combined: a reduction, 'softmax' (PyG's
 * `SoftmaxAggregation`: Σ softmax(t·m)·m per channel, t = `softmaxTemperature`) or a function.
 */
export type Aggregation = Reduction | 'softmax' | ((messages: tf.Tensor, index: tf.Tensor1D, numNodes: number) => tf.Tensor);

export interface MessagePassingOptions {
  /** Default 'sum'. */
  aggr?: Aggregation;
  /**
   * 'source_to_target' (default, PyG's): the edge j → i of `edge_index[:, e] = (j, i)` sends x_j
   * to i. 'target_to_source' reverses it.
   */
  flow?: 'source_to_target' | 'target_to_source';
  /** Temperature t of the 'softmax' aggregation (default 1). */
  softmaxTemperature?: number;
}

/** Inputs of one `propagate` call: node features and whatever else `message` needs. */
export interface PropagateInputs {
  /** Node features [N, ...], or [x_source, x_target] for a bipartite graph. */
  x?: tf.Tensor | [tf.Tensor, tf.Tensor];
  /** Number of receiving nodes (default: rows of x, or of x_target). */
  numNodes?: number;
}

/** What `message`, `aggregate` and `update` see: the edge list, the inputs and lazy per-edge gathers. */
export class MessageContext<I extends PropagateInputs = PropagateInputs> {
  constructor(
    /** Index of the sending node of each edge, [E] int32 (x_j). */
    readonly j: tf.Tensor1D,
    /** Index of the receiving node of each edge, [E] int32 (x_i; the aggregation index). */
    readonly i: tf.Tensor1D,
    /** Number of receiving nodes (rows of the aggregated output). */
    readonly numNodes: number,
    readonly inputs: I,
  ) {}

  /** Number of edges. */
  get numEdges(): number {
    return this.j.size;
  }

  /** Rows of `t` (default the sending side of `x`) at the sending end of each edge, [E, ...]. */
  xJ(t?: tf.Tensor): tf.Tensor {
    return gatherRows(t ?? this.side(0), this.j);
  }

  /** Rows of `t` (default the receiving side of `x`) at the receiving end of each edge, [E, ...]. */
  xI(t?: tf.Tensor): tf.Tensor {
    return gatherRows(t ?? this.side(1), this.i);
  }

  /** Softmax of per-edge scores [E] or [E, H] over the edges entering each node (attention weights). */
  softmax(scores: tf.Tensor): tf.Tensor {
    return segmentSoftmax(scores, this.i, this.numNodes);
  }

  private side(k: 0 | 1): tf.Tensor {
    const x = this.inputs.x;
    if (!x) throw new Error('MessageContext: no node features x were given to propagate');
    return Array.isArray(x) ? x[k] : x;
  }
}

/**
 * Base of the graph convolutions. Subclasses override `message` (default: x_j), optionally
 * `aggregate` (default: `this.aggr` over the receiving index) and `update` (default: identity),
 * and call `propagate(edgeIndex, inputs)` from their forward pass.
 */
export abstract class MessagePassing<I extends PropagateInputs = PropagateInputs> extends Module {
  readonly aggr: Aggregation;
  readonly flow: 'source_to_target' | 'target_to_source';
  readonly softmaxTemperature: number;

  constructor(opts: MessagePassingOptions = {}) {
    super();
    this.aggr = opts.aggr ?? 'sum';
    this.flow = opts.flow ?? 'source_to_target';
    this.softmaxTemperature = opts.softmaxTemperature ?? 1;
  }

  /** One row per edge, [E, ...]. Default: the sender's features x_j. */
  protected message(ctx: MessageContext<I>): tf.Tensor {
    return ctx.xJ();
  }

  /** Combine the messages at their receivers, [E, ...] → [numNodes, ...]. */
  protected aggregate(messages: tf.Tensor, ctx: MessageContext<I>): tf.Tensor {
    return aggregateMessages(messages, ctx.i, ctx.numNodes, this.aggr, this.softmaxTemperature);
  }

  /** The new node state from the aggregated messages. Default: identity. */
  protected update(aggregated: tf.Tensor, _ctx: MessageContext<I>): tf.Tensor {
    return aggregated;
  }

  /** message → aggregate → update over `edgeIndex`. */
  propagate(edgeIndex: EdgeIndex, inputs: I): tf.Tensor {
    return tf.tidy(() => {
      const ctx = this.context(edgeIndex, inputs);
      return this.update(this.aggregate(this.message(ctx), ctx), ctx);
    });
  }

  /** message → aggregate without `update`: the aggregated neighbourhood (PyG's `aggr_out`). */
  messageAndAggregate(edgeIndex: EdgeIndex, inputs: I): tf.Tensor {
    return tf.tidy(() => {
      const ctx = this.context(edgeIndex, inputs);
      return this.aggregate(this.message(ctx), ctx);
    });
  }

  /** Build the context (call inside a tidy: splitting a [2, E] index makes tensors). */
  protected context(edgeIndex: EdgeIndex, inputs: I): MessageContext<I> {
    const { src, dst } = edgeEndpoints(edgeIndex);
    const [j, i] = this.flow === 'source_to_target' ? [src, dst] : [dst, src];
    const x = inputs.x;
    const n = inputs.numNodes ?? (x ? (Array.isArray(x) ? x[1].shape[0] : x.shape[0]) : undefined);
    if (n === undefined) throw new Error('propagate: give numNodes when there are no node features x');
    return new MessageContext(j, i, n, inputs);
  }
}

/** Reduce messages [E, ...] at their receivers `index` [E] with a named or custom aggregation. */
export function aggregateMessages(messages: tf.Tensor, index: tf.Tensor1D, numNodes: number, aggr: Aggregation, softmaxTemperature = 1): tf.Tensor {
  if (typeof aggr === 'function') return aggr(messages, index, numNodes);
  if (aggr === 'softmax') return softmaxAggregate(messages, index, numNodes, softmaxTemperature);
  return scatter(messages, index, numNodes, aggr);
}
