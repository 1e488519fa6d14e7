/**
 * What PyTorch's stacked recurrent layers (`torch.nn.GRU`, `torch.nn.LSTM`) share: per layer an
 * input and a hidden weight of `gates × hidden` rows and their two biases, named as PyTorch names
 * them (`weight_ih_l0`, `bias_hh_l1`, …) so a state dict loads unchanged, all U(±1/√hidden); and
 * dropout between layers (training only).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { uniform } from './init.js';
import { Dropout } from './dropout.js';
import type { Rng } from '../util/random.js';

/** One layer's weights. */
export interface RnnLayerWeights {
  wih: tf.Variable<tf.Rank.R2>;
  whh: tf.Variable<tf.Rank.R2>;
  bih: tf.Variable<tf.Rank.R1>;
  bhh: tf.Variable<tf.Rank.R1>;
}

/** Options of a stacked recurrent layer. */
export interface RnnOptions {
  numLayers?: number;
  /** Input is [B, T, I] (true, default) or [T, B, I] (false), as PyTorch's `batch_first`. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only), as PyTorch. */
  dropout?: number;
}

/** The weights and layout of a stacked recurrent layer with `gates` gates per cell. */
export abstract class StackedRnn extends Module {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  protected readonly layers: RnnLayerWeights[] = [];
  protected readonly drop: Dropout | null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    rng: Rng,
    gates: number,
    opts: RnnOptions = {},
  ) {
    super();
    this.numLayers = opts.numLayers ?? 1;
    this.batchFirst = opts.batchFirst ?? true;
    const k = 1 / Math.sqrt(hiddenSize);
    const G = gates * hiddenSize;
    for (let l = 0; l < this.numLayers; l++) {
      const inp = l === 0 ? inputSize : hiddenSize;
      this.layers.push({
        wih: this.param(`weight_ih_l${l}`, uniform(rng, [G, inp], -k, k) as tf.Tensor2D),
        whh: this.param(`weight_hh_l${l}`, uniform(rng, [G, hiddenSize], -k, k) as tf.Tensor2D),
        bih: this.param(`bias_ih_l${l}`, uniform(rng, [G], -k, k) as tf.Tensor1D),
        bhh: this.param(`bias_hh_l${l}`, uniform(rng, [G], -k, k) as tf.Tensor1D),
      });
    }
    this.drop = opts.dropout && this.numLayers > 1 ? this.module('dropout', new Dropout(opts.dropout, rng)) : null;
  }
}
