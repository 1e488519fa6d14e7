/**
 * The MLP-Mixer block of GraphMixer as DyGLib writes it (models/GraphMixer.py: `FeedForwardNet`,
 * `MLPMixer`), with DyGLib's child names so its state dicts load unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { GELU, Identity } from './activations.js';
import { Dropout } from './dropout.js';
import { Sequential } from './sequential.js';
import { LayerNorm } from './norm.js';
import type { Rng } from '../util/random.js';

export interface MixerDropoutOptions {
  /** Dropout after the activation and after the output projection, training only (default 0 as DyGLib). */
  dropout?: number;
  /** Needed when dropout > 0. */
  dropoutRng?: Rng;
}

/** Python's `int(factor * dim)` (truncation, not rounding), the width DyGLib gives the hidden layer. */
export function expandedWidth(dim: number, factor: number): number {
  const w = Math.trunc(factor * dim);
  if (!(w > 0)) throw new Error(`expansion factor ${factor} of width ${dim} gives a hidden width of ${w}`);
  return w;
}

/**
 * DyGLib's `FeedForwardNet(input_dim, dim_expansion_factor, dropout)`: Linear → GELU (exact) →
 * Dropout → Linear → Dropout as one `nn.Sequential` named `ffn`, so the weights are `ffn.0.*` and
 * `ffn.3.*`. [..., inputDim] → same shape.
 */
export class FeedForwardNet extends Module {
  readonly hiddenDim: number;
  readonly ffn: Sequential;

  constructor(
    readonly inputDim: number,
    readonly dimExpansionFactor: number,
    rng: Rng,
    opts: MixerDropoutOptions = {},
  ) {
    super();
    this.hiddenDim = expandedWidth(inputDim, dimExpansionFactor);
    const p = opts.dropout ?? 0;
    if (p > 0 && !opts.dropoutRng) throw new Error('FeedForwardNet: dropout > 0 needs dropoutRng');
    // Without dropout the two slots are identities: parameter-free, so the numbering (and the state-dict names) stays PyTorch's.
    const drop = () => (p > 0 ? new Dropout(p, opts.dropoutRng!.fork()) : new Identity());
    this.ffn = this.module('ffn', new Sequential([new Linear(inputDim, this.hiddenDim, rng), new GELU(), drop(), new Linear(this.hiddenDim, inputDim, rng), drop()]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.ffn.forward(x);
  }
}

export interface MLPMixerOptions extends MixerDropoutOptions {
  /** Hidden width of the token mixer as a multiple of the token count (default 0.5 as DyGLib). */
  tokenDimExpansionFactor?: number;
  /** Hidden width of the channel mixer as a multiple of the channel count (default 4 as DyGLib). */
  channelDimExpansionFactor?: number;
}

/**
 * DyGLib's `MLPMixer(num_tokens, num_channels, token_dim_expansion_factor, channel_dim_expansion_factor, dropout)`:
 * pre-norm token mixing across the N tokens, then channel mixing across the C channels, each with
 * a residual. x [B, N, C] → [B, N, C].
 */
export class MLPMixer extends Module {
  readonly tokenNorm: LayerNorm;
  readonly tokenFeedforward: FeedForwardNet;
  readonly channelNorm: LayerNorm;
  readonly channelFeedforward: FeedForwardNet;

  constructor(
    readonly numTokens: number,
    readonly numChannels: number,
    rng: Rng,
    opts: MLPMixerOptions = {},
  ) {
    super();
    this.tokenNorm = this.module('token_norm', new LayerNorm(numTokens));
    this.tokenFeedforward = this.module('token_feedforward', new FeedForwardNet(numTokens, opts.tokenDimExpansionFactor ?? 0.5, rng, opts));
    this.channelNorm = this.module('channel_norm', new LayerNorm(numChannels));
    this.channelFeedforward = this.module('channel_feedforward', new FeedForwardNet(numChannels, opts.channelDimExpansionFactor ?? 4, rng, opts));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    if (x.rank !== 3 || x.shape[1] !== this.numTokens || x.shape[2] !== this.numChannels) {
      throw new Error(`MLPMixer: input [${x.shape}] must be [B, ${this.numTokens}, ${this.numChannels}]`);
    }
    return tf.tidy(() => {
      const mixed = tf.transpose(this.tokenFeedforward.forward(this.tokenNorm.forward(tf.transpose(x, [0, 2, 1]))), [0, 2, 1]);
      const h = tf.add(mixed, x);
      return tf.add(this.channelFeedforward.forward(this.channelNorm.forward(h)), h) as tf.Tensor3D;
    });
  }
}
