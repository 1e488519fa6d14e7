/**
 * TGSL (Zhang, Han, Xiao & Bai, CIKM 2023) as the official code computes it: a temporal graph
 * network (TGAT, or GraphMixer) trained on the TGAT split with learned edges — ET-GNN edge
 * embeddings, an LSTM context per node, time-mapped candidate scores, Gumbel top-k and an
 * augmented graph whose edge weights carry the gradient, plus a MoCo InfoNCE term — scored by the
 * official per-batch AP beside the backbone alone, EdgeBank and the recency score.
 *
 * ```ts
 * import { TGSL } from 'sheaf/tgsl';
 * const data = await TGSL.readInteractions({ data: 'wikipedia.csv' });   // JODIE or src,dst,t CSV
 * const m = await TGSL.fit(data, { backbone: 'tgat', width: 32, numNeighbors: 10, epochs: 3 });
 * const r = await m.evaluate();            // test / valid, transductive / inductive, beside the baselines
 * const p = await m.predict([{ src: '12', dst: '7', t: 2.1e6 }]);  // probability per query
 * await m.save('my-model');  const again = await TGSL.load('my-model');
 * ```
 */
import type { Storage } from '../../io/storage.js';
import { defaultStorage } from '../../io/default.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import { validateOptions } from '../../system/schema.js';
import { nodeIdOf, type TemporalQueries } from '../../data/temporal/index.js';
import { dataSchema, type ResolvedTGSLConfig, type TGSLConfigInput } from './config.js';
import { predictLinks, tgslSystem, type TGSLModel } from './system.js';
import { loadTemporalData, type TemporalData } from './data.js';

/** One link query: node names as in the data, time in the data's units. */
export interface LinkQuery {
  src: string;
  dst: string;
  t: number;
}

/** Probabilities of link queries. */
export interface LinkScores {
  probability: number[];
  /** 1 when the pair interacted before the query's time. */
  seenBefore: number[];
  /** Whether the source / destination occurs in the history (unknown nodes are scored as nodes without past interactions). */
  srcKnown: boolean[];
  dstKnown: boolean[];
}

/** A trained TGSL model (or backbone alone), with the data it was trained on. */
export class TGSL extends TrainedModel<TGSLModel, TemporalData> {
  /** Read interactions (options as `sheaf tgsl train`'s data options; default the synthetic graph). */
  static async readInteractions(options: Record<string, unknown> = {}, o: { storage?: Storage } = {}): Promise<TemporalData> {
    return loadTemporalData(o.storage ?? defaultStorage(), validateOptions(dataSchema, options, 'TGSL data options'));
  }

  /** Train with the official protocol (any config field may be given; the rest are the official defaults and the preset's). */
  static async fit(data: TemporalData, config: TGSLConfigInput = {}, o: CallOptions & { baselines?: boolean } = {}): Promise<TGSL> {
    const r = await TrainedModel.trainWith<TGSLModel, TemporalData>(tgslSystem, data, config, o.baselines === undefined ? {} : { baselines: o.baselines }, o);
    return new TGSL(tgslSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder written by `save` or `sheaf tgsl train`. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<TGSL> {
    const r = await TrainedModel.loadWith<TGSLModel>(tgslSystem, dir, o);
    return new TGSL(tgslSystem, r.model, null, r.eval);
  }

  /** Probability of each link query, with `history` (default: the training data, or the data the checkpoint records) as the past. */
  async predict(queries: readonly LinkQuery[], o: { history?: TemporalData; batch?: number; storage?: Storage } = {}): Promise<LinkScores> {
    const history = o.history ?? this.data ?? (await loadTemporalData(o.storage ?? defaultStorage(), this.model.dataOptions));
    const g = history.graph;
    const q: TemporalQueries = {
      src: Int32Array.from(queries, (x) => Math.max(0, nodeIdOf(g, String(x.src), 'src'))),
      dst: Int32Array.from(queries, (x) => Math.max(0, nodeIdOf(g, String(x.dst), g.bipartite ? 'dst' : 'any'))),
      t: Float64Array.from(queries, (x, i) => {
        if (!Number.isFinite(x.t)) throw new TypeError(`TGSL.predict: query ${i} has time ${x.t}, not a finite number`);
        return x.t - g.timeOffset;
      }),
      srcNames: queries.map((x) => String(x.src)),
      dstNames: queries.map((x) => String(x.dst)),
      lines: Int32Array.from(queries, (_, i) => i + 1),
      unknownSrc: 0,
      unknownDst: 0,
    };
    if (!queries.length) return { probability: [], seenBefore: [], srcKnown: [], dstKnown: [] };
    const r = predictLinks(this.model, history, q, o.batch ?? 200);
    return { probability: Array.from(r.probability), seenBefore: Array.from(r.seenBefore), srcKnown: Array.from(q.src, (v) => v > 0), dstKnown: Array.from(q.dst, (v) => v > 0) };
  }

  /** The resolved configuration (preset values filled in). */
  override get config(): ResolvedTGSLConfig & Record<string, unknown> {
    return this.model.main.config as ResolvedTGSLConfig & Record<string, unknown>;
  }

  /** Trained and total parameters of the model (the key encoder and queue are not trained). */
  get parameters(): { trainable: number; total: number } {
    return this.model.main.parameters;
  }
}

export { tgslSystem, modelLabel, predictLinks, type TGSLModel } from './system.js';
export { configSchema, dataSchema, evalSchema, resolveConfig, parseConfig, candidatesPerNode, OFFICIAL_PRESETS, BACKBONES, CANDIDATES, PRESETS, SYNTHETIC } from './config.js';
export type { TGSLConfig, TGSLConfigInput, TGSLDataOptions, TGSLEvalOptions, ResolvedTGSLConfig, Preset, BackboneName, CandidateType, PresetName } from './config.js';
export { loadTemporalData, buildContext, disposeContext, type TemporalData, type RunContext } from './data.js';
export { TGSLNet, refine, candidates, infoNce, linkBce, type AddedEdges } from './model.js';
export { trainTGSL, type FittedTGSL, type EpochScores } from './train.js';
export { drawQueries, scoreQueries, baselineScores, officialScores, globalScores, meanReciprocalRank, splitMetrics, type SplitMetrics } from './evaluate.js';
export {
  syntheticTemporalGraph,
  parseTemporalCsv,
  parseTemporalQueries,
  formatJodieCsv,
  temporalSplit,
  TemporalNeighborFinder,
  type TemporalGraph,
  type SyntheticTemporalOptions,
} from '../../data/temporal/index.js';
