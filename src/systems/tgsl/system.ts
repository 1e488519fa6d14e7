/**
 * TGSL as a Sheaf system: a temporal interaction graph in (JODIE or edge CSV, or the seeded
 * synthetic generator), TGAT or GraphMixer with TGSL's learned edges trained on the TGAT split,
 * scored by the official per-batch AP / AUC, global AP / AUC and MRR beside the backbone alone,
 * EdgeBank and the recency score on the same queries; checkpoints, `predict` (probabilities of
 * (src, dst, t) queries against the history) and `generate` (write the synthetic graph).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { formatCsvRows } from '../../data/csv.js';
import { describeTemporalGraph, formatJodieCsv, parseTemporalQueries, syntheticTemporalGraph, type TemporalQueries } from '../../data/temporal/index.js';
import { loadWeights, type LoadedCheckpoint } from '../../train/checkpoint.js';
import type { EpochRecord } from '../../train/fit.js';
import { InputError, UsageError } from '../../util/errors.js';
import { opt } from '../../system/schema.js';
import { defineSystem, defineVerb, trainCallOptions, type Evaluation, type RunEnv, type VerbResult } from '../../system/types.js';
import type { MetricsComparison, ReportSection } from '../../report/report.js';
import { SYNTHETIC, candidatesPerNode, configSchema, dataSchema, evalSchema, resolveConfig, type ResolvedTGSLConfig, type TGSLConfig, type TGSLDataOptions, type TGSLEvalOptions } from './config.js';
import { buildContext, disposeContext, loadTemporalData, type RunContext, type TemporalData } from './data.js';
import { TGSLNet } from './model.js';
import { trainTGSL, type EpochScores, type FittedTGSL } from './train.js';
import { baselineScores, drawQueries, officialScores, scoreQueries, scoringRng, splitMetrics, type Queries, type Scored, type SplitMetrics } from './evaluate.js';
import { apOverTimeSection, comparison, historySection, learnedEdgesSection, summariseAdded, type ScoredRow } from './report.js';

/** A trained TGSL model: the network (TGSL or the backbone alone), the backbone trained beside it, and where its data came from. */
export interface TGSLModel {
  main: FittedTGSL;
  /** The backbone alone trained on the same split (TGSL runs with baselines on), else null. */
  backbone: FittedTGSL | null;
  /** The data options of the training graph (the default history of `predict`). */
  dataOptions: TGSLDataOptions;
  origin: { source: string; hash: string | null; events: number };
  /** The run context of the last data scored (kept for repeated calls; freed by dispose). */
  cache: { data: TemporalData; ctx: RunContext } | null;
}

/** Display name of a trained network. */
export function modelLabel(cfg: Pick<ResolvedTGSLConfig, 'backbone' | 'tgsl'>): string {
  const b = cfg.backbone === 'tgat' ? 'TGAT' : 'GraphMixer';
  return cfg.tgsl ? `TGSL (${b})` : b;
}

function contextFor(m: TGSLModel, data: TemporalData): RunContext {
  if (m.cache?.data === data) return m.cache.ctx;
  if (m.cache) disposeContext(m.cache.ctx);
  if (data.graph.edgeDim > m.main.config.width) throw new InputError(`the data has ${data.graph.edgeDim} edge features, more than the model width ${m.main.config.width}`, { file: data.source });
  const ctx = buildContext(data, m.main.config, m.main.seed);
  m.cache = { data, ctx };
  return ctx;
}

function sameData(m: TGSLModel, data: TemporalData): boolean {
  if (data.source === SYNTHETIC)
    return (
      m.origin.source === SYNTHETIC &&
      data.graph.src.length === m.origin.events &&
      data.options.syntheticSeed === m.dataOptions.syntheticSeed &&
      data.options.syntheticFeatures === m.dataOptions.syntheticFeatures
    );
  return data.hash !== null && data.hash === m.origin.hash;
}

/** The query sets of one split: transductive (every interaction of the period) and inductive (those touching a new node). */
function querySets(ctx: RunContext, split: 'test' | 'valid'): Array<{ mode: 'transductive' | 'inductive'; positions: Int32Array; sampler: NonNullable<RunContext['samplers']['all']> }> {
  const s = ctx.split;
  const sets: ReturnType<typeof querySets> = [{ mode: 'transductive', positions: split === 'test' ? s.test : s.val, sampler: ctx.samplers.all }];
  // Inductive negatives as the official code draws them: test from the new-node destinations, validation from all (graph.md §2f pitfall 2).
  const newPos = split === 'test' ? s.newTest : s.newVal;
  const newSampler = split === 'test' ? ctx.samplers.newTest : ctx.samplers.all;
  if (newPos.length && newSampler) sets.push({ mode: 'inductive', positions: newPos, sampler: newSampler });
  return sets;
}

async function evaluate(m: TGSLModel, data: TemporalData, ev: TGSLEvalOptions, env: RunEnv): Promise<Evaluation> {
  const ctx = contextFor(m, data);
  const cfg = m.main.config;
  const seed = m.main.seed;
  const notes: string[] = [];
  if (!sameData(m, data))
    notes.push(
      `these data differ from the training data: the TGAT split was recomputed on them with the model's seed ${seed}${cfg.tgsl ? ', and TGSL learns its edges from their training period' : ''}`,
    );
  const splits: Array<'test' | 'valid'> = ev.split === 'held-out' ? ['test', 'valid'] : [ev.split];
  const label = modelLabel(cfg);
  const backboneLabel = m.backbone ? `${modelLabel(m.backbone.config)} alone (same split and seed)` : null;
  const R = ev.mrrNegatives;
  const results: MetricsComparison[] = [];
  const sections: ReportSection[] = [];
  const extras: Record<string, unknown> = {
    backbone: cfg.backbone,
    tgsl: cfg.tgsl,
    parameters: m.main.parameters,
    keptEpoch: m.main.keptEpoch,
    split: { train: ctx.split.train.length, valid: ctx.split.val.length, test: ctx.split.test.length, newValid: ctx.split.newVal.length, newTest: ctx.split.newTest.length, tMax: ctx.split.tMax },
  };
  const k = cfg.tgsl ? Math.floor(cfg.ratio * candidatesPerNode(cfg.canType, cfg.canNn)) : 0;
  let scoredQueries = 0;
  for (const split of splits) {
    for (const set of querySets(ctx, split)) {
      const tag = `${split}/${set.mode}`;
      const q: Queries = drawQueries(ctx, set.positions, set.sampler, scoringRng(seed, `${tag}/queries`), { batch: ev.evalBatch, mrr: R, dropLast: cfg.dropLast });
      if (!q.batches.length) continue;
      env.log(`scoring ${tag}: ${set.positions.length} interactions`);
      const main = scoreQueries(m.main.net, ctx, q, scoringRng(seed, `${tag}/model`));
      const rows: ScoredRow[] = [{ label, kind: 'model', m: splitMetrics(main, R) }];
      const series: Array<{ name: string; perBatch: ReturnType<typeof officialScores>['perBatch'] }> = [{ name: label, perBatch: officialScores(main).perBatch }];
      const add = (name: string, s: Scored) => {
        rows.push({ label: name, kind: 'baseline', m: splitMetrics(s, R) });
        series.push({ name, perBatch: officialScores(s).perBatch });
      };
      if (m.backbone && backboneLabel) add(backboneLabel, scoreQueries(m.backbone.net, ctx, q, scoringRng(seed, `${tag}/backbone`)));
      if (ev.baselines) {
        add('EdgeBank (pair seen before)', baselineScores(ctx, q, 'edgebank'));
        add('recency (1 / (1 + time since the pair last met))', baselineScores(ctx, q, 'recency'));
      }
      scoredQueries += rows[0]!.m.queries;
      results.push(
        comparison(
          split,
          `${set.mode}: official per-batch AP / AUC (batches of ${ev.evalBatch}, one random negative each)`,
          data.graph.name,
          rows,
          `${rows[0]!.m.queries} interactions of the ${split === 'test' ? 'test' : 'validation'} period${set.mode === 'inductive' ? ' that touch a node held out of training' : ''}; AP and ROC-AUC = mean over batches (the official numbers), global = over all pairs at once; MRR = mean reciprocal rank of each positive among ${R} random${R ? ` and, separately, ${R} historical (destinations the source met before)` : ''} negatives. Every row is scored on the same queries.`,
        ),
      );
      extras[`${split}_${set.mode}`] = Object.fromEntries(rows.map((r) => [r.label, r.m satisfies SplitMetrics]));
      if (split === splits[0] && set.mode === 'transductive') {
        sections.push(apOverTimeSection(`${split}`, series));
        if (cfg.tgsl && main.added.length) {
          const s = summariseAdded(ctx, main.added, k);
          sections.push(learnedEdgesSection(split, s));
          extras['learnedEdges'] = s;
        }
      }
    }
  }
  if (!results.length) throw new InputError(`the ${ev.split} split holds no interactions`, { file: data.source });
  const runs: Array<{ name: string; history: EpochRecord<EpochScores>[]; keptEpoch: number }> = [];
  if (m.main.history.length) runs.push({ name: label, history: m.main.history, keptEpoch: m.main.keptEpoch });
  if (m.backbone?.history.length) runs.push({ name: modelLabel(m.backbone.config), history: m.backbone.history, keptEpoch: m.backbone.keptEpoch });
  if (runs.length) sections.unshift(historySection(runs));
  const share = ((100 * m.main.parameters.trainable) / m.main.parameters.total).toFixed(1);
  notes.unshift(
    `${label}: width ${cfg.width}, ${cfg.numNeighbors} neighbours (${cfg.sampling}), ${cfg.numLayers} layers; ${m.main.parameters.trainable} of ${m.main.parameters.total} parameters trained (${share} %${cfg.tgsl ? '; the rest is the key encoder' : ''})${cfg.tgsl ? `; candidates ${cfg.canType} × ${cfg.canNn}, k = ${k} added edges per batch node` : ''}; kept epoch ${m.main.keptEpoch}${m.main.stoppedEarly ? ' (stopped early)' : ''}${m.main.interrupted ? '; interrupted' : ''}`,
    `split (seed ${seed}): ${ctx.split.train.length} training / ${ctx.split.val.length} validation / ${ctx.split.test.length} test interactions, ${ctx.split.newVal.length} / ${ctx.split.newTest.length} of them inductive; ${scoredQueries} queries scored`,
  );
  return { results, sections, notes, extras };
}

/** A trained network's description in the checkpoint (its weights are the tensors). */
interface SavedRun extends Omit<FittedTGSL, 'net'> {
  queuePtr: number;
}

interface SavedExtra {
  main: SavedRun;
  backbone: SavedRun | null;
  dataOptions: TGSLDataOptions;
  origin: TGSLModel['origin'];
}

function savedRun(f: FittedTGSL): SavedRun {
  const { net, ...rest } = f;
  return { ...rest, queuePtr: net.queuePtr };
}

function loadRun(s: SavedRun, ck: LoadedCheckpoint, file: string): FittedTGSL {
  const parsed = configSchema.parse(s.config) as TGSLConfig;
  const cfg = resolveConfig({ ...parsed, width: s.config.width }, 0);
  const net = new TGSLNet(cfg, s.seed);
  try {
    loadWeights(net, ck, file);
  } catch (e) {
    net.dispose();
    throw e;
  }
  net.queuePtr = s.queuePtr;
  net.syncQueue();
  net.eval();
  return { net, config: cfg, history: s.history ?? [], keptEpoch: s.keptEpoch, stoppedEarly: s.stoppedEarly, interrupted: s.interrupted, seed: s.seed, parameters: s.parameters };
}

/**
 * Probabilities of link queries with the history `history` (neighbours strictly before each query's
 * time; TGSL adds its learned edges per batch), and whether each pair met before (EdgeBank).
 */
export function predictLinks(m: TGSLModel, history: TemporalData, queries: TemporalQueries, batch = 200): { probability: Float32Array; seenBefore: Float32Array } {
  const ctx = contextFor(m, history);
  const n = queries.src.length;
  const batches: Queries['batches'] = [];
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const dst = queries.dst.slice(s, e);
    // The negative slot holds the destination itself: only the positive scores are read.
    batches.push({ idx: Int32Array.from({ length: e - s }, (_, i) => s + i), src: queries.src.slice(s, e), dst, t: queries.t.slice(s, e), neg: dst, randNeg: null, histNeg: null });
  }
  const q: Queries = { batches, mrr: 0 };
  const scored = scoreQueries(m.main.net, ctx, q, scoringRng(m.main.seed, 'predict'));
  const seen = baselineScores(ctx, q, 'edgebank');
  const probability = new Float32Array(n);
  const seenBefore = new Float32Array(n);
  let o = 0;
  scored.batches.forEach((b, bi) => {
    probability.set(b.pos, o);
    seenBefore.set(seen.batches[bi]!.pos, o);
    o += b.pos.length;
  });
  return { probability, seenBefore };
}

const predictOptions = z.object({
  data: z.string().describe('queries to score: a CSV with src,dst,t columns (or user_id,item_id,timestamp), node names and times as in the history'),
  history: z.string().optional().describe('the interactions known before the queries (default: the training data the checkpoint records)'),
  format: dataSchema.shape.format,
  out: z.string().optional().describe('CSV to write (default: predictions.csv in the run folder)'),
  batch: opt.int().min(1).default(200).describe('queries per scoring batch (TGSL refines the graph per batch)'),
});

const generateOptions = z.object({
  out: z.string().describe('JODIE CSV to write (user_id,item_id,timestamp,state_label,f0…)'),
  events: opt.int().min(50).default(5000).describe('interactions'),
  syntheticSeed: opt.int().min(0).default(0).describe('generator seed (the same as --synthetic-seed of train: with the defaults, the file holds the graph --data synthetic trains on)'),
  users: opt.int().min(2).default(300).describe('users (sources)'),
  items: opt.int().min(2).default(80).describe('items (destinations)'),
  communities: opt.int().min(1).default(6).describe('latent communities of users and items'),
  featureDim: opt.int().min(1).default(32).describe('edge-feature width'),
  pRepeat: opt.num().min(0).max(1).default(0.55).describe('chance an interaction repeats one of the user’s recent items'),
  pCommunity: opt.num().min(0).max(1).default(0.35).describe('otherwise, chance of a new item of the user’s community (else any item by popularity)'),
  meanGap: opt.num().positive().default(100).describe('mean time between interactions (Poisson process)'),
});

/** TGSL. */
export const tgslSystem = defineSystem({
  name: 'tgsl',
  title: 'TGSL',
  summary: 'predict links in a temporal interaction graph (TGAT or GraphMixer), learning the edges it lacks',
  reference: { paper: 'Zhang, Han, Xiao & Bai, Time-aware Graph Structure Learning via Sequence Prediction on Temporal Graphs, CIKM 2023', code: 'ViktorAxelsen/TGSL (TGAT+TGSL, GraphMixer+TGSL)' },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  async loadData(o, env) {
    const d = await loadTemporalData(env.storage, o);
    const s = describeTemporalGraph(d.graph);
    env.log(`${d.graph.name}: ${s.events} interactions, ${s.nodes} nodes, ${d.graph.edgeDim} edge features, ${(100 * s.repeatShare).toFixed(1)} % repeated pairs`);
    return d;
  },
  describeData: (d: TemporalData) => ({ name: d.graph.name, hash: d.hash }),
  async train(data, cfg, ev, env): Promise<TGSLModel> {
    const r = resolveConfig(cfg, data.graph.edgeDim);
    const ctx = buildContext(data, r, env.seed);
    const withBackbone = r.tgsl && ev.baselines;
    let main: FittedTGSL | null = null;
    try {
      main = await trainTGSL(ctx, r, { ...trainCallOptions(env, withBackbone ? 'tgsl' : undefined), label: modelLabel(r) });
      let backbone: FittedTGSL | null = null;
      // The backbone alone on the same split and seed, for the side-by-side rows (skipped when the run was stopped).
      if (withBackbone && !env.signal?.aborted) backbone = await trainTGSL(ctx, { ...r, tgsl: false }, { ...trainCallOptions(env, 'backbone'), label: modelLabel({ ...r, tgsl: false }) });
      return { main, backbone, dataOptions: data.options, origin: { source: data.source, hash: data.hash, events: data.graph.src.length }, cache: { data, ctx } };
    } catch (e) {
      main?.net.dispose();
      disposeContext(ctx);
      throw e;
    }
  },
  evaluate,
  configOf: (m: TGSLModel) => m.main.config,
  save: (m: TGSLModel) => ({
    tensors: m.main.net.stateDict() as Map<string, tf.Tensor>,
    files: m.backbone ? { backbone: m.backbone.net.stateDict() as Map<string, tf.Tensor> } : undefined,
    config: m.main.config,
    epoch: m.main.keptEpoch,
    extra: { main: savedRun(m.main), backbone: m.backbone ? savedRun(m.backbone) : null, dataOptions: m.dataOptions, origin: m.origin } satisfies SavedExtra,
  }),
  async load(ck) {
    const ex = (ck.extra as { model?: SavedExtra } | null)?.model;
    if (!ex?.main?.config) throw new InputError('not a TGSL checkpoint (no stored model description)', { file: ck.dir });
    const main = loadRun(ex.main, ck, 'model');
    let backbone: FittedTGSL | null = null;
    try {
      if (ex.backbone) {
        if (!ck.files['backbone']) throw new InputError('the checkpoint names a backbone but has no backbone.safetensors', { file: ck.dir });
        backbone = loadRun(ex.backbone, ck, 'backbone');
      }
    } catch (e) {
      main.net.dispose();
      throw e;
    }
    return { main, backbone, dataOptions: dataSchema.parse(ex.dataOptions ?? {}), origin: ex.origin, cache: null } satisfies TGSLModel;
  },
  dispose: (m: TGSLModel) => {
    m.main.net.dispose();
    m.backbone?.net.dispose();
    if (m.cache) disposeContext(m.cache.ctx);
    m.cache = null;
  },
  predict: {
    verb: 'predict',
    summary: 'score (src, dst, t) link queries against the interaction history: one probability per query, in a CSV',
    options: predictOptions,
    async run(m: TGSLModel, o: z.output<typeof predictOptions>, env) {
      const history = await loadTemporalData(env.storage, o.history ? dataSchema.parse({ ...m.dataOptions, data: o.history, format: o.format }) : m.dataOptions);
      const text = await env.storage.readText(o.data);
      const queries = parseTemporalQueries(text, { file: o.data, graph: history.graph });
      const n = queries.src.length;
      const { probability, seenBefore } = predictLinks(m, history, queries, o.batch);
      const rows = Array.from({ length: n }, (_, i) => [
        String(queries.lines[i]),
        queries.srcNames[i]!,
        queries.dstNames[i]!,
        String(queries.t[i]! + history.graph.timeOffset),
        probability[i]!.toFixed(6),
        String(seenBefore[i]),
        queries.src[i] ? '1' : '0',
        queries.dst[i] ? '1' : '0',
      ]);
      const csv = formatCsvRows(['line', 'src', 'dst', 't', 'probability', 'seen_before', 'src_known', 'dst_known'], rows);
      let out: string | null;
      if (o.out) {
        await env.storage.write(o.out, csv);
        out = o.out;
      } else out = await env.artifact('predictions.csv', csv, 'predictions');
      if (!out) throw new UsageError('tgsl predict needs --out when no run folder is created');
      const unknown = queries.unknownSrc + queries.unknownDst;
      return {
        dataset: { name: o.data },
        artifacts: o.out ? [{ kind: 'predictions', path: o.out }] : [],
        notes: [
          `${n} queries scored by ${modelLabel(m.main.config)} against ${history.graph.name} (neighbours strictly before each query's time) → ${out}`,
          ...(unknown ? [`${queries.unknownSrc} sources and ${queries.unknownDst} destinations are not in the history: scored as nodes with no past interactions (src_known / dst_known = 0)`] : []),
        ],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'generate',
      summary: 'write the seeded synthetic interaction graph (communities, Zipf activity, repeats) as a JODIE CSV',
      options: generateOptions,
      createsRun: false,
      async run(o, ctx): Promise<VerbResult> {
        const g = syntheticTemporalGraph({
          events: o.events,
          seed: o.syntheticSeed,
          users: o.users,
          items: o.items,
          communities: o.communities,
          featureDim: o.featureDim,
          pRepeat: o.pRepeat,
          pCommunity: o.pCommunity,
          meanGap: o.meanGap,
        });
        await ctx.storage.write(o.out, formatJodieCsv(g));
        const st = describeTemporalGraph(g);
        return {
          dataset: { name: g.name },
          artifacts: [{ kind: 'interactions', path: o.out }],
          config: { ...o },
          extras: { stats: st },
          notes: [
            `${st.events} synthetic interactions between ${g.numSources} users and ${g.numNodes - g.numSources} items (of ${o.users} and ${o.items} drawn; those that never interact are left out) (${st.distinctPairs} distinct pairs, ${(100 * st.repeatShare).toFixed(1)} % repeats, ${o.featureDim} edge features, times 0…${st.span.toFixed(0)}) → ${o.out}; train on it with: sheaf tgsl train --data ${o.out}`,
          ],
        };
      },
    }),
  ],
  demo: (quick) => ({
    data: quick ? { syntheticEvents: 1500, syntheticFeatures: 16 } : {},
    // The acceptance setting of issue 13 (32 wide, 10 neighbours, 3 epochs, the 5 000-interaction synthetic graph); quick: 1 500 interactions, 16 wide, 1 epoch.
    config: quick ? { width: 16, numNeighbors: 5, epochs: 1, canNn: 5, rnnNn: 10 } : { width: 32, numNeighbors: 10, epochs: 3 },
    eval: quick ? { mrrNegatives: 5 } : {},
    note: quick
      ? 'quick demo: TGSL on TGAT, 16 wide, 5 neighbours, 1 epoch, synthetic graph of 1 500 interactions with 16 edge features (not the acceptance setting)'
      : 'demo: TGSL on TGAT (and TGAT alone), 32 wide, 10 neighbours, 3 epochs, synthetic graph of 5 000 interactions (the acceptance setting, one seed)',
  }),
  async conformance() {
    return {
      data: { syntheticEvents: 400, syntheticFeatures: 8 },
      config: { width: 8, numNeighbors: 3, epochs: 2, canNn: 3, rnnNn: 4, queueSize: 16, batchSize: 100 },
      eval: { evalBatch: 100, mrrNegatives: 2 },
      note: 'the synthetic generator at 400 interactions, TGSL on an 8-wide TGAT',
      resumable: true,
    };
  },
});
