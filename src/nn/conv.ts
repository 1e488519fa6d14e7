import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { fanInUniform, kaimingUniform } from './init.js';
import { conv1d } from '../engine/ops.js';
import type { Rng } from '../util/random.js';

export interface Conv1dOptions {
  /** Zero padding: an int on both ends, 'valid' (0) or 'same' (PyTorch's: odd extra on the right). Default 0. */
  padding?: number | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: number;
  /** Add a bias (default true). */
  bias?: boolean;
}

/**
 * `torch.nn.Conv1d` with stride 1 and groups 1: `weight` [out, in, k] (Kaiming-uniform a=√5,
 * i.e. U(±1/√(in·k))), `bias` [out] U(±1/√(in·k)). Channels-first input [B, C_in, L] (or
 * unbatched [C_in, L]) → [B, C_out, L_out] with L_out = L + padL + padR − dilation·(k−1).
 * Computed with the im2col `conv1d` op (docs/research/engine.md §1.4), so its filter gradient runs on WASM.
 */
export class Conv1d extends Module {
  readonly weight: tf.Variable<tf.Rank.R3>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly padding: number | 'same';
  readonly dilation: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: Rng,
    opts: Conv1dOptions = {},
  ) {
    super();
    const pad = opts.padding ?? 0;
    this.padding = pad === 'valid' ? 0 : pad;
    if (this.padding !== 'same' && !(Number.isInteger(this.padding) && this.padding >= 0)) {
      throw new Error(`Conv1d: padding must be a non-negative integer, 'same' or 'valid', got ${String(pad)}`);
    }
    this.dilation = opts.dilation ?? 1;
    if (!(Number.isInteger(this.dilation) && this.dilation >= 1)) throw new Error(`Conv1d: dilation must be a positive integer, got ${this.dilation}`);
    this.weight = this.param('weight', kaimingUniform(rng, [outChannels, inChannels, kernelSize]) as tf.Tensor3D);
    this.bias = opts.bias === false ? null : this.param('bias', fanInUniform(rng, [outChannels], inChannels * kernelSize) as tf.Tensor1D);
  }

  /** [B, C_in, L] → [B, C_out, L_out] (PyTorch layout); [C_in, L] → [C_out, L_out]. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank === 2) return tf.tidy(() => tf.squeeze(this.forward(tf.expandDims(x, 0)), [0]));
    if (x.rank !== 3 || x.shape[1] !== this.inChannels) throw new Error(`Conv1d: expected [B, ${this.inChannels}, L], got [${x.shape}]`);
    return tf.tidy(() => tf.transpose(this.forwardChannelsLast(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D), [0, 2, 1]));
  }

  /**
   * The same convolution on channels-last input [B, L, C_in] → [B, L_out, C_out], saving the two
   * transposes when the caller's data is already time-major (e.g. MTAD-GAT's (b, n, k) windows).
   */
  forwardChannelsLast(x: tf.Tensor3D): tf.Tensor3D {
    if (x.rank !== 3 || x.shape[2] !== this.inChannels) throw new Error(`Conv1d: expected channels-last [B, L, ${this.inChannels}], got [${x.shape}]`);
    return tf.tidy(() => {
      // PyTorch's [out, in, k] → the op's [k, in, out].
      const w = tf.transpose(this.weight, [2, 1, 0]) as tf.Tensor3D;
      const y = conv1d(x, w, this.padding, this.dilation);
      return (this.bias ? tf.add(y, this.bias) : y) as tf.Tensor3D;
    });
  }
}
