import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { BatchNorm1d, LayerNorm } from './norm.js';
import { activate, type ActivationName } from './activations.js';
import type { Rng } from '../util/random.js';

export interface AdapterOptions {
  /** Activation between the projections (default 'relu'). */
  activation?: ActivationName;
  /**
   * Output scale s: a fixed number (default 1), or `{ learnable: init }` for a trainable scalar
   * `scale` [1] (AdapterGNN's per-adapter scalars start at 0.01).
   */
  scale?: number | { learnable: number };
  /** Return x + s·f(x) (default true, Houlsby-style) or only s·f(x) (a parallel adapter whose caller adds it). */
  residual?: boolean;
  /**
   * Normalisation after the up-projection, child `norm`: 'batchnorm' (AdapterGNN; input [N, dim]
   * only) or 'layernorm'. Default none.
   */
  norm?: 'batchnorm' | 'layernorm' | null;
}

/**
 * Bottleneck adapter (Houlsby et al. 2019; AdapterGNN, docs/research/graph.md §1a):
 *   f(x) = norm(up_proj(act(down_proj(x)))),  output = x + s·f(x) (residual) or s·f(x).
 * `down_proj` dim → bottleneck has nn.Linear's init; `up_proj` bottleneck → dim has weight and
 * bias zero, so f(x) = 0 at start and a residual adapter is the identity. x [..., dim] → same.
 */
export class Adapter extends Module {
  readonly downProj: Linear;
  readonly upProj: Linear;
  readonly norm: BatchNorm1d | LayerNorm | null;
  readonly scale: tf.Variable<tf.Rank.R1> | number;
  readonly activation: ActivationName;
  readonly residual: boolean;

  constructor(
    readonly dim: number,
    readonly bottleneck: number,
    rng: Rng,
    opts: AdapterOptions = {},
  ) {
    super();
    this.activation = opts.activation ?? 'relu';
    this.residual = opts.residual ?? true;
    this.downProj = this.module('down_proj', new Linear(dim, bottleneck, rng));
    this.upProj = this.module('up_proj', new Linear(bottleneck, dim, rng));
    tf.tidy(() => {
      this.upProj.weight.assign(tf.zerosLike(this.upProj.weight));
      this.upProj.bias!.assign(tf.zerosLike(this.upProj.bias!));
    });
    const norm = opts.norm ?? null;
    this.norm = norm === 'batchnorm' ? this.module('norm', new BatchNorm1d(dim)) : norm === 'layernorm' ? this.module('norm', new LayerNorm(dim)) : null;
    const s = opts.scale ?? 1;
    this.scale = typeof s === 'number' ? s : this.param('scale', tf.tensor1d([s.learnable]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) throw new Error(`Adapter: input [${x.shape}] must end in ${this.dim}`);
    return tf.tidy(() => {
      let f = this.upProj.forward(activate(this.downProj.forward(x), this.activation));
      if (this.norm) f = this.norm.forward(f);
      const scaled = this.scale === 1 ? f : tf.mul(f, this.scale);
      return this.residual ? tf.add(x, scaled) : scaled;
    });
  }
}
