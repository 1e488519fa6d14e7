import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import type { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { fanInUniform, kaimingUniform } from './init.js';
import type { Rng } from '../util/random.js';

export interface LoRAOptions {
  /** Rank r of the update (default 8). */
  r?: number;
  /** Scaling numerator: the update is multiplied by alpha / r (default alpha = r, i.e. scale 1). */
  alpha?: number;
  /** Dropout on the input of the low-rank branch, training only (default 0). */
  dropout?: number;
  /**
   * State-dict layout. 'flat' (default, loralib / NutePrune style): `weight`, `bias`, `lora_A`,
   * `lora_B` side by side, so the wrapped layer keeps the base layer's own names and a
   * pretrained state dict still loads. 'peft': `base_layer.{weight,bias}`, `lora_A.weight`,
   * `lora_B.weight` as Hugging Face peft names them (adapter name stripped).
   */
  layout?: 'flat' | 'peft';
  /**
   * Give both low-rank factors a bias (flat layout only): `lora_A_bias` [r] with nn.Linear's
   * init and `lora_B_bias` [out] zeros, i.e. the branch is Linear(in, r) → Linear(r, out), as
   * AdapterGNN's LoRA variant builds it. Default false (loralib / peft).
   */
  bias?: boolean;
}

/** A bias-free weight holder so the peft layout names come out as `lora_A.weight`. */
class WeightOnly extends Module {
  readonly weight: tf.Variable<tf.Rank.R2>;
  constructor(value: tf.Tensor2D) {
    super();
    this.weight = this.param('weight', value);
  }
}

/**
 * LoRA (Hu et al. 2021) around a Linear: y = x·Wᵀ + b + (alpha/r)·(drop(x)·Aᵀ)·Bᵀ with
 * `lora_A` [r, in] Kaiming-uniform (a = √5, as peft and loralib) and `lora_B` [out, r] zeros, so
 * the wrapped layer starts equal to the base. The base weight and bias are frozen. The wrapper
 * takes over `base` (in the flat layout its values are copied and `base` is disposed; in the
 * peft layout it becomes the child `base_layer`). x [..., in] → [..., out].
 */
export class LoRALinear extends Module {
  readonly r: number;
  readonly alpha: number;
  readonly scaling: number;
  readonly layout: 'flat' | 'peft';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly loraA: tf.Variable<tf.Rank.R2>;
  readonly loraB: tf.Variable<tf.Rank.R2>;
  readonly loraABias: tf.Variable<tf.Rank.R1> | null = null;
  readonly loraBBias: tf.Variable<tf.Rank.R1> | null = null;
  /** When false the low-rank branch is skipped (the intact base; NutePrune's teacher pass). */
  enabled = true;
  private mergedFlag = false;
  private readonly drop: Dropout | null;

  constructor(base: Linear, rng: Rng, opts: LoRAOptions = {}) {
    super();
    this.r = opts.r ?? 8;
    if (!(Number.isInteger(this.r) && this.r > 0)) throw new Error(`LoRA: rank must be a positive integer, got ${this.r}`);
    this.alpha = opts.alpha ?? this.r;
    this.scaling = this.alpha / this.r;
    this.layout = opts.layout ?? 'flat';
    this.inFeatures = base.inFeatures;
    this.outFeatures = base.outFeatures;
    const a = kaimingUniform(rng, [this.r, this.inFeatures]) as tf.Tensor2D;
    const b = tf.zeros([this.outFeatures, this.r]) as tf.Tensor2D;
    if (opts.bias && this.layout === 'peft') throw new Error('LoRA: bias is supported in the flat layout only');
    if (this.layout === 'peft') {
      this.module('base_layer', base);
      this.weight = base.weight;
      this.bias = base.bias;
      this.loraA = this.module('lora_A', new WeightOnly(a)).weight;
      this.loraB = this.module('lora_B', new WeightOnly(b)).weight;
      this.freeze('base_layer');
    } else {
      this.weight = this.param('weight', tf.clone(base.weight));
      this.bias = base.bias ? this.param('bias', tf.clone(base.bias)) : null;
      base.dispose();
      this.loraA = this.param('lora_A', a);
      this.loraB = this.param('lora_B', b);
      if (opts.bias) {
        this.loraABias = this.param('lora_A_bias', fanInUniform(rng, [this.r], this.inFeatures) as tf.Tensor1D);
        this.loraBBias = this.param('lora_B_bias', tf.zeros([this.outFeatures]) as tf.Tensor1D);
      }
      this.freeze('weight');
      if (this.bias) this.freeze('bias');
    }
    this.drop = opts.dropout && opts.dropout > 0 ? this.module('lora_dropout', new Dropout(opts.dropout, rng.fork())) : null;
  }

  /** Whether the update is currently folded into `weight`. */
  get merged(): boolean {
    return this.mergedFlag;
  }

  /** The update (alpha/r)·B·A, [out, in] (without the factors' biases). */
  deltaWeight(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.loraB, this.loraA), this.scaling) as tf.Tensor2D);
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) throw new Error(`LoRA: input [${x.shape}] must end in ${this.inFeatures}`);
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const x2 = tf.reshape(x, [-1, this.inFeatures]);
      let y = tf.matMul(x2, this.weight, false, true);
      if (this.bias) y = tf.add(y, this.bias);
      if (this.enabled && !this.mergedFlag) {
        const xin = this.drop ? this.drop.forward(x2) : x2;
        let mid = tf.matMul(xin, this.loraA, false, true);
        if (this.loraABias) mid = tf.add(mid, this.loraABias);
        let low = tf.matMul(mid, this.loraB, false, true);
        if (this.loraBBias) low = tf.add(low, this.loraBBias);
        y = tf.add(y, this.scaling === 1 ? low : tf.mul(low, this.scaling));
      }
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }

  /** The factors' bias contribution (alpha/r)·(B·b_A + b_B), [out]; null without factor biases. */
  private deltaBias(): tf.Tensor1D | null {
    if (!this.loraABias || !this.loraBBias) return null;
    return tf.tidy(() => tf.mul(tf.add(tf.reshape(tf.matMul(this.loraB, tf.reshape(this.loraABias!, [-1, 1])), [-1]), this.loraBBias!), this.scaling) as tf.Tensor1D);
  }

  /** Fold the update into the base weight (W ← W + (alpha/r)·B·A, and the factors' biases into b); forward then uses W alone. */
  merge(): void {
    if (this.mergedFlag) return;
    if (this.loraABias && !this.bias) throw new Error('LoRA: cannot merge biased factors into a layer without a bias');
    tf.tidy(() => {
      this.weight.assign(tf.add(this.weight, this.deltaWeight()) as tf.Tensor2D);
      const db = this.deltaBias();
      if (db) this.bias!.assign(tf.add(this.bias!, db) as tf.Tensor1D);
    });
    this.mergedFlag = true;
  }

  /** Undo `merge`. */
  unmerge(): void {
    if (!this.mergedFlag) return;
    tf.tidy(() => {
      this.weight.assign(tf.sub(this.weight, this.deltaWeight()) as tf.Tensor2D);
      const db = this.deltaBias();
      if (db) this.bias!.assign(tf.sub(this.bias!, db) as tf.Tensor1D);
    });
    this.mergedFlag = false;
  }
}
