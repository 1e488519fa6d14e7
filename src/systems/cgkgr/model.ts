/**
 * The CG-KGR model (`src/model.py` of yankai-chen/CG-KGR), one forward pass for a batch of
 * (user, item) pairs:
 *
 * 1. user-side interactive summary u' over the user's S sampled items (UserAggregator);
 * 2. item-side summary ego_i^U over the item's S sampled users (query W_ui·e_i, raw embeddings);
 * 3. per layer l: i^UI_l, the guidance signal s_l = repr(u', i^UI_l), and knowledge-aware
 *    attentive aggregation over the sampled KG receptive field (entities by hop: the item
 *    [B,1], its S neighbours [B,S], then [B,S²] for two layers), KGCN-style shrinking;
 * 4. score ŷ = σ(<u', i'>).
 *
 * Parameters (official names): `user_emb_matrix` [n_user, d], `entity_emb_matrix` [n_entity, d],
 * `transform_weight` W_R [R+1, d, d] (one matrix per KG relation plus W_ui = W_R[R] for the
 * user–item "interact" relation, shared by both summaries), `useraggregator_0.*`,
 * `entityaggregator_<l>.*`. Loss: mean sigmoid BCE + l2_weight·(½‖user_emb‖² + ½‖entity_emb‖²
 * + ½‖W_R‖² + user aggregator W, b + entity aggregators W1, b1, W2, b2 / W, b) — the full tables,
 * and without W_UI, b_UI, exactly as the official `_build_train`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../../nn/module.js';
import { gatherRows } from '../../engine/ops.js';
import { Rng } from '../../util/random.js';
import type { CgkgrConfig } from './config.js';
import { EntityAggregator, UserAggregator, multiHeadAttention, tfXavierUniform } from './aggregators.js';
import type { SampleTensors } from './sampling.js';

/** Sizes the parameter shapes depend on. */
export interface CgkgrSizes {
  nUser: number;
  nEntity: number;
  /** Number of KG relations R (W_R has R+1 matrices). */
  nRelation: number;
}

/** Per-pair attention weights, for inspection (see {@link CgkgrNet.explain}). */
export interface CgkgrAttention {
  /** User side: the sampled items [B, S] and α [B, S, H]. */
  userItems: tf.Tensor2D;
  userAlpha: tf.Tensor3D;
  /** Item side: the sampled users [B, S] and α [B, S, H]. */
  itemUsers: tf.Tensor2D;
  itemAlpha: tf.Tensor3D;
  /** KG: per layer l and hop h, α [B, S^h, S, H]; entities[h] [B, S^h] by hop, relations[h] [B, S^h, S]. */
  kgAlpha: tf.Tensor4D[][];
  entities: tf.Tensor2D[];
  relations: tf.Tensor3D[];
}

/** Output of the item-only part of the forward pass. */
export interface ItemSide {
  /** Raw item embeddings e_i [B, d]. */
  eI: tf.Tensor2D;
  /** Item-side ego ego_i^U [B, d] (masked to 0 for items without training users under 'empty'). */
  egoIU: tf.Tensor2D;
  itemUsers: tf.Tensor2D;
  alpha: tf.Tensor3D;
}

export class CgkgrNet extends Module {
  readonly config: CgkgrConfig;
  readonly sizes: CgkgrSizes;
  readonly userEmb: tf.Variable;
  readonly entityEmb: tf.Variable;
  readonly WR: tf.Variable;
  readonly userAggregator: UserAggregator;
  readonly entityAggregators: ModuleList<EntityAggregator>;

  constructor(config: CgkgrConfig, sizes: CgkgrSizes, seed: number) {
    super();
    this.config = config;
    this.sizes = sizes;
    const rng = new Rng(seed);
    const d = config.nodeDim;
    this.userEmb = this.param('user_emb_matrix', tfXavierUniform(rng, [sizes.nUser, d]));
    this.entityEmb = this.param('entity_emb_matrix', tfXavierUniform(rng, [sizes.nEntity, d]));
    this.WR = this.param('transform_weight', tfXavierUniform(rng, [sizes.nRelation + 1, d, d]));
    const dropRng = rng.fork();
    this.userAggregator = this.module('useraggregator_0', new UserAggregator(d, config.aggType, config.nHead, config.dropout, dropRng));
    const aggs: EntityAggregator[] = [];
    for (let l = 0; l < config.nLayer; l++) aggs.push(new EntityAggregator(d, config.aggType, config.reprType, config.a, config.nHead, config.dropout, dropRng));
    // ModuleList names children 0, 1, …; the official scopes are entityaggregator_0, _1, ….
    this.entityAggregators = this.module('entityaggregator', new ModuleList(aggs));
  }

  /** Every parameter shape by name, without allocating (same shapes the constructor creates). */
  static parameterShapes(config: Pick<CgkgrConfig, 'nodeDim' | 'aggType' | 'nLayer'>, sizes: CgkgrSizes): Record<string, number[]> {
    const d = config.nodeDim;
    const out: Record<string, number[]> = {
      user_emb_matrix: [sizes.nUser, d],
      entity_emb_matrix: [sizes.nEntity, d],
      transform_weight: [sizes.nRelation + 1, d, d],
    };
    for (const [n, s] of Object.entries(UserAggregator.shapes(d, config.aggType))) out[`useraggregator_0.${n}`] = s;
    for (let l = 0; l < config.nLayer; l++) {
      for (const [n, s] of Object.entries(EntityAggregator.shapes(d, config.aggType))) out[`entityaggregator.${l}.${n}`] = s;
    }
    return out;
  }

  /** Number of scalar parameters for a configuration and data sizes (as the official log's "Total"). */
  static parameterCount(config: Pick<CgkgrConfig, 'nodeDim' | 'aggType' | 'nLayer'>, sizes: CgkgrSizes): number {
    return Object.values(CgkgrNet.parameterShapes(config, sizes)).reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  }

  /** W_ui = W_R[R] [d, d] and the KG relation matrices W_R[0..R−1] [R, d, d]. */
  private relationMatrices(): { Wui: tf.Tensor2D; Wrel: tf.Tensor3D } {
    const R = this.sizes.nRelation;
    const d = this.config.nodeDim;
    return {
      Wui: tf.reshape(tf.slice(this.WR, [R, 0, 0], [1, d, d]), [d, d]) as tf.Tensor2D,
      Wrel: tf.slice(this.WR, [0, 0, 0], [R, d, d]) as tf.Tensor3D,
    };
  }

  /** The user-side interactive summary u' [B, d] for int32 `users` [B]. */
  userSide(users: tf.Tensor1D, s: SampleTensors): { uPrime: tf.Tensor2D; userItems: tf.Tensor2D; alpha: tf.Tensor3D } {
    return tf.tidy(() => {
      const { Wui } = this.relationMatrices();
      const eU = gatherRows(this.userEmb, users) as tf.Tensor2D;
      const userItems = gatherRows(s.adjU2I, users) as tf.Tensor2D;
      const itemNgh = gatherRows(this.entityEmb, userItems) as tf.Tensor3D;
      const mask = gatherRows(s.userHas, users) as tf.Tensor1D;
      const { out, alpha } = this.userAggregator.forward(eU, itemNgh, Wui, mask);
      return { uPrime: out, userItems, alpha };
    });
  }

  /** The item-only part: e_i and the item-side ego ego_i^U over the item's sampled users. */
  itemSide(items: tf.Tensor1D, s: SampleTensors): ItemSide {
    return tf.tidy(() => {
      const { Wui } = this.relationMatrices();
      const B = items.shape[0];
      const d = this.config.nodeDim;
      const eI = gatherRows(this.entityEmb, items) as tf.Tensor2D;
      const itemUsers = gatherRows(s.adjI2U, items) as tf.Tensor2D;
      const userNgh = gatherRows(this.userEmb, itemUsers) as tf.Tensor3D;
      const q = tf.reshape(tf.matMul(eI, Wui, false, true), [B, 1, d]);
      const att = multiHeadAttention(q, userNgh, this.config.nHead);
      const egoIU = tf.mul(att.out, tf.reshape(gatherRows(s.itemHas, items), [B, 1])) as tf.Tensor2D;
      return { eI, egoIU, itemUsers, alpha: att.alpha };
    });
  }

  /** Entities [B, S^h] and relations [B, S^h, S] of the sampled receptive field, h = 0..L. */
  receptiveField(items: tf.Tensor1D, s: SampleTensors): { entities: tf.Tensor2D[]; relations: tf.Tensor3D[] } {
    return tf.tidy(() => {
      const B = items.shape[0];
      const S = this.config.sampleSize;
      const entities: tf.Tensor2D[] = [tf.reshape(items, [B, 1]) as tf.Tensor2D];
      const relations: tf.Tensor3D[] = [];
      for (let h = 0; h < this.config.nLayer; h++) {
        const n = entities[h]!.shape[1];
        entities.push(tf.reshape(gatherRows(s.adjE2E, entities[h]!), [B, n * S]) as tf.Tensor2D);
        relations.push(tf.reshape(gatherRows(s.adjRel, entities[h]!), [B, n, S]) as tf.Tensor3D);
      }
      return { entities, relations };
    });
  }

  /**
   * The KG layers for items `items` [B] given u' [B, d] and the item side; returns i' [B, d]
   * and, with `wantAlpha`, the KG attention per layer and hop.
   */
  itemRepresentation(
    items: tf.Tensor1D,
    uPrime: tf.Tensor2D,
    side: ItemSide,
    s: SampleTensors,
    wantAlpha = false,
  ): { iPrime: tf.Tensor2D; kgAlpha: tf.Tensor4D[][]; entities: tf.Tensor2D[]; relations: tf.Tensor3D[] } {
    return tf.tidy(() => {
      const { Wrel } = this.relationMatrices();
      const B = items.shape[0];
      const S = this.config.sampleSize;
      const L = this.config.nLayer;
      const d = this.config.nodeDim;
      const { entities, relations } = this.receptiveField(items, s);
      let vecs: tf.Tensor3D[] = entities.map((e) => gatherRows(this.entityEmb, e) as tf.Tensor3D);
      const kgAlpha: tf.Tensor4D[][] = [];
      for (let l = 0; l < L; l++) {
        const agg = this.entityAggregators.at(l);
        const isFinal = l === L - 1;
        const iUI = agg.itemUI(side.eI, side.egoIU, isFinal);
        const sig = agg.signal(uPrime, iUI);
        const next: tf.Tensor3D[] = [];
        const alphas: tf.Tensor4D[] = [];
        for (let hop = 0; hop < L - l; hop++) {
          const selfV = vecs[hop]!;
          const n = selfV.shape[1];
          const nghV = tf.reshape(vecs[hop + 1]!, [B, n, S, d]) as tf.Tensor4D;
          const { ego, alpha } = agg.entityEgo(sig, selfV, nghV, relations[hop]!, Wrel);
          next.push(agg.combine(selfV, ego, side.egoIU, isFinal));
          if (wantAlpha) alphas.push(alpha);
        }
        kgAlpha.push(alphas);
        vecs = next;
      }
      return { iPrime: tf.reshape(vecs[0]!, [B, d]) as tf.Tensor2D, kgAlpha, entities, relations };
    });
  }

  /** Logits <u', i'> [B] for int32 `users`, `items` [B]. */
  forward(users: tf.Tensor1D, items: tf.Tensor1D, s: SampleTensors): tf.Tensor1D {
    return tf.tidy(() => {
      const { uPrime } = this.userSide(users, s);
      const side = this.itemSide(items, s);
      const { iPrime } = this.itemRepresentation(items, uPrime, side, s);
      return tf.sum(tf.mul(uPrime, iPrime), 1) as tf.Tensor1D;
    });
  }

  /** Logits plus every attention weight of the pass (for reports and tests). */
  explain(users: tf.Tensor1D, items: tf.Tensor1D, s: SampleTensors): { logits: tf.Tensor1D; attention: CgkgrAttention } {
    return tf.tidy(() => {
      const us = this.userSide(users, s);
      const side = this.itemSide(items, s);
      const rep = this.itemRepresentation(items, us.uPrime, side, s, true);
      const logits = tf.sum(tf.mul(us.uPrime, rep.iPrime), 1) as tf.Tensor1D;
      return {
        logits,
        attention: {
          userItems: us.userItems,
          userAlpha: us.alpha,
          itemUsers: side.itemUsers,
          itemAlpha: side.alpha,
          kgAlpha: rep.kgAlpha,
          entities: rep.entities,
          relations: rep.relations,
        },
      };
    });
  }

  /** The variables of the official L2 term (W_UI, b_UI excluded, as the official code does). */
  l2Variables(): tf.Variable[] {
    return [this.userEmb, this.entityEmb, this.WR, ...this.userAggregator.l2Variables(), ...this.entityAggregators.items.flatMap((a) => a.l2Variables())];
  }

  /** ½·Σ‖v‖² over {@link l2Variables} (tf.nn.l2_loss summed). */
  l2Loss(): tf.Scalar {
    return tf.tidy(() => tf.mul(tf.addN(this.l2Variables().map((v) => tf.sum(tf.square(v)))), 0.5) as tf.Scalar);
  }

  /**
   * The official training loss for a batch: mean sigmoid BCE of the logits against `labels`
   * (float32 0/1 [B]) plus `l2Weight`·{@link l2Loss}.
   */
  loss(users: tf.Tensor1D, items: tf.Tensor1D, labels: tf.Tensor1D, s: SampleTensors): { total: tf.Scalar; bce: tf.Scalar } {
    return tf.tidy(() => {
      const logits = this.forward(users, items, s);
      const bce = bceWithLogits(logits, labels);
      const total = this.config.l2Weight > 0 ? (tf.add(bce, tf.mul(this.l2Loss(), this.config.l2Weight)) as tf.Scalar) : bce;
      return { total, bce };
    });
  }
}

/** Mean sigmoid cross-entropy from logits, stable form max(x,0) − x·y + log(1 + e^{−|x|}) (tf.nn.sigmoid_cross_entropy_with_logits). */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const x = logits;
    const l = tf.add(tf.sub(tf.relu(x), tf.mul(x, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    return tf.mean(l) as tf.Scalar;
  });
}
