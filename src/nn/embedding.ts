import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { normal } from './init.js';
import type { Rng } from '../util/random.js';
import { gatherRows } from '../engine/ops.js';

/** A lookup table as `torch.nn.Embedding`: `weight` [num, dim] initialised N(0, 1). */
export class Embedding extends Module {
  readonly weight: tf.Variable<tf.Rank.R2>;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    rng: Rng,
    init?: (rng: Rng, shape: number[]) => tf.Tensor,
  ) {
    super();
    this.weight = this.param('weight', (init ?? ((r, s) => normal(r, s)))(rng, [numEmbeddings, embeddingDim]) as tf.Tensor2D);
  }

  /** Rows for int32 `ids` of any shape → [...ids.shape, dim]. */
  forward(ids: tf.Tensor): tf.Tensor {
    return gatherRows(this.weight, ids);
  }
}
