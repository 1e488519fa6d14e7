/**
 * TGSL's data: a temporal graph read from a JODIE / edge CSV or generated (synthetic), and the
 * context a run needs on it — the TGAT split, the training and full neighbour finders, the edge
 * feature table padded to the model width, the negative samplers and, for the structure learner,
 * the ET-GNN graph of the training interactions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseTemporalCsv, syntheticTemporalGraph, temporalSplit, TemporalNeighborFinder, RandomDestinationSampler, type TemporalGraph, type TemporalSplit } from '../../data/temporal/index.js';
import { etGraph, type ETGraph } from '../../nn/graph/etgnn.js';
import { sha256Hex } from '../../io/hash.js';
import { decodeText, type Storage } from '../../io/storage.js';
import { InputError } from '../../util/errors.js';
import { SYNTHETIC, type ResolvedTGSLConfig, type TGSLDataOptions } from './config.js';

/** A loaded graph with where it came from. */
export interface TemporalData {
  graph: TemporalGraph;
  /** The `--data` value. */
  source: string;
  hash: string | null;
  /** The options it was read with (a model's default history for `predict`). */
  options: TGSLDataOptions;
}

/** Read or generate the interactions `o` names. */
export async function loadTemporalData(storage: Storage, o: TGSLDataOptions): Promise<TemporalData> {
  if (o.data === SYNTHETIC) {
    const graph = syntheticTemporalGraph({ events: o.syntheticEvents, seed: o.syntheticSeed, featureDim: o.syntheticFeatures });
    return { graph: { ...graph, name: `synthetic (${o.syntheticEvents} interactions, generator seed ${o.syntheticSeed})` }, source: SYNTHETIC, hash: null, options: o };
  }
  const bytes = await storage.read(o.data);
  const graph = parseTemporalCsv(decodeText(bytes, o.data), { file: o.data, format: o.format, ...(o.bipartite !== undefined ? { bipartite: o.bipartite } : {}), minEvents: 10 });
  return { graph, source: o.data, hash: await sha256Hex(bytes), options: o };
}

/** Everything a run computes once on a graph and a split. Dispose with {@link disposeContext}. */
export interface RunContext {
  graph: TemporalGraph;
  split: TemporalSplit;
  width: number;
  /** Edge features by edge id (id = position + 1), zero-padded to `width`; row 0 padding. */
  edgeTable: tf.Tensor2D;
  nodeTable: tf.Tensor2D | null;
  trainFinder: TemporalNeighborFinder;
  fullFinder: TemporalNeighborFinder;
  /** 1 for nodes of the training graph. */
  trainNodeMask: Uint8Array;
  /** Edge ids of the training interactions, and each edge id's row in the ET-GNN output + 1 (0: not a training edge). */
  trainEids: Int32Array;
  trainRowOfEid: Int32Array;
  /** The ET-GNN graph (structure learner only). */
  et: ETGraph | null;
  samplers: { train: RandomDestinationSampler; all: RandomDestinationSampler; newTest: RandomDestinationSampler | null; newVal: RandomDestinationSampler | null };
}

function padRows(src: Float32Array, rows: number, dim: number, width: number, leadingZeroRow: boolean): Float32Array {
  const off = leadingZeroRow ? 1 : 0;
  const out = new Float32Array((rows + off) * width);
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * dim, (r + 1) * dim), (r + off) * width);
  return out;
}

/** Split the graph and build the finders and tables for a configuration. */
export function buildContext(data: TemporalData, cfg: ResolvedTGSLConfig, seed: number): RunContext {
  const g = data.graph;
  const E = g.src.length;
  const split = temporalSplit(g, { seed, valQuantile: cfg.valQuantile, testQuantile: cfg.testQuantile, newNodeShare: cfg.newNodeShare, draw: cfg.newNodeDraw });
  const W = cfg.width;
  if (g.edgeDim > W) throw new InputError(`the data has ${g.edgeDim} edge features, more than the model width ${W}`, { file: data.source });
  const eids = Int32Array.from({ length: E }, (_, i) => i + 1);
  // The off-by-one find_before is TGAT's; DyGLib's GraphMixer searches strictly (searchsorted).
  const opts = { findBefore: cfg.backbone === 'tgat' ? cfg.findBefore : ('strict' as const) };
  const pick = (idx: Int32Array) => ({
    src: Int32Array.from(idx, (i) => g.src[i]!),
    dst: Int32Array.from(idx, (i) => g.dst[i]!),
    eid: Int32Array.from(idx, (i) => i + 1),
    t: Float64Array.from(idx, (i) => g.t[i]!),
  });
  const train = pick(split.train);
  const trainFinder = TemporalNeighborFinder.build(g.numNodes, train, opts);
  const fullFinder = TemporalNeighborFinder.build(g.numNodes, { src: g.src, dst: g.dst, eid: eids, t: g.t }, opts);
  const trainNodeMask = new Uint8Array(g.numNodes + 1);
  for (const v of split.trainNodes) trainNodeMask[v] = 1;
  const trainRowOfEid = new Int32Array(E + 1);
  split.train.forEach((pos, r) => (trainRowOfEid[pos + 1] = r + 1));
  let et: ETGraph | null = null;
  if (cfg.tgsl) {
    // The DGL graph of the official code has max(training node id) + 1 nodes; node features are zero.
    let maxId = 0;
    for (const v of split.trainNodes) maxId = Math.max(maxId, v);
    const D = g.edgeDim;
    const feat = new Float32Array(split.train.length * W);
    split.train.forEach((pos, r) => feat.set(g.edgeFeat.subarray(pos * D, (pos + 1) * D), r * W));
    const nodeFeat = g.nodeFeat ? padRows(g.nodeFeat.subarray(0, (maxId + 1) * g.nodeDim), maxId + 1, g.nodeDim, W, false) : null;
    et = etGraph(maxId + 1, train.src, train.dst, train.t, feat, W, nodeFeat);
  }
  const dstOf = (idx: Int32Array) => Int32Array.from(idx, (i) => g.dst[i]!);
  return {
    graph: g,
    split,
    width: W,
    edgeTable: tf.tensor2d(padRows(g.edgeFeat, E, g.edgeDim, W, true), [E + 1, W]),
    nodeTable: g.nodeFeat ? tf.tensor2d(padRows(g.nodeFeat.subarray(g.nodeDim), g.numNodes, g.nodeDim, W, true), [g.numNodes + 1, W]) : null,
    trainFinder,
    fullFinder,
    trainNodeMask,
    trainEids: train.eid,
    trainRowOfEid,
    et,
    samplers: {
      train: new RandomDestinationSampler(train.dst),
      all: new RandomDestinationSampler(g.dst),
      newTest: split.newTest.length ? new RandomDestinationSampler(dstOf(split.newTest)) : null,
      newVal: split.newVal.length ? new RandomDestinationSampler(dstOf(split.newVal)) : null,
    },
  };
}

export function disposeContext(c: RunContext): void {
  tf.dispose([c.edgeTable, ...(c.nodeTable ? [c.nodeTable] : [])]);
  if (c.et) tf.dispose([c.et.src, c.et.dst, c.et.feat, c.et.time, c.et.nodeFeat]);
}
