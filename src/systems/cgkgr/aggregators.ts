/**
 * The two aggregators of the official `src/aggregators.py`, with its variable names and layouts
 * (TF: `y = x·W + b`, W [in, out]; xavier-uniform weights, zero biases):
 *
 * - `UserAggregator` (`useraggregator_0`): the user-side interactive summary
 *   u' = tanh(W_u·[e_u ; ego_u] + b_u) (concat) | tanh(W_u(e_u + ego_u) + b_u) (sum) |
 *   tanh(W_u·ego_u + b_u) (ngh), where ego_u attends over the user's S sampled items with the
 *   query W_ui·e_u.
 * - `EntityAggregator` (`entityaggregator_l`, one per layer): the item-side summary
 *   i^UI = act(W_UI·[e_i ; ego_i^U] + b_UI), the collaborative guidance signal s, the
 *   knowledge-aware attention key_k = W_{r_k}(s ⊙ e_h) over sampled (r_k, t_k), and the layer
 *   output relu(W1·[e_h ; ego_h] + b1) (non-final) or tanh(W2·[e_i ; ego_i^U ; ego_i] + b2) (final).
 *
 * Multi-head attention everywhere: the d-vector is cut into H contiguous chunks of d/H; the score
 * of neighbour k in head h is <key_h, value_k,h>/√(d/H), softmaxed over the S neighbours.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../../nn/module.js';
import { Dropout } from '../../nn/dropout.js';
import { gatherRows, stopGradient } from '../../engine/ops.js';
import type { Rng } from '../../util/random.js';
import type { AggregatorType, ReprType } from './config.js';

/**
 * TF 1.x `xavier_initializer()` (uniform): limit √(6/(fan_in+fan_out)) with fan_in = shape[−2]·r,
 * fan_out = shape[−1]·r, r = product of the leading dims (so [R+1, d, d] has fans d·(R+1)).
 */
export function tfXavierUniform(rng: Rng, shape: number[]): tf.Tensor {
  if (shape.length < 2) throw new Error(`xavier init needs at least 2 dims, got [${shape}]`);
  const r = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2]! * r;
  const fanOut = shape[shape.length - 1]! * r;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniformArray(n, -limit, limit), shape);
}

/**
 * Multi-head scaled dot-product attention over a fixed neighbourhood of size S.
 * `keys` [P, S, d] or [P, 1, d] (one query shared by all neighbours), `values` [P, S, d].
 * Returns the weighted values [P, d] and the weights α [P, S, H] (each (p, h) sums to 1 over S).
 */
export function multiHeadAttention(keys: tf.Tensor, values: tf.Tensor, nHead: number): { out: tf.Tensor2D; alpha: tf.Tensor3D } {
  return tf.tidy(() => {
    const [P, S, d] = values.shape as [number, number, number];
    const dh = d / nHead;
    const prod = tf.reshape(tf.mul(keys, values), [P, S, nHead, dh]);
    const scores = tf.mul(tf.sum(prod, 3), 1 / Math.sqrt(dh)); // [P, S, H]
    // Softmax over the neighbour axis (not the last one). The max shift only stabilises the
    // exponent (softmax is shift-invariant), so it carries no gradient.
    const e = tf.exp(tf.sub(scores, stopGradient(tf.max(scores, 1, true))));
    const alpha = tf.div(e, tf.sum(e, 1, true)) as tf.Tensor3D;
    const weighted = tf.mul(tf.reshape(alpha, [P, S, nHead, 1]), tf.reshape(values, [P, S, nHead, dh]));
    const out = tf.reshape(tf.sum(weighted, 1), [P, d]) as tf.Tensor2D;
    return { out, alpha };
  });
}

/** Multiply each row of `x` [B, d] by `mask` [B] (zero summary for rows without neighbours). */
function maskRows(x: tf.Tensor2D, mask: tf.Tensor1D | null): tf.Tensor2D {
  return mask ? (tf.mul(x, tf.reshape(mask, [-1, 1])) as tf.Tensor2D) : x;
}

/** The user-side interactive summary (`UserAggregator`). */
export class UserAggregator extends Module {
  readonly weights: tf.Variable;
  readonly bias: tf.Variable;
  /** Dropout after the linear map (training only; the official default is 0). It draws from the init generator, as before. */
  private readonly drop: Dropout;
  constructor(
    readonly dim: number,
    readonly aggType: AggregatorType,
    readonly nHead: number,
    readonly dropoutP: number,
    rng: Rng,
  ) {
    super();
    const inDim = aggType === 'concat' ? 2 * dim : dim;
    this.weights = this.param('weights', tfXavierUniform(rng, [inDim, dim]));
    this.bias = this.param('bias', tf.zeros([dim]));
    this.drop = this.module('dropout', new Dropout(dropoutP, rng));
  }

  /** Parameter shapes by name (for counting without allocating). */
  static shapes(dim: number, aggType: AggregatorType): Record<string, number[]> {
    return { weights: [aggType === 'concat' ? 2 * dim : dim, dim], bias: [dim] };
  }

  /** Variables in the official L2 term. */
  l2Variables(): tf.Variable[] {
    return [this.weights, this.bias];
  }

  /**
   * `eU` [B, d] user embeddings, `itemNgh` [B, S, d] their sampled items' entity embeddings,
   * `Wui` [d, d] the interaction matrix W_R[R], `mask` [B] (1 = has training items) or null.
   * Returns u' [B, d] and the attention α [B, S, H].
   */
  forward(eU: tf.Tensor2D, itemNgh: tf.Tensor3D, Wui: tf.Tensor2D, mask: tf.Tensor1D | null): { out: tf.Tensor2D; alpha: tf.Tensor3D } {
    return tf.tidy(() => {
      const [B, , d] = itemNgh.shape;
      const q = tf.reshape(tf.matMul(eU, Wui, false, true), [B, 1, d]); // (W_ui·e_u) per row
      const att = multiHeadAttention(q, itemNgh, this.nHead);
      const ego = maskRows(att.out, mask);
      let x: tf.Tensor;
      if (this.aggType === 'concat') x = tf.concat([eU, ego], 1);
      else if (this.aggType === 'sum') x = tf.add(eU, ego);
      else x = ego;
      const y = this.drop.forward(tf.add(tf.matMul(x as tf.Tensor2D, this.weights as tf.Tensor2D), this.bias));
      return { out: tf.tanh(y) as tf.Tensor2D, alpha: att.alpha };
    });
  }
}

/** One KG layer (`EntityAggregator`). */
export class EntityAggregator extends Module {
  /** concat: weights_1 [2d,d], bias_1, weights_2 [3d,d], bias_2; sum/ngh: weights [d,d], bias. */
  readonly w: Record<string, tf.Variable> = {};
  readonly weightsUI: tf.Variable;
  readonly biasUI: tf.Variable;
  /** Dropout after every linear map (training only; the official default is 0). */
  private readonly drop: Dropout;
  constructor(
    readonly dim: number,
    readonly aggType: AggregatorType,
    readonly reprType: ReprType,
    readonly a: number,
    readonly nHead: number,
    readonly dropoutP: number,
    rng: Rng,
  ) {
    super();
    // Creation order follows the official __init__ (the W_UI pair comes last in every branch).
    const shapes = EntityAggregator.shapes(dim, aggType);
    for (const [name, shape] of Object.entries(shapes)) {
      if (name.endsWith('_UI')) continue;
      this.w[name] = this.param(name, name.startsWith('bias') ? tf.zeros(shape) : tfXavierUniform(rng, shape));
    }
    this.weightsUI = this.param('weights_UI', tfXavierUniform(rng, shapes['weights_UI']!));
    this.biasUI = this.param('bias_UI', tf.zeros(shapes['bias_UI']!));
    this.drop = this.module('dropout', new Dropout(dropoutP, rng));
  }

  /** Parameter shapes by name, in the official creation order. */
  static shapes(dim: number, aggType: AggregatorType): Record<string, number[]> {
    if (aggType === 'concat') {
      return { weights_1: [2 * dim, dim], bias_1: [dim], weights_2: [3 * dim, dim], bias_2: [dim], weights_UI: [2 * dim, dim], bias_UI: [dim] };
    }
    return { weights: [dim, dim], bias: [dim], weights_UI: [dim, dim], bias_UI: [dim] };
  }

  /** Variables in the official L2 term: W1, b1, W2, b2 (or W, b) — not W_UI, b_UI. */
  l2Variables(): tf.Variable[] {
    return Object.values(this.w);
  }

  private linear(x: tf.Tensor2D, W: tf.Variable, b: tf.Variable): tf.Tensor2D {
    return this.drop.forward(tf.add(tf.matMul(x, W as tf.Tensor2D), b)) as tf.Tensor2D;
  }

  /**
   * i^UI = act(W_UI·[e_i ; ego_i^U] + b_UI) (concat; sum: e_i + ego_i^U; ngh: ego_i^U), with
   * act = tanh in the final layer and relu otherwise. `eI`, `egoIU` [B, d].
   */
  itemUI(eI: tf.Tensor2D, egoIU: tf.Tensor2D, isFinal: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let x: tf.Tensor2D;
      if (this.aggType === 'concat') x = tf.concat([eI, egoIU], 1);
      else if (this.aggType === 'sum') x = tf.add(eI, egoIU);
      else x = egoIU;
      const y = this.linear(x, this.weightsUI, this.biasUI);
      return (isFinal ? tf.tanh(y) : tf.relu(y)) as tf.Tensor2D;
    });
  }

  /** The collaborative guidance signal s from u' and i^UI ([B, d] each). */
  signal(uPrime: tf.Tensor2D, iUI: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      switch (this.reprType) {
        case 'sum':
          return tf.add(uPrime, iUI);
        case 'mean':
          return tf.div(tf.add(uPrime, iUI), 2);
        case 'max':
          return tf.maximum(uPrime, iUI);
        case 'combine':
          return tf.add(tf.mul(uPrime, this.a), tf.mul(iUI, 1 - this.a));
      }
    }) as tf.Tensor2D;
  }

  /**
   * Knowledge-aware attentive aggregation for heads `selfV` [B, n, d] with sampled neighbours
   * `nghV` [B, n, S, d] over relations `rels` [B, n, S] (int32): key_k = W_{r_k}(s ⊙ e_h).
   * `Wrel` [R, d, d] are the KG relation matrices. W_r·x is computed once per relation and the
   * needed rows gathered (never a d×d matrix per edge). Returns ego [B, n, d] and α [B, n, S, H].
   */
  entityEgo(s: tf.Tensor2D, selfV: tf.Tensor3D, nghV: tf.Tensor4D, rels: tf.Tensor3D, Wrel: tf.Tensor3D): { ego: tf.Tensor3D; alpha: tf.Tensor4D } {
    return tf.tidy(() => {
      const [B, n, S, d] = nghV.shape;
      const R = Wrel.shape[0];
      const x = tf.reshape(tf.mul(selfV, tf.reshape(s, [B, 1, d])), [B * n, d]);
      // Wcat[c, r·d + i] = W_r[i, c], so (x·Wcat)[r·d + i] = (W_r x)_i for every relation r.
      const Wcat = tf.reshape(tf.transpose(Wrel, [2, 0, 1]), [d, R * d]);
      const all = tf.reshape(tf.matMul(x, Wcat), [B * n * R, d]);
      const rowBase = tf.mul(tf.range(0, B * n, 1, 'int32'), tf.scalar(R, 'int32'));
      const idx = tf.add(tf.reshape(rowBase, [B * n, 1]), tf.reshape(rels, [B * n, S]));
      const keys = gatherRows(all, idx); // [B·n, S, d]
      const att = multiHeadAttention(keys, tf.reshape(nghV, [B * n, S, d]), this.nHead);
      return { ego: tf.reshape(att.out, [B, n, d]) as tf.Tensor3D, alpha: tf.reshape(att.alpha, [B, n, S, this.nHead]) as tf.Tensor4D };
    });
  }

  /**
   * The layer output for heads `selfV` [B, n, d] with KG summary `ego` [B, n, d]. Final layer
   * (n = 1, the item): tanh(W2·[e_i ; ego_i^U ; ego_i] + b2) (sum: W(e_i + ego_i^U + ego_i);
   * ngh: W(ego_i + ego_i^U)); otherwise relu(W1·[e_h ; ego_h] + b1) (sum: W(e_h + ego_h); ngh: W·ego_h).
   */
  combine(selfV: tf.Tensor3D, ego: tf.Tensor3D, egoIU: tf.Tensor2D, isFinal: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, n, d] = selfV.shape;
      const flat = (t: tf.Tensor): tf.Tensor2D => tf.reshape(t, [B * n, -1]) as tf.Tensor2D;
      let y: tf.Tensor2D;
      if (!isFinal) {
        if (this.aggType === 'concat') y = this.linear(flat(tf.concat([selfV, ego], 2)), this.w['weights_1']!, this.w['bias_1']!);
        else if (this.aggType === 'sum') y = this.linear(flat(tf.add(selfV, ego)), this.w['weights']!, this.w['bias']!);
        else y = this.linear(flat(ego), this.w['weights']!, this.w['bias']!);
        return tf.reshape(tf.relu(y), [B, n, d]) as tf.Tensor3D;
      }
      const u = tf.reshape(egoIU, [B, 1, d]);
      if (this.aggType === 'concat') y = this.linear(flat(tf.concat([selfV, tf.tile(u, [1, n, 1]), ego], 2)), this.w['weights_2']!, this.w['bias_2']!);
      else if (this.aggType === 'sum') y = this.linear(flat(tf.add(tf.add(selfV, u), ego)), this.w['weights']!, this.w['bias']!);
      else y = this.linear(flat(tf.add(ego, u)), this.w['weights']!, this.w['bias']!);
      return tf.reshape(tf.tanh(y), [B, n, d]) as tf.Tensor3D;
    });
  }
}
