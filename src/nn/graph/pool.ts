/**
 * Global (readout) pooling of node states into one row per graph of a batch, as PyG's
 * `global_add_pool` / `global_mean_pool` / `global_max_pool` and `GlobalAttention`, which
 * pretrain-gnns' `GNN_graphpred` chooses between. `batch` [N] int32 names each node's graph.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import type { Layer } from '../sequential.js';
import { segmentMax, segmentMean, segmentSoftmax, segmentSum } from './scatter.js';

/** Readouts by name; 'add' is PyG's name for 'sum'. */
export type GraphPooling = 'sum' | 'add' | 'mean' | 'max' | 'attention';

/** Σ of the node rows of each graph, x [N, F] → [numGraphs, F] (empty graphs: 0). */
export function globalAddPool(x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
  return segmentSum(x, batch, numGraphs);
}

/** Mean of the node rows of each graph (empty graphs: 0). */
export function globalMeanPool(x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
  return segmentMean(x, batch, numGraphs);
}

/** Element-wise maximum over the node rows of each graph (empty graphs: 0). */
export function globalMaxPool(x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
  return segmentMax(x, batch, numGraphs);
}

/**
 * PyG's `GlobalAttention` (Li et al. 2016 gated readout): gate = softmax over each graph's nodes
 * of `gate_nn`(x) [N, 1]; out = Σ gate · nn(x) (nn optional, identity by default). Children
 * `gate_nn` and `nn` keep PyG's state-dict names (`pool.gate_nn.weight` in GNN_graphpred).
 */
export class GlobalAttention extends Module {
  readonly gateNN: Layer;
  readonly nn: Layer | null;

  constructor(gateNN: Layer, nn: Layer | null = null) {
    super();
    this.gateNN = this.module('gate_nn', gateNN);
    this.nn = nn ? this.module('nn', nn) : null;
  }

  /** The attention weights [N, 1] (they sum to 1 over each graph's nodes). */
  gate(x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
    return tf.tidy(() => {
      const g = this.gateNN.forward(x);
      if (g.rank !== 2 || g.shape[1] !== 1) throw new Error(`GlobalAttention: gate_nn must map to [N, 1], got [${g.shape}]`);
      return segmentSoftmax(g, batch, numGraphs);
    });
  }

  forward(x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
    return tf.tidy(() => {
      const g = this.gate(x, batch, numGraphs);
      const h = this.nn ? this.nn.forward(x) : x;
      return segmentSum(tf.mul(g, h), batch, numGraphs);
    });
  }
}

/** Pool with a parameter-free readout by name ('attention' needs a `GlobalAttention` module). */
export function globalPool(kind: Exclude<GraphPooling, 'attention'>, x: tf.Tensor, batch: tf.Tensor1D, numGraphs: number): tf.Tensor {
  switch (kind) {
    case 'sum':
    case 'add':
      return globalAddPool(x, batch, numGraphs);
    case 'mean':
      return globalMeanPool(x, batch, numGraphs);
    case 'max':
      return globalMaxPool(x, batch, numGraphs);
    default:
      throw new Error(`unknown graph pooling '${String(kind)}' (sum, mean, max, attention)`);
  }
}
