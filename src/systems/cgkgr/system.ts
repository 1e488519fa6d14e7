/**
 * CG-KGR as a Sheaf system: data (KGCN files, raw CSVs + an attribute table, or the synthetic
 * set), training with the random-KG ablation, evaluation in both protocols beside item
 * popularity, checkpoints, `recommend` and `build-kg`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { joinPath } from '../../io/path.js';
import { readJson, type Storage } from '../../io/storage.js';
import { decodeSafetensors } from '../../io/safetensors.js';
import { InputError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { canonicalJson } from '../../train/fit.js';
import { checkpointTensors, type LoadedCheckpoint } from '../../train/checkpoint.js';
import { defineSystem, defineVerb, type Evaluation, type RunEnv, type SavedModel } from '../../system/types.js';
import { opt, validateOptions } from '../../system/schema.js';
import type { ReportSection } from '../../report/report.js';
import { DEFAULT_CONFIG, configSchema, evalSchema, modelConfigOf, resolvedOptions, type CgkgrConfig, type CgkgrEvalOptions, type CgkgrOptions } from './config.js';
import { INSTEVAL_DIR, checkHashes, kgcnSpec, loadDataSpec, withHashes, type DataSpec, type IdMaps } from './datasets.js';
import { buildKg, implicitFeedback, kgcnFiles, parseBuckets, readTextTable } from './kg_builder.js';
import { buildKgAdjacency, csrRow, groupCsr, randomizeKg, type CgkgrDataset } from './data.js';
import { CgkgrNet, type CgkgrSizes } from './model.js';
import { disposeSampleTensors, sampleNeighbours, sampleToTensors, type NeighbourSample } from './sampling.js';
import { prepareData, trainCgkgr, type EpochRecord, type OfficialSelection, type PreparedData } from './train.js';
import { evaluateModel, evaluatePopularity, type ScorerEvaluation } from './experiment.js';
import { modelScorers, officialTopKUsers, TOPK_KS } from './evaluate.js';
import { attentionSection, examplePair, kCurvesSection, metricsComparisons, officialSection, summaryLine } from './report.js';
import { SYNTHETIC_DEFAULTS } from './synthetic.js';

/** What `loadData` reads. */
export interface CgkgrData {
  spec: DataSpec;
  dataset: CgkgrDataset;
  maps: IdMaps;
}

/** A trained CG-KGR with what it is only defined together with: its split and its neighbour sample. */
export interface FittedCgkgr {
  net: CgkgrNet;
  /** The resolved options (preset and defaults filled in; the split seed fixed). */
  options: CgkgrOptions & { splitSeed: number };
  config: CgkgrConfig;
  data: CgkgrData;
  prep: PreparedData;
  sample: NeighbourSample;
  /** Sampler state that re-draws `sample`. */
  sampleState: number[];
  seed: number;
  bestEpoch: number;
  steps: number;
  secondsPerEpoch: number;
  history: EpochRecord[];
  official: OfficialSelection;
  /** The random-KG ablation, trained and evaluated with the model (its numbers). */
  randomKg: { evaluation: ScorerEvaluation; official: OfficialSelection } | null;
}

/** Options that say where the data is. */
const buildShape = {
  itemColumn: z.string().optional().describe('item id column of the attribute table (default: its first column)'),
  columns: z.string().optional().describe('comma-separated attribute columns to use (default: all others)'),
  multiSep: z.string().default('|').describe('separator of several values in one cell'),
  bucket: z.string().optional().describe('numeric bucketing, e.g. year=10: adds value → bucket triples (2-hop structure)'),
  userColumn: z.string().optional().describe('user column of the ratings CSV (default: its first column)'),
  ratingItemColumn: z.string().optional().describe('item column of the ratings CSV (default: its second column)'),
  ratingColumn: z.string().optional().describe("rating column (default: the third column; 'none' = every row is a positive)"),
  threshold: opt.num().default(4).describe('rating >= threshold is a positive (KGCN MovieLens rule)'),
  unknownItems: z.enum(['error', 'skip']).default('error').describe('ratings of items missing from the attribute table'),
  delimiter: z.enum([',', ';', 'tab']).default(',').describe('CSV delimiter'),
  negativeSeed: opt.int().default(2021).describe('seed of the negative sampling (raw ratings)'),
};

export const dataSchema = z.object({
  data: z.string().optional().describe('folder with ratings_final.txt and kg_final.txt (KGCN layout); default: the shipped InstEval (data/insteval)').meta({ kind: 'path' }),
  ratings: z.string().optional().describe('ratings_final.txt (user item label), with --kg, instead of --data').meta({ kind: 'path' }),
  kg: z.string().optional().describe('kg_final.txt (head relation tail), with --ratings').meta({ kind: 'path' }),
  ratingsCsv: z.string().optional().describe('raw ratings CSV (with --items-csv): the KG and implicit feedback are built on the fly as build-kg does').meta({ kind: 'path' }),
  itemsCsv: z.string().optional().describe('item attribute table CSV (item id, attribute columns; multi-valued cells separated by --multi-sep)').meta({ kind: 'path' }),
  synthetic: z.boolean().default(false).describe('use the seeded synthetic set (500 users, 2 000 items, KG of types/years/decades)'),
  syntheticSeed: opt.int().default(SYNTHETIC_DEFAULTS.seed).describe('seed of the synthetic generator'),
  ...buildShape,
});
type DataOptions = z.output<typeof dataSchema>;

function buildSpecOptions(o: z.output<z.ZodObject<typeof buildShape>>) {
  return {
    itemColumn: o.itemColumn,
    columns: o.columns
      ? o.columns
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    multiSep: o.multiSep,
    buckets: parseBuckets(o.bucket),
    userColumn: o.userColumn,
    ratingItemColumn: o.ratingItemColumn,
    ratingColumn: o.ratingColumn === 'none' ? null : o.ratingColumn,
    threshold: o.threshold,
    unknownItems: o.unknownItems,
    delimiter: (o.delimiter === 'tab' ? '\t' : o.delimiter) as ',' | ';' | '\t',
  };
}

/** The data spec the options describe. */
export function dataSpecFrom(o: DataOptions): DataSpec {
  const sources = [o.synthetic, !!(o.ratingsCsv || o.itemsCsv), !!(o.ratings || o.kg), !!o.data].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give one data source: --data, --ratings/--kg, --ratings-csv/--items-csv, or --synthetic');
  if (o.synthetic) return { kind: 'synthetic', name: `synthetic (seed ${o.syntheticSeed})`, options: { seed: o.syntheticSeed } };
  if (o.ratingsCsv || o.itemsCsv) {
    if (!o.ratingsCsv || !o.itemsCsv) throw new UsageError('--ratings-csv and --items-csv go together');
    return { kind: 'raw', name: o.ratingsCsv, ratingsCsv: o.ratingsCsv, itemsCsv: o.itemsCsv, build: buildSpecOptions(o), negativeSeed: o.negativeSeed };
  }
  if (o.ratings || o.kg) {
    if (!o.ratings || !o.kg) throw new UsageError('--ratings and --kg go together');
    return { kind: 'kgcn', name: o.ratings, ratings: o.ratings, kg: o.kg };
  }
  return kgcnSpec(o.data ?? INSTEVAL_DIR);
}

/** Data options that describe a (pre-kit) spec. */
function optionsFromSpec(spec: DataSpec): Record<string, unknown> {
  if (spec.kind === 'synthetic') return { synthetic: true, syntheticSeed: spec.options.seed ?? SYNTHETIC_DEFAULTS.seed };
  if (spec.kind === 'kgcn') return { ratings: spec.ratings, kg: spec.kg };
  const b = spec.build;
  return {
    ratingsCsv: spec.ratingsCsv,
    itemsCsv: spec.itemsCsv,
    ...(b.itemColumn ? { itemColumn: b.itemColumn } : {}),
    ...(b.columns ? { columns: b.columns.join(',') } : {}),
    ...(b.userColumn ? { userColumn: b.userColumn } : {}),
    ...(b.ratingItemColumn ? { ratingItemColumn: b.ratingItemColumn } : {}),
    ...(b.ratingColumn !== undefined ? { ratingColumn: b.ratingColumn ?? 'none' } : {}),
    ...(b.threshold !== undefined ? { threshold: b.threshold } : {}),
    negativeSeed: spec.negativeSeed,
  };
}

function sameData(a: DataSpec, b: DataSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The CG-KGR scorer, the random-KG ablation (when trained) and popularity, evaluated on `prep`. */
function evaluations(m: FittedCgkgr, prep: PreparedData, sample: NeighbourSample, ev: CgkgrEvalOptions, same: boolean): ScorerEvaluation[] {
  const officialUsers = officialTopKUsers(prep.train, prep.test, 100, new Rng(m.seed ^ 0x5eed));
  const common = { officialUsers, fullRanking: ev.fullRanking, maxRankUsers: ev.maxRankUsers, ks: TOPK_KS };
  const model = evaluateModel('CG-KGR', m.net, { sample }, prep, common);
  const pop = evaluatePopularity(prep, { batchSize: m.config.batchSize, ...common });
  return [model, ...(m.randomKg && same ? [m.randomKg.evaluation] : []), pop];
}

function dataSection(name: string, prep: PreparedData): ReportSection {
  const d = prep.dataset;
  let pos = 0;
  for (const l of d.ratings.labels) pos += l;
  return {
    title: 'Data and split',
    tables: [
      {
        caption: name,
        columns: ['users', 'items', 'entities', 'relations', 'triples', 'rows', 'positives', 'train rows', 'eval rows', 'test rows', 'users w/o train rows', 'items w/o train rows'],
        rows: [
          [
            d.nUser,
            d.nItem,
            d.kg.nEntity,
            d.kg.nRelation,
            d.kg.heads.length,
            d.ratings.users.length,
            pos,
            prep.train.users.length,
            prep.eval.users.length,
            prep.test.users.length,
            prep.cold.users.length,
            prep.cold.items.length,
          ],
        ],
      },
    ],
    description: `Random ${prep.splitRatios.join(':')} row split (seed ${prep.splitSeed}), as the official data_split. Negatives are the fixed 1:1 rows of the input file.`,
  };
}

async function evaluate(m: FittedCgkgr, data: CgkgrData, ev: CgkgrEvalOptions, env: RunEnv): Promise<Evaluation> {
  const same = sameData(data.spec, m.data.spec);
  let prep = m.prep;
  let sample = m.sample;
  if (!same) {
    prep = prepareData(data.dataset, { splitSeed: m.options.splitSeed, splitRatios: m.options.splitRatios as [number, number, number], summaryRows: m.config.summaryRows });
    const r = new Rng(0);
    r.setState(m.sampleState);
    sample = sampleNeighbours(prep.graph, buildKgAdjacency(data.dataset.kg), m.config.sampleSize, r, m.config.noInteraction);
  }
  const evals = evaluations(m, prep, sample, ev, same);
  const name = data.dataset.name;
  // The scored rows of one split, for users who want to look at them.
  const rows = ev.split === 'test' ? prep.test : prep.eval;
  const st = sampleToTensors(sample);
  const sc = modelScorers(m.net, st, data.dataset.nItem, { batchSize: m.config.batchSize });
  let scores: Float32Array;
  try {
    scores = sc.pairs(rows.users, rows.items);
  } finally {
    sc.dispose();
    disposeSampleTensors(st);
  }
  const lines = ['user,item,label,score'];
  for (let k = 0; k < rows.users.length; k++) lines.push(`${rows.users[k]},${rows.items[k]},${rows.labels[k]},${scores[k]!.toPrecision(6)}`);
  await env.artifact('predictions.csv', lines.join('\n') + '\n', `${ev.split} split scores`);
  const sections: ReportSection[] = [dataSection(name, prep), kCurvesSection(evals, name)];
  if (m.history.length) sections.push(officialSection([{ label: 'CG-KGR', official: m.official }, ...(m.randomKg ? [{ label: 'CG-KGR, random KG', official: m.randomKg.official }] : [])], name));
  const pair = examplePair(prep);
  if (pair) sections.push(attentionSection(m.net, sample, pair, data.maps));
  const parameters = m.net.numParameters();
  return {
    results: metricsComparisons(evals, name),
    sections,
    notes: [...evals.map((e) => summaryLine(e, name)), `${parameters} parameters; kept epoch ${m.bestEpoch} (best global eval AUC); ${m.secondsPerEpoch.toFixed(2)} s per training epoch`],
    extras: {
      parameters,
      bestEpoch: m.bestEpoch,
      secondsPerEpoch: m.secondsPerEpoch,
      protocols: { full: 'global AUC; all-item ranking of every test user', official: 'per-batch AUC; 100 sampled users' },
      official: { model: m.official, randomKg: m.randomKg?.official ?? null },
    },
  };
}

/** What the checkpoint's `extra.model` holds. */
interface CgkgrExtra {
  spec: DataSpec;
  sampleState: number[];
  sizes: CgkgrSizes;
  nItem: number;
  seed: number;
  bestEpoch: number;
  steps: number;
  secondsPerEpoch: number;
  official: OfficialSelection;
  randomKg: { evaluation: ScorerEvaluation; official: OfficialSelection } | null;
}

function save(m: FittedCgkgr): SavedModel {
  const extra: CgkgrExtra = {
    spec: m.data.spec,
    sampleState: m.sampleState,
    sizes: m.net.sizes,
    nItem: m.data.dataset.nItem,
    seed: m.seed,
    bestEpoch: m.bestEpoch,
    steps: m.steps,
    secondsPerEpoch: m.secondsPerEpoch,
    official: m.official,
    randomKg: m.randomKg ? JSON.parse(JSON.stringify(m.randomKg)) : null,
  };
  return { tensors: m.net.stateDict(), config: m.options, extra, epoch: m.bestEpoch, step: m.steps };
}

/** Rebuild from a checkpoint: re-read the data (checking its hashes), re-split, re-draw the kept sample. */
async function load(ck: LoadedCheckpoint, env: Pick<RunEnv, 'storage'>): Promise<FittedCgkgr> {
  const where = joinPath(ck.dir, 'config.json');
  const x = (ck.extra as { model?: CgkgrExtra } | null)?.model;
  if (!x?.spec) throw new InputError('not a CG-KGR checkpoint (no data spec in extra.model)', { file: where, field: 'extra.model' });
  const options = validateOptions(configSchema, ck.config as Record<string, unknown>, `${where}: config`) as CgkgrOptions & { splitSeed: number };
  const config = modelConfigOf(options);
  await checkHashes(env.storage, x.spec);
  const { dataset, maps } = await loadDataSpec(env.storage, x.spec);
  if (dataset.nUser !== x.sizes.nUser || dataset.kg.nEntity !== x.sizes.nEntity || dataset.kg.nRelation !== x.sizes.nRelation || dataset.nItem !== x.nItem) {
    throw new InputError(
      `the data no longer matches the checkpoint: ${dataset.nUser} users / ${dataset.nItem} items / ${dataset.kg.nEntity} entities / ${dataset.kg.nRelation} relations vs ` +
        `${x.sizes.nUser} / ${x.nItem} / ${x.sizes.nEntity} / ${x.sizes.nRelation} at training`,
      { file: ck.dir },
    );
  }
  const prep = prepareData(dataset, { splitSeed: options.splitSeed, splitRatios: options.splitRatios as [number, number, number], summaryRows: config.summaryRows });
  const r = new Rng(0);
  r.setState(x.sampleState);
  const sample = sampleNeighbours(prep.graph, buildKgAdjacency(dataset.kg), config.sampleSize, r, config.noInteraction);
  const net = new CgkgrNet(config, x.sizes, 0);
  const w = checkpointTensors(ck);
  try {
    net.loadStateDict(w);
  } catch (e) {
    net.dispose();
    throw new InputError((e as Error).message, { file: joinPath(ck.dir, 'model.safetensors') });
  } finally {
    tf.dispose([...w.values()]);
  }
  net.eval();
  return {
    net,
    options,
    config,
    data: { spec: x.spec, dataset, maps },
    prep,
    sample,
    sampleState: x.sampleState,
    seed: x.seed,
    bestEpoch: x.bestEpoch,
    steps: x.steps ?? ck.step,
    secondsPerEpoch: x.secondsPerEpoch ?? NaN,
    history: [],
    official: x.official ?? { bestEpoch: 0, testAuc: NaN, testF1: null, topK: null },
    randomKg: x.randomKg ?? null,
  };
}

/** The pre-kit checkpoint (format `sheaf-checkpoint` v1, `extra.system: 'cgkgr'`) as a current one. */
async function legacy(storage: Storage, path: string): Promise<LoadedCheckpoint | null> {
  for (const dir of [path, joinPath(path, 'checkpoint')]) {
    const cfgPath = joinPath(dir, 'config.json');
    if ((await storage.stat(cfgPath))?.kind !== 'file') continue;
    const c = (await readJson(storage, cfgPath)) as Record<string, unknown> | null;
    const e = c?.['extra'] as Record<string, unknown> | null | undefined;
    if (c?.['format'] !== 'sheaf-checkpoint' || c['version'] !== 1 || e?.['system'] !== 'cgkgr') continue;
    const old = c['config'] as CgkgrConfig;
    const { nEpoch, ...rest } = old;
    const options = { ...rest, epochs: nEpoch, splitRatios: e['splitRatios'], splitSeed: e['splitSeed'] };
    const baselines = e['baselines'] as { randomKg?: ScorerEvaluation | null } | undefined;
    const extra: CgkgrExtra = {
      spec: e['data'] as DataSpec,
      sampleState: e['sampleState'] as number[],
      sizes: e['sizes'] as CgkgrSizes,
      nItem: e['nItem'] as number,
      seed: e['seed'] as number,
      bestEpoch: e['bestEpoch'] as number,
      steps: (c['step'] as number) ?? 0,
      secondsPerEpoch: NaN,
      official: { bestEpoch: 0, testAuc: NaN, testF1: null, topK: null },
      randomKg: baselines?.randomKg ? { evaluation: baselines.randomKg, official: { bestEpoch: 0, testAuc: NaN, testF1: null, topK: null } } : null,
    };
    const weights = joinPath(dir, 'model.safetensors');
    return {
      dir,
      version: 1,
      system: 'cgkgr',
      config: options,
      epoch: extra.bestEpoch,
      step: extra.steps,
      rngState: null,
      moduleRng: null,
      bestMetric: null,
      extra: { data: optionsFromSpec(extra.spec), eval: {}, model: extra },
      scheduler: null,
      files: { model: decodeSafetensors(await storage.read(weights), weights).tensors },
      optimizerMeta: null,
    };
  }
  return null;
}

const recommendOptions = z.object({
  users: z.string().optional().describe('comma-separated users (indices; raw ids with --raw-ids)'),
  usersFile: z.string().optional().describe('file with one user per line'),
  rawIds: z.boolean().default(false).describe('--users are raw ids (mapped through user_index.csv)'),
  k: opt.int().min(1).default(20).describe('items per user'),
  exclude: z.enum(['all', 'train', 'none']).default('all').describe("items not to recommend: the user's positives in all rows, in train rows, or none"),
  out: z.string().optional().describe('CSV to write (default: recommendations.csv in the run folder)'),
});

async function readUsers(storage: Storage, o: z.output<typeof recommendOptions>, maps: IdMaps, nUser: number): Promise<number[]> {
  const raw: string[] = [];
  if (o.users)
    raw.push(
      ...o.users
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  if (o.usersFile)
    raw.push(
      ...(await storage.readText(o.usersFile))
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
  if (raw.length === 0) throw new UsageError('give --users or --users-file');
  const byRaw = o.rawIds ? new Map((maps.users ?? []).map((id, u) => [id, u])) : null;
  if (o.rawIds && (!maps.users || maps.users.length === 0)) throw new UsageError('--raw-ids needs a user index (user_index.csv next to ratings_final.txt, or raw CSV input)');
  return raw.map((s) => {
    const u = byRaw ? byRaw.get(s) : Number(s);
    if (u === undefined || !Number.isInteger(u) || u < 0 || u >= nUser) throw new UsageError(`unknown user '${s}' (${byRaw ? 'not in the user index' : `user indices are 0..${nUser - 1}`})`);
    return u;
  });
}

/** The top-k items of each user as CSV text (all items ranked, the chosen positives excluded). */
export async function recommendCsv(m: FittedCgkgr, users: number[], k: number, exclude: 'all' | 'train' | 'none'): Promise<string> {
  const { dataset, maps } = m.data;
  const rows = exclude === 'train' ? m.prep.train : dataset.ratings;
  const pos = groupCsr(Int32Array.from(rows.users.filter((_, j) => rows.labels[j] === 1)), Int32Array.from(rows.items.filter((_, j) => rows.labels[j] === 1)), dataset.nUser);
  const st = sampleToTensors(m.sample);
  const sc = modelScorers(m.net, st, dataset.nItem, { batchSize: m.config.batchSize });
  const lines = ['user,rank,item,score' + (maps.users ? ',user_id' : '') + (maps.items ? ',item_id' : '')];
  try {
    const scores = sc.users(Int32Array.from(users));
    users.forEach((u, q) => {
      const row = scores.subarray(q * dataset.nItem, (q + 1) * dataset.nItem);
      const skip = new Set(exclude === 'none' ? [] : Array.from(csrRow(pos, u)));
      const order = Array.from({ length: dataset.nItem }, (_, i) => i).filter((i) => !skip.has(i));
      order.sort((a, b) => row[b]! - row[a]! || a - b);
      order.slice(0, k).forEach((i, r) => {
        const prob = 1 / (1 + Math.exp(-row[i]!));
        lines.push(`${u},${r + 1},${i},${prob.toPrecision(6)}` + (maps.users ? `,${maps.users[u] ?? ''}` : '') + (maps.items ? `,${maps.items[i] ?? ''}` : ''));
      });
    });
  } finally {
    sc.dispose();
    disposeSampleTensors(st);
  }
  return lines.join('\n') + '\n';
}

const buildKgOptions = z.object({
  items: z.string().describe('item attribute table CSV: item id column, attribute columns, multi-valued cells'),
  ratings: z.string().optional().describe('raw ratings CSV (user, item, rating) → ratings_final.txt with 1:1 negatives'),
  out: z.string().describe('folder to write kg_final.txt, entities.csv, relations.csv, item_index2entity_id.txt (+ ratings_final.txt, user_index.csv)'),
  ...buildShape,
});

/** CG-KGR. */
export const cgkgrSystem = defineSystem({
  name: 'cgkgr',
  title: 'CG-KGR',
  summary: 'recommend items with a knowledge graph steered by user and item interaction summaries',
  reference: {
    paper: 'Chen et al., Attentive Knowledge-aware Graph Convolutional Networks with Collaborative Guidance for Recommendation, ICDE 2022',
    code: 'CG-KGR official TensorFlow 1 code (main_music.py)',
  },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  async loadData(o, env) {
    const spec = await withHashes(env.storage, dataSpecFrom(o));
    const { dataset, maps } = await loadDataSpec(env.storage, spec);
    return { spec, dataset, maps };
  },
  describeData: (d: CgkgrData) => ({ name: d.dataset.name, hash: d.spec.kind === 'kgcn' ? d.spec.hash?.ratings : undefined }),
  async train(data, o, ev, env) {
    const options = resolvedOptions(o, env.seed);
    const config = modelConfigOf(options);
    const ds = data.dataset;
    const prep = prepareData(ds, { splitSeed: options.splitSeed, splitRatios: options.splitRatios as [number, number, number], summaryRows: config.summaryRows });
    env.log(
      `${ds.name}: ${ds.nUser} users, ${ds.nItem} items, ${ds.kg.nEntity} entities, ${ds.kg.nRelation} relations, ` +
        `${ds.kg.heads.length} triples; rows train ${prep.train.users.length} / eval ${prep.eval.users.length} / test ${prep.test.users.length}`,
    );
    if (prep.cold.users.length + prep.cold.items.length > 0) {
      const what = config.noInteraction === 'official' ? 'attend over id 0 as the official code does' : 'have an empty (zero) interactive summary';
      env.log(`${prep.cold.users.length} users and ${prep.cold.items.length} items have no training row; with --no-interaction ${config.noInteraction} they ${what}`);
    }
    const curves = (prefix: string) => (rec: EpochRecord) => {
      env.curve?.(rec.epoch, `${prefix}train`, { loss: rec.loss });
      env.curve?.(rec.epoch, `${prefix}eval`, { 'AUC (global)': rec.eval.aucGlobal, 'AUC (official, per-batch)': rec.eval.aucOfficial });
      env.curve?.(rec.epoch, `${prefix}test`, { 'AUC (global)': rec.test.aucGlobal, 'AUC (official, per-batch)': rec.test.aucOfficial });
      const r20 = rec.topK?.eval.atK.find((m) => m.k === 20);
      if (r20) env.curve?.(rec.epoch, `${prefix}eval`, { 'Recall@20 (official, 100 users)': r20.recall });
    };
    const common = { config, seed: env.seed, officialTopK: options.officialTopK, log: env.log, signal: env.signal, progress: env.progress };
    const ck = (name: string) => (env.progressDir ? { checkpoint: { storage: env.storage, dir: joinPath(env.progressDir, name) } } : {});
    const main = await trainCgkgr(prep, { ...common, ...ck('model'), label: 'CG-KGR', onEpoch: curves('') });
    const fitted: FittedCgkgr = {
      net: main.model,
      options,
      config,
      data,
      prep,
      sample: main.sample,
      sampleState: main.sampleState,
      seed: env.seed,
      bestEpoch: main.bestEpoch,
      steps: main.steps,
      secondsPerEpoch: main.secondsPerEpoch,
      history: main.history,
      official: main.official,
      randomKg: null,
    };
    try {
      if (options.randomKg && !env.signal?.aborted) {
        // The same model with the KG's tails permuted: the KG must earn its place.
        const kg = randomizeKg(ds.kg, new Rng(env.seed ^ 0x0a5d));
        const rk = await trainCgkgr(prep, { ...common, ...ck('random-kg'), kg, label: 'random-KG', onEpoch: curves('random-KG ') });
        try {
          const officialUsers = officialTopKUsers(prep.train, prep.test, 100, new Rng(env.seed ^ 0x5eed));
          const evaluation = evaluateModel('CG-KGR, random KG', rk.model, rk, prep, { officialUsers, fullRanking: ev.fullRanking, maxRankUsers: ev.maxRankUsers, ks: TOPK_KS });
          fitted.randomKg = { evaluation, official: rk.official };
        } finally {
          rk.model.dispose();
        }
      }
    } catch (e) {
      main.model.dispose();
      throw e;
    }
    return fitted;
  },
  evaluate,
  configOf: (m: FittedCgkgr) => m.options,
  save,
  load,
  legacy,
  dispose: (m) => m.net.dispose(),
  predict: {
    verb: 'recommend',
    summary: 'write the top-K items for given users (all items ranked, known positives excluded)',
    options: recommendOptions,
    async run(m: FittedCgkgr, o: z.output<typeof recommendOptions>, env) {
      const users = await readUsers(env.storage, o, m.data.maps, m.data.dataset.nUser);
      const text = await recommendCsv(m, users, o.k, o.exclude);
      let out: string | null;
      if (o.out) {
        await env.storage.write(o.out, text);
        out = o.out;
      } else out = await env.artifact('recommendations.csv', text, 'recommendations');
      if (!out) throw new UsageError('cgkgr recommend needs --out when no run folder is created');
      return {
        dataset: { name: m.data.dataset.name },
        artifacts: o.out ? [{ kind: 'recommendations', path: o.out }] : [],
        notes: [
          `top-${o.k} items for ${users.length} user(s) written to ${out} (score = predicted σ(<u', i'>); excluded: ${o.exclude === 'none' ? 'nothing' : `positives in ${o.exclude === 'all' ? 'all rows' : 'train rows'}`})`,
        ],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'build-kg',
      summary: 'build a KG (entities, relations, triples) from an item attribute table, and KGCN-style implicit data from raw ratings',
      options: buildKgOptions,
      createsRun: false,
      async run(o, ctx) {
        const b = buildSpecOptions(o);
        const built = buildKg(await readTextTable(ctx.storage, o.items, b.delimiter), b);
        let implicit: ReturnType<typeof implicitFeedback> | undefined;
        if (o.ratings) {
          implicit = implicitFeedback(await readTextTable(ctx.storage, o.ratings, b.delimiter), built.itemIndex, {
            userColumn: b.userColumn,
            itemColumn: b.ratingItemColumn,
            ratingColumn: b.ratingColumn,
            threshold: b.threshold,
            unknownItems: b.unknownItems,
            rng: new Rng(o.negativeSeed),
          });
        }
        if ((await ctx.storage.stat(o.out))?.kind === 'file') throw new InputError('--out must be a folder, but a file of that name exists', { file: o.out });
        const files = kgcnFiles(built, implicit);
        for (const [name, text] of Object.entries(files)) await ctx.storage.write(joinPath(o.out, name), text);
        const notes = [`KG: ${built.itemIds.length} items, ${built.kg.nEntity} entities, ${built.relations.length} relations (${built.relations.join(', ')}), ${built.kg.heads.length} triples`];
        if (implicit) {
          const s = implicit.stats;
          notes.push(
            `implicit feedback (rating >= ${o.threshold}): ${s.positives} positives, ${s.users} users kept (${s.droppedUsers} without a positive dropped), ` +
              `${implicit.interactions.users.length} rows with 1:1 negatives${s.skippedRows ? `; ${s.skippedRows} rows of unknown items skipped` : ''}` +
              `${s.shortUsers ? `; ${s.shortUsers} users had fewer unrated items than positives (fewer negatives)` : ''}`,
          );
        }
        notes.push(`written to ${o.out}: ${Object.keys(files).join(', ')}`, `train with: sheaf cgkgr train --data ${o.out}`);
        return { notes };
      },
    }),
  ],
  demo: (quick) => ({
    data: {},
    // InstEval with the official Last.FM configuration; quick: one epoch with large batches.
    config: quick ? { epochs: 1, batchSize: 1024, lr: 0.01, officialTopK: false, sampleSize: 8 } : { epochs: 3 },
    eval: quick ? { maxRankUsers: 150 } : {},
    note: quick ? 'quick demo: 1 epoch, batch 1024, lr 0.01 on InstEval (not the acceptance setting)' : 'demo: the official Last.FM configuration, 3 epochs (acceptance uses 10)',
  }),
  conformance: async () => ({
    data: { synthetic: true },
    config: { epochs: 2, batchSize: 1024, sampleSize: 2, nodeDim: 8, officialTopK: false, randomKg: false },
    eval: { maxRankUsers: 10 },
    note: 'the seeded synthetic set, tiny model',
    resumable: true,
  }),
});

export { DEFAULT_CONFIG };
