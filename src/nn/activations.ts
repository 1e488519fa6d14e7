/**
 * Element-wise activations, as functions and as parameter-free modules. The modules exist so a
 * `Sequential` numbers its children as PyTorch's `nn.Sequential` does (`mlp.0`, ReLU at `mlp.1`,
 * `mlp.2`), which keeps state-dict names identical to the official code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

/** Names accepted wherever a layer takes an activation option. */
export type ActivationName = 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh' | 'gelu' | 'gelu_tanh' | 'silu' | 'elu' | 'softplus' | 'identity';

export const ACTIVATIONS: readonly ActivationName[] = ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'gelu_tanh', 'silu', 'elu', 'softplus', 'identity'];

/** Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default `approximate='none'`). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** GELU with the tanh approximation (PyTorch `approximate='tanh'`, GPT-2's `gelu_new`). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

/** SiLU / swish, x·σ(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * Apply a named activation. `slope` is LeakyReLU's negative slope (PyTorch default 0.01);
 * ELU uses α = 1 as PyTorch does.
 */
export function activate(x: tf.Tensor, name: ActivationName, slope = 0.01): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, slope);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu':
      return gelu(x);
    case 'gelu_tanh':
      return geluTanh(x);
    case 'silu':
      return silu(x);
    case 'elu':
      return tf.elu(x);
    case 'softplus':
      return tf.softplus(x);
    case 'identity':
      return x;
    default:
      throw new Error(`unknown activation '${String(name)}'; accepted: ${ACTIVATIONS.join(', ')}`);
  }
}

/** A parameter-free module wrapping `activate` (ReLU, Sigmoid, … in an `nn.Sequential`). */
export class Activation extends Module {
  constructor(
    readonly kind: ActivationName,
    /** LeakyReLU negative slope. */
    readonly slope = 0.01,
  ) {
    super();
    if (!ACTIVATIONS.includes(kind)) throw new Error(`unknown activation '${kind}'; accepted: ${ACTIVATIONS.join(', ')}`);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return activate(x, this.kind, this.slope);
  }
}

/** `nn.ReLU()`. */
export class ReLU extends Activation {
  constructor() {
    super('relu');
  }
}

/** `nn.LeakyReLU(negative_slope)`, default slope 0.01 as PyTorch. */
export class LeakyReLU extends Activation {
  constructor(slope = 0.01) {
    super('leaky_relu', slope);
  }
}

/** `nn.Sigmoid()`. */
export class Sigmoid extends Activation {
  constructor() {
    super('sigmoid');
  }
}

/** `nn.Tanh()`. */
export class Tanh extends Activation {
  constructor() {
    super('tanh');
  }
}

/** `nn.GELU()` (exact form). */
export class GELU extends Activation {
  constructor() {
    super('gelu');
  }
}

/** `nn.SiLU()`. */
export class SiLU extends Activation {
  constructor() {
    super('silu');
  }
}

/** `nn.Identity()`. */
export class Identity extends Activation {
  constructor() {
    super('identity');
  }
}
