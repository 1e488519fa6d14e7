/**
 * Self-supervised pre-training of the Hu et al. GIN (snap-stanford/pretrain-gnns, the starting
 * points AdapterGNN fine-tunes; docs/research/graph.md §1a):
 * - attribute masking (`pretrain_masking.py` + `MaskAtom`): per molecule ⌊0.15·n + 1⌋ atoms,
 *   drawn afresh every epoch, get the features [119, 0] (the mask token); Linear(D, 119) predicts
 *   their atom type; cross-entropy over the masked atoms.
 * - edge prediction (`pretrain_edgepred.py` + `NegativeEdge`): the score of an atom pair is the
 *   dot product of its embeddings; each bond (one direction) is a positive, and as many
 *   non-bonded distinct pairs as half the directed edges, drawn afresh every epoch, are the
 *   negatives; BCE-with-logits on both.
 * Adam lr 1e-3, batch 256, dropout 0, through the shared `fit` loop (progress, resume).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GNN } from '../../nn/graph/gnn.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/linear.js';
import { collate } from '../../nn/graph/batch.js';
import { gatherRows } from '../../engine/ops.js';
import type { MolGraph } from '../../data/chem/index.js';
import { batchIndices } from '../../data/batches.js';
import { Adam } from '../../optim/optimizers.js';
import { trainStep } from '../../train/step.js';
import { fit, type EpochRecord } from '../../train/fit.js';
import type { TrainCallOptions } from '../../system/types.js';
import { Rng } from '../../util/random.js';
import type { PretrainOptions } from './config.js';
import type { BackboneConfig } from './backbone.js';

/** Atom types the masking head predicts (atomic number − 1 < 119); row 119 of the embedding is the mask token. */
export const NUM_ATOM_TYPES = 119;

/** The backbone with the strategy's head (`linear_pred_atoms` for masking; none for edge prediction). */
export class PretrainNet extends Module {
  readonly gnn: GNN;
  readonly head: Linear | null;
  constructor(o: Pick<PretrainOptions, 'numLayer' | 'embDim' | 'JK' | 'dropRatio' | 'strategy'>, seed: number) {
    super();
    const rng = new Rng(seed);
    this.gnn = this.module('gnn', new GNN(o.numLayer, o.embDim, rng, { JK: o.JK, dropRatio: o.dropRatio }));
    this.head = o.strategy === 'masking' ? this.module('linear_pred_atoms', new Linear(this.gnn.outDim, NUM_ATOM_TYPES, rng)) : null;
  }
}

/** One batch made ready: the collated graphs with masked features, and the targets. */
interface PretrainBatch {
  graphs: MolGraph[];
  /** Masking: node ids (in the union) of the masked atoms and their true types. */
  masked?: { nodes: Int32Array; types: Int32Array };
  /** Edge prediction: each bond once (every other directed edge, as `edge_index[:, ::2]`) and the negative pairs, in the union. */
  pairs?: { posSrc: Int32Array; posDst: Int32Array; negSrc: Int32Array; negDst: Int32Array };
}

/** ⌊rate·n + 1⌋ distinct atoms of each molecule (capped at n), replaced by the mask token. */
export function maskAtoms(graphs: readonly MolGraph[], rate: number, rng: Rng): PretrainBatch {
  const out: MolGraph[] = [];
  const nodes: number[] = [];
  const types: number[] = [];
  let offset = 0;
  for (const g of graphs) {
    const k = Math.min(g.numNodes, Math.floor(g.numNodes * rate + 1));
    const pick = rng.choice(g.numNodes, k, false);
    const x = g.x.slice();
    for (const a of pick) {
      nodes.push(offset + a);
      types.push(g.x[2 * a]!);
      x[2 * a] = NUM_ATOM_TYPES;
      x[2 * a + 1] = 0;
    }
    out.push({ ...g, x });
    offset += g.numNodes;
  }
  return { graphs: out, masked: { nodes: Int32Array.from(nodes), types: Int32Array.from(types) } };
}

/**
 * Negative atom pairs per molecule as `NegativeEdge`: up to 5·E candidate pairs drawn uniformly,
 * keeping distinct, non-bonded, non-loop pairs until E/2 are found (E = directed edges).
 */
export function negativeEdges(graphs: readonly MolGraph[], rng: Rng): PretrainBatch {
  const src: number[] = [];
  const dst: number[] = [];
  const posSrc: number[] = [];
  const posDst: number[] = [];
  let offset = 0;
  for (const g of graphs) {
    const E = g.src.length;
    for (let e = 0; e < E; e += 2) {
      posSrc.push(offset + g.src[e]!);
      posDst.push(offset + g.dst[e]!);
    }
    const n = g.numNodes;
    const bonded = new Set<number>();
    for (let e = 0; e < E; e++) bonded.add(g.src[e]! * n + g.dst[e]!);
    const taken = new Set<number>();
    const want = E / 2;
    for (let i = 0; i < 5 * E && taken.size < want; i++) {
      const a = rng.int(n);
      const b = rng.int(n);
      const key = a * n + b;
      if (a === b || bonded.has(key) || taken.has(key)) continue;
      taken.add(key);
      src.push(offset + a);
      dst.push(offset + b);
    }
    offset += n;
  }
  return { graphs: graphs as MolGraph[], pairs: { posSrc: Int32Array.from(posSrc), posDst: Int32Array.from(posDst), negSrc: Int32Array.from(src), negDst: Int32Array.from(dst) } };
}

/** Per-epoch numbers of pre-training. */
export interface PretrainScores {
  loss: number;
  /** Masked-atom accuracy (masking) or pair accuracy (edge prediction) over the epoch. */
  accuracy: number;
}

export interface PretrainResult {
  net: PretrainNet;
  history: EpochRecord<null>[];
  /** Accuracy of the last epoch and of always predicting the most common atom type (masking). */
  accuracy: number;
  trivialAccuracy: number | null;
  config: BackboneConfig;
  interrupted: boolean;
}

/** Pre-train on featurised molecules. */
export async function pretrain(graphs: readonly MolGraph[], o: PretrainOptions, env: TrainCallOptions & { seed: number; log: (line: string) => void }): Promise<PretrainResult> {
  const net = new PretrainNet(o, env.seed);
  const rng = new Rng(env.seed).fork();
  const optimizer = new Adam(net.namedTrainable(), { lr: o.lr });
  const config: BackboneConfig = {
    kind: 'adaptergnn-backbone',
    strategy: o.strategy,
    numLayer: o.numLayer,
    embDim: o.embDim,
    JK: o.JK,
    dropRatio: o.dropRatio,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    maskRate: o.maskRate,
    data: o.data,
    molecules: graphs.length,
  };
  let correct = 0;
  let counted = 0;
  env.log(`AdapterGNN pretrain (${o.strategy}): GIN ${o.numLayer} × ${o.embDim}, ${net.numParameters()} parameters, ${graphs.length} molecules, batch ${o.batchSize}`);
  try {
    const res = await fit<Int32Array, null>({
      model: net,
      optimizer,
      epochs: o.epochs,
      rng,
      epochStart: () => {
        correct = 0;
        counted = 0;
      },
      batches: () => batchIndices(graphs.length, o.batchSize, { shuffle: true, rng }),
      step: (rows) => {
        const chosen = Array.from(rows, (r) => graphs[r]!);
        const pb = o.strategy === 'masking' ? maskAtoms(chosen, o.maskRate, rng) : negativeEdges(chosen, rng);
        const b = collate(pb.graphs, { xDtype: 'int32', edgeAttrDtype: 'int32', edgeAttrWidth: 2 });
        const extra: tf.Tensor[] = [];
        try {
          let acc: tf.Tensor | null = null;
          const loss = trainStep({
            optimizer,
            loss: () => {
              const h = net.gnn.forward(b.x!, b.edgeIndex, b.edgeAttr!);
              if (pb.masked) {
                const logits = net.head!.forward(gatherRows(h, pb.masked.nodes)) as tf.Tensor2D;
                const target = tf.tensor1d(pb.masked.types, 'int32');
                extra.push(target);
                acc = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), target), 'float32')));
                return tf.losses.softmaxCrossEntropy(tf.oneHot(target, NUM_ATOM_TYPES), logits) as tf.Scalar;
              }
              const p = pb.pairs!;
              const pos = tf.sum(tf.mul(gatherRows(h, p.posSrc), gatherRows(h, p.posDst)), 1);
              const negScore = tf.sum(tf.mul(gatherRows(h, p.negSrc), gatherRows(h, p.negDst)), 1);
              acc = tf.keep(tf.add(tf.sum(tf.cast(tf.greater(pos, 0), 'float32')), tf.sum(tf.cast(tf.less(negScore, 0), 'float32'))));
              const l1 = tf.losses.sigmoidCrossEntropy(tf.onesLike(pos), pos);
              const l0 = p.negSrc.length ? tf.losses.sigmoidCrossEntropy(tf.zerosLike(negScore), negScore) : tf.scalar(0);
              return tf.add(l1, l0) as tf.Scalar;
            },
          });
          if (acc) {
            correct += (acc as tf.Tensor).dataSync()[0]!;
            (acc as tf.Tensor).dispose();
            // The official edge-prediction accuracy divides by twice the positives.
            counted += pb.masked ? pb.masked.nodes.length : 2 * pb.pairs!.posSrc.length;
          }
          return loss;
        } finally {
          b.dispose();
          tf.dispose(extra);
        }
      },
      reduce: (parts) => {
        const l = parts['loss'] ?? [];
        return { loss: l.reduce((a, b) => a + b, 0) / Math.max(1, l.length), accuracy: counted ? correct / counted : NaN };
      },
      checkpoint: env.checkpoint ? { ...env.checkpoint, config: { ...config, epochs: undefined, seed: env.seed }, system: 'adaptergnn' } : undefined,
      signal: env.signal,
      progress: env.progress,
      epochEnd: (r) => {
        env.curve?.(r.epoch, 'train', { loss: r.train['loss']!, accuracy: r.train['accuracy']! });
        env.log(
          `epoch ${r.epoch}/${o.epochs} | loss ${r.train['loss']!.toFixed(4)} | ${o.strategy === 'masking' ? 'masked-atom' : 'pair'} accuracy ${r.train['accuracy']!.toFixed(4)} (training) | ${r.seconds.toFixed(1)} s`,
        );
      },
    });
    const last = res.history[res.history.length - 1];
    return { net, history: res.history, accuracy: last?.train['accuracy'] ?? NaN, trivialAccuracy: o.strategy === 'masking' ? carbonShare(graphs) : 0.5, config, interrupted: res.interrupted };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}

/** Share of the most common atom type among all atoms (always-carbon accuracy on organic sets). */
export function carbonShare(graphs: readonly MolGraph[]): number {
  const counts = new Map<number, number>();
  let total = 0;
  for (const g of graphs) {
    for (let a = 0; a < g.numNodes; a++) counts.set(g.x[2 * a]!, (counts.get(g.x[2 * a]!) ?? 0) + 1);
    total += g.numNodes;
  }
  return total ? Math.max(...counts.values()) / total : NaN;
}

/** The backbone's state dict under the pretrain-gnns names (`x_embedding1.weight`, …), and the head's. */
export function backboneTensors(net: PretrainNet): { gnn: Map<string, tf.Tensor>; head: Map<string, tf.Tensor> } {
  return { gnn: net.gnn.stateDict(), head: net.head ? net.head.stateDict() : new Map() };
}
