import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

/** A module with a one-tensor forward pass, the kind `Sequential` chains. */
export interface Layer extends Module {
  forward(x: tf.Tensor): tf.Tensor;
}

/**
 * Children applied in order, named '0', '1', … as `torch.nn.Sequential`. Parameter-free steps
 * (activations, dropout) take an index too, so `Sequential(Linear, ReLU, Linear)` has PyTorch's
 * names `0.weight`, `0.bias`, `2.weight`, `2.bias`.
 */
export class Sequential extends Module {
  readonly layers: Layer[] = [];
  constructor(layers: Layer[] = []) {
    super();
    for (const l of layers) this.push(l);
  }

  push(layer: Layer): void {
    this.module(String(this.layers.length), layer);
    this.layers.push(layer);
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Layer {
    const l = this.layers[i];
    if (!l) throw new RangeError(`Sequential index ${i} out of range (${this.layers.length})`);
    return l;
  }

  /** x → layers[0] → … → layers[n−1]. Shapes are whatever the layers accept. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((h, l) => l.forward(h), x));
  }
}
