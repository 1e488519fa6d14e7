/**
 * `sheaf cgkgr build-kg|train|eval|recommend` and CG-KGR's part of `sheaf demo`. Thin wrappers on
 * the programmatic API; defaults are the official code's (`main_music.py`), `--preset` selects one
 * of the four official dataset configurations.
 */
import { join, resolve } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import type { SystemDefinition, SystemVerb, VerbContext, VerbResult } from '../../node/cli/system.js';
import type { ReportSection } from '../../report/index.js';
import { InputError, UsageError } from '../../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../node/fs.js';
import { Rng } from '../../util/random.js';
import { DEFAULT_CONFIG, PRESET_NAMES, resolveConfig, type CgkgrConfig, type PresetName } from './config.js';
import { INSTEVAL_DIR, kgcnSpec, loadDataSpec, withHashes, type DataSpec, type IdMaps } from './datasets.js';
import { buildKg, implicitFeedback, parseBuckets, readTextTable, writeKgcnFiles } from './kg_builder.js';
import { runExperiment, evaluateModel, evaluatePopularity, type ScorerEvaluation } from './experiment.js';
import { saveCgkgrCheckpoint, loadCgkgrCheckpoint } from './checkpoint.js';
import { officialTopKUsers, modelScorers, TOPK_KS } from './evaluate.js';
import { attentionSection, examplePair, kCurvesSection, metricsComparisons, officialSection, summaryLine } from './report.js';
import { csrRow, groupCsr } from './data.js';
import { sampleToTensors, disposeSampleTensors } from './sampling.js';
import { SYNTHETIC_DEFAULTS } from './synthetic.js';

const num = (d: string) => z.coerce.number().optional().describe(d);
const int = (d: string) => z.coerce.number().int().optional().describe(d);

/** Options that say where the data is (shared by train and the demo). */
const dataOptions = {
  data: z.string().optional().describe(`folder with ratings_final.txt and kg_final.txt (KGCN layout); default: the shipped InstEval (${'data/insteval'})`),
  ratings: z.string().optional().describe('ratings_final.txt (user item label), with --kg, instead of --data'),
  kg: z.string().optional().describe('kg_final.txt (head relation tail), with --ratings'),
  ratingsCsv: z.string().optional().describe('raw ratings CSV (with --items-csv): the KG and implicit feedback are built on the fly as build-kg does'),
  itemsCsv: z.string().optional().describe('item attribute table CSV (item id, attribute columns; multi-valued cells separated by --multi-sep)'),
  synthetic: z.boolean().default(false).describe('use the seeded synthetic set (500 users, 2 000 items, KG of types/years/decades)'),
  syntheticSeed: z.coerce.number().int().default(SYNTHETIC_DEFAULTS.seed).describe('seed of the synthetic generator'),
};

/** build-kg options (also accepted by train with --ratings-csv / --items-csv). */
const buildOptions = {
  itemColumn: z.string().optional().describe('item id column of the attribute table (default: its first column)'),
  columns: z.string().optional().describe('comma-separated attribute columns to use (default: all others)'),
  multiSep: z.string().default('|').describe('separator of several values in one cell'),
  bucket: z.string().optional().describe('numeric bucketing, e.g. year=10: adds value → bucket triples (2-hop structure)'),
  userColumn: z.string().optional().describe('user column of the ratings CSV (default: its first column)'),
  ratingItemColumn: z.string().optional().describe('item column of the ratings CSV (default: its second column)'),
  ratingColumn: z.string().optional().describe("rating column (default: the third column; 'none' = every row is a positive)"),
  threshold: z.coerce.number().default(4).describe('rating >= threshold is a positive (KGCN MovieLens rule)'),
  unknownItems: z.enum(['error', 'skip']).default('error').describe('ratings of items missing from the attribute table'),
  delimiter: z.enum([',', ';', 'tab']).default(',').describe('CSV delimiter'),
  negativeSeed: z.coerce.number().int().default(2021).describe('seed of the negative sampling (raw ratings)'),
};

const modelOptions = {
  preset: z.enum(PRESET_NAMES).optional().describe('official configuration: music (Last.FM), book, movie (ML-20M), dianping; explicit options override it'),
  nodeDim: int(`embedding size d (default ${DEFAULT_CONFIG.nodeDim})`),
  nLayer: int(`KG layers / hops, 1 or 2 (default ${DEFAULT_CONFIG.nLayer})`),
  nHead: int(`attention heads, must divide d (default ${DEFAULT_CONFIG.nHead})`),
  sampleSize: int(`neighbours sampled per node S (default ${DEFAULT_CONFIG.sampleSize})`),
  batchSize: int(`rows per step, also the official per-batch AUC batch (default ${DEFAULT_CONFIG.batchSize})`),
  aggType: z.enum(['concat', 'sum', 'ngh']).optional().describe(`aggregator (default ${DEFAULT_CONFIG.aggType})`),
  reprType: z.enum(['sum', 'mean', 'max', 'combine']).optional().describe(`collaborative guidance signal (default ${DEFAULT_CONFIG.reprType})`),
  a: num(`weight of u' in the combine signal (default ${DEFAULT_CONFIG.a})`),
  dropout: num('dropout after each aggregator linear map (default 0, as official)'),
  lr: num(`Adam learning rate (default ${DEFAULT_CONFIG.lr})`),
  l2Weight: num(`L2 weight on full embedding tables, W_R and aggregator W/b (default ${DEFAULT_CONFIG.l2Weight})`),
  nEpoch: int(`epochs (default ${DEFAULT_CONFIG.nEpoch})`),
  noInteraction: z.enum(['empty', 'error', 'official']).default('empty').describe('users/items without training rows: zero summary, refuse, or attend over id 0 as the official code'),
  summaryRows: z.enum(['all', 'positives']).default('all').describe("rows the interactive summaries sample from: all train rows (official, negatives included) or positives only (the paper's reading)"),
};

const trainOptions = z.object({
  ...dataOptions,
  ...buildOptions,
  ...modelOptions,
  split: z.string().default('6:2:2').describe('train:eval:test ratio of the random row split (official 6:2:2)'),
  splitSeed: z.coerce.number().int().optional().describe('seed of the row split (default: --seed)'),
  officialTopK: z.boolean().default(true).describe('official 100-user Top-K after every epoch (per-K epoch selection)'),
  randomKg: z.boolean().default(true).describe('also train the random-KG ablation (tails permuted) — the KG must earn its place'),
  fullRanking: z.boolean().default(true).describe('rank all items for every test user at the end'),
  maxRankUsers: z.coerce.number().int().min(0).default(0).describe('rank only the first N test users (0 = every test user, the protocol)'),
});
type TrainOpts = z.infer<typeof trainOptions>;

const evalOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by train'),
  split: z.enum(['test', 'eval']).default('test').describe('split whose rows are scored into predictions.csv'),
  fullRanking: z.boolean().default(true).describe('rank all items for every test user'),
});

const recommendOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by train'),
  users: z.string().optional().describe('comma-separated users (indices; raw ids with --raw-ids)'),
  usersFile: z.string().optional().describe('file with one user per line'),
  rawIds: z.boolean().default(false).describe('--users are raw ids (mapped through user_index.csv)'),
  k: z.coerce.number().int().min(1).default(20).describe('items per user'),
  exclude: z.enum(['all', 'train', 'none']).default('all').describe("items not to recommend: the user's positives in all rows, in train rows, or none"),
  out: z.string().optional().describe('CSV to write (default: recommendations.csv in the run folder)'),
});

const buildKgOptions = z.object({
  items: z.string().describe('item attribute table CSV: item id column, attribute columns, multi-valued cells'),
  ratings: z.string().optional().describe('raw ratings CSV (user, item, rating) → ratings_final.txt with 1:1 negatives'),
  out: z.string().describe('folder to write kg_final.txt, entities.csv, relations.csv, item_index2entity_id.txt (+ ratings_final.txt, user_index.csv)'),
  ...buildOptions,
});

function delim(d: string): ',' | ';' | '\t' {
  return d === 'tab' ? '\t' : (d as ',' | ';');
}

function ratios(spec: string): [number, number, number] {
  const p = spec.split(':').map(Number);
  if (p.length !== 3 || p.some((x) => !(x >= 0)) || !(p[0]! > 0)) throw new UsageError(`--split expects train:eval:test like 6:2:2, got '${spec}'`);
  return p as [number, number, number];
}

function buildSpecOptions(o: z.infer<z.ZodObject<typeof buildOptions>>) {
  return {
    itemColumn: o.itemColumn,
    columns: o.columns ? o.columns.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    multiSep: o.multiSep,
    buckets: parseBuckets(o.bucket),
    userColumn: o.userColumn,
    ratingItemColumn: o.ratingItemColumn,
    ratingColumn: o.ratingColumn === 'none' ? null : o.ratingColumn,
    threshold: o.threshold,
    unknownItems: o.unknownItems,
    delimiter: delim(o.delimiter),
  };
}

/** The data spec the options describe. */
export function dataSpecFrom(o: TrainOpts): DataSpec {
  const sources = [o.synthetic, !!(o.ratingsCsv || o.itemsCsv), !!(o.ratings || o.kg), !!o.data].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give one data source: --data, --ratings/--kg, --ratings-csv/--items-csv, or --synthetic');
  if (o.synthetic) return { kind: 'synthetic', name: `synthetic (seed ${o.syntheticSeed})`, options: { seed: o.syntheticSeed } };
  if (o.ratingsCsv || o.itemsCsv) {
    if (!o.ratingsCsv || !o.itemsCsv) throw new UsageError('--ratings-csv and --items-csv go together');
    return { kind: 'raw', name: o.ratingsCsv, ratingsCsv: resolve(o.ratingsCsv), itemsCsv: resolve(o.itemsCsv), build: buildSpecOptions(o), negativeSeed: o.negativeSeed };
  }
  if (o.ratings || o.kg) {
    if (!o.ratings || !o.kg) throw new UsageError('--ratings and --kg go together');
    return { kind: 'kgcn', name: o.ratings, ratings: resolve(o.ratings), kg: resolve(o.kg) };
  }
  return kgcnSpec(o.data ?? INSTEVAL_DIR);
}

function configFrom(o: TrainOpts): CgkgrConfig {
  const overrides: Partial<CgkgrConfig> = {
    nodeDim: o.nodeDim,
    nLayer: o.nLayer,
    nHead: o.nHead,
    sampleSize: o.sampleSize,
    batchSize: o.batchSize,
    aggType: o.aggType,
    reprType: o.reprType,
    a: o.a,
    dropout: o.dropout,
    lr: o.lr,
    l2Weight: o.l2Weight,
    nEpoch: o.nEpoch,
    noInteraction: o.noInteraction,
    summaryRows: o.summaryRows,
  };
  return resolveConfig(overrides, o.preset as PresetName | undefined);
}

/** Plain-number copy of an evaluation (for metrics.json and the checkpoint). */
function evalJson(e: ScorerEvaluation): unknown {
  return JSON.parse(JSON.stringify(e));
}

/** Train model + random-KG ablation + popularity, save the checkpoint, and report. */
export async function runTrain(o: TrainOpts, ctx: VerbContext): Promise<VerbResult> {
  if (!ctx.runDir) throw new UsageError('cgkgr train needs a run folder');
  const spec = withHashes(dataSpecFrom(o));
  const { dataset, maps } = loadDataSpec(spec);
  const config = configFrom(o);
  const splitSeed = o.splitSeed ?? ctx.seed;
  const splitRatios = ratios(o.split);
  const res = await runExperiment(dataset, {
    config,
    seed: ctx.seed,
    splitSeed,
    splitRatios,
    randomKg: o.randomKg,
    officialTopK: o.officialTopK,
    fullRanking: o.fullRanking,
    maxRankUsers: o.maxRankUsers,
    log: ctx.log,
    signal: ctx.signal,
    ...(ctx.runDir ? { progressDir: join(ctx.runDir, 'progress'), resume: ctx.resume ?? false } : {}),
    onEpoch: (label, rec) => {
      const p = label === 'model' ? '' : `${label} `;
      ctx.logEpoch(rec.epoch, `${p}train`, { loss: rec.loss });
      ctx.logEpoch(rec.epoch, `${p}eval`, { 'AUC (global)': rec.eval.aucGlobal, 'AUC (official, per-batch)': rec.eval.aucOfficial });
      ctx.logEpoch(rec.epoch, `${p}test`, { 'AUC (global)': rec.test.aucGlobal, 'AUC (official, per-batch)': rec.test.aucOfficial });
      const r20 = rec.topK?.eval.atK.find((m) => m.k === 20);
      if (r20) ctx.logEpoch(rec.epoch, `${p}eval`, { 'Recall@20 (official, 100 users)': r20.recall });
    },
  });
  const model = res.model.train.model;
  try {
    const evals = [res.model.evaluation, ...(res.randomKg ? [res.randomKg.evaluation] : []), res.popularity];
    const ckDir = saveCgkgrCheckpoint(
      ctx.runDir,
      model,
      {
        data: spec,
        splitSeed,
        splitRatios,
        sampleState: res.model.train.sampleState,
        nItem: dataset.nItem,
        seed: ctx.seed,
        bestEpoch: res.model.train.bestEpoch,
        baselines: { randomKg: res.randomKg ? evalJson(res.randomKg.evaluation) : null },
      },
      res.model.train.steps,
    );
    const metricsPath = join(ctx.runDir, 'metrics.json');
    writeJsonAtomic(metricsPath, {
      dataset: dataset.name,
      seed: ctx.seed,
      splitSeed,
      parameters: model.numParameters(),
      bestEpoch: res.model.train.bestEpoch,
      secondsPerEpoch: res.model.train.secondsPerEpoch,
      protocols: { full: 'global AUC; all-item ranking of every test user', official: 'per-batch AUC; 100 sampled users' },
      model: evalJson(res.model.evaluation),
      randomKg: res.randomKg ? evalJson(res.randomKg.evaluation) : null,
      popularity: evalJson(res.popularity),
      official: { model: res.model.train.official, randomKg: res.randomKg?.train.official ?? null },
      history: { model: res.model.train.history, randomKg: res.randomKg?.train.history ?? null },
    });
    const sections: ReportSection[] = [
      dataSection(res.prep.dataset.name, res),
      kCurvesSection(evals, dataset.name),
      officialSection([{ label: 'CG-KGR', official: res.model.train.official }, ...(res.randomKg ? [{ label: 'CG-KGR, random KG', official: res.randomKg.train.official }] : [])], dataset.name),
    ];
    const pair = examplePair(res.prep);
    if (pair) sections.push(attentionSection(model, res.model.train.sample, pair, maps));
    return {
      dataset: { name: dataset.name, hash: spec.kind === 'kgcn' ? spec.hash?.ratings : undefined },
      metrics: metricsComparisons(evals, dataset.name),
      artifacts: [
        { kind: 'checkpoint', path: ckDir },
        { kind: 'metrics', path: metricsPath },
      ],
      sections,
      config: { ...o, resolved: config, splitSeed, parameters: model.numParameters() },
      notes: [
        ...evals.map((e) => summaryLine(e, dataset.name)),
        `${model.numParameters()} parameters; kept epoch ${res.model.train.bestEpoch} (best global eval AUC); ${res.model.train.secondsPerEpoch.toFixed(2)} s per training epoch`,
        `checkpoint: ${ckDir}`,
      ],
    };
  } finally {
    model.dispose();
  }
}

function dataSection(name: string, res: Awaited<ReturnType<typeof runExperiment>>): ReportSection {
  const d = res.prep.dataset;
  let pos = 0;
  for (const l of d.ratings.labels) pos += l;
  return {
    title: 'Data and split',
    tables: [
      {
        caption: name,
        columns: ['users', 'items', 'entities', 'relations', 'triples', 'rows', 'positives', 'train rows', 'eval rows', 'test rows', 'users w/o train rows', 'items w/o train rows'],
        rows: [[d.nUser, d.nItem, d.kg.nEntity, d.kg.nRelation, d.kg.heads.length, d.ratings.users.length, pos, res.prep.train.users.length, res.prep.eval.users.length, res.prep.test.users.length, res.prep.cold.users.length, res.prep.cold.items.length]],
      },
    ],
    description: `Random ${res.prep.splitRatios.join(':')} row split (seed ${res.prep.splitSeed}), as the official data_split. Negatives are the fixed 1:1 rows of the input file.`,
  };
}

const trainVerb: SystemVerb<typeof trainOptions> = {
  name: 'train',
  summary: 'train on KGCN files, raw CSVs or the synthetic set; report both protocols beside popularity and random-KG; save a checkpoint',
  options: trainOptions,
  createsRun: true,
  run: (o, ctx) => runTrain(o, ctx),
};

const evalVerb: SystemVerb<typeof evalOptions> = {
  name: 'eval',
  summary: 'evaluate a checkpoint on its split (both protocols) beside popularity; write predictions.csv',
  options: evalOptions,
  createsRun: true,
  async run(o, ctx) {
    const ld = loadCgkgrCheckpoint(o.checkpoint);
    try {
      const officialUsers = officialTopKUsers(ld.prep.train, ld.prep.test, 100, new Rng(ld.extra.seed ^ 0x5eed));
      const ev = evaluateModel('CG-KGR', ld.model, ld, ld.prep, { officialUsers, fullRanking: o.fullRanking });
      const pop = evaluatePopularity(ld.prep, { batchSize: ld.config.batchSize, officialUsers, fullRanking: o.fullRanking });
      const stored = (ld.extra as unknown as { baselines?: { randomKg?: ScorerEvaluation | null } }).baselines?.randomKg;
      const rk = stored ? { ...stored, label: 'CG-KGR, random KG (as evaluated at training)' } : null;
      const evals = [ev, ...(rk ? [rk] : []), pop];
      const name = ld.prep.dataset.name;
      const artifacts: Array<{ kind: string; path: string }> = [];
      if (ctx.runDir) {
        const rows = o.split === 'test' ? ld.prep.test : ld.prep.eval;
        const st = sampleToTensors(ld.sample);
        const sc = modelScorers(ld.model, st, ld.prep.dataset.nItem, { batchSize: ld.config.batchSize });
        let scores: Float32Array;
        try {
          scores = sc.pairs(rows.users, rows.items);
        } finally {
          sc.dispose();
          disposeSampleTensors(st);
        }
        const lines = ['user,item,label,score'];
        for (let k = 0; k < rows.users.length; k++) lines.push(`${rows.users[k]},${rows.items[k]},${rows.labels[k]},${scores[k]!.toPrecision(6)}`);
        const p = join(ctx.runDir, 'predictions.csv');
        writeFileAtomic(p, lines.join('\n') + '\n');
        artifacts.push({ kind: `${o.split} split scores`, path: p });
      }
      const sections: ReportSection[] = [kCurvesSection(evals, name)];
      const pair = examplePair(ld.prep);
      if (pair) sections.push(attentionSection(ld.model, ld.sample, pair, ld.maps));
      return {
        dataset: { name },
        metrics: metricsComparisons(evals, name),
        artifacts,
        sections,
        config: { ...o, resolved: ld.config, checkpoint: ld.dir },
        notes: evals.map((e) => summaryLine(e, name)),
      };
    } finally {
      ld.model.dispose();
    }
  },
};

function readUsers(o: z.infer<typeof recommendOptions>, maps: IdMaps, nUser: number): number[] {
  const raw: string[] = [];
  if (o.users) raw.push(...o.users.split(',').map((s) => s.trim()).filter(Boolean));
  if (o.usersFile) {
    if (!existsSync(o.usersFile)) throw new InputError('file not found', { file: o.usersFile });
    raw.push(...readFileSync(o.usersFile, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean));
  }
  if (raw.length === 0) throw new UsageError('give --users or --users-file');
  const byRaw = o.rawIds ? new Map((maps.users ?? []).map((id, u) => [id, u])) : null;
  if (o.rawIds && (!maps.users || maps.users.length === 0)) throw new UsageError('--raw-ids needs a user index (user_index.csv next to ratings_final.txt, or raw CSV input)');
  return raw.map((s) => {
    const u = byRaw ? byRaw.get(s) : Number(s);
    if (u === undefined || !Number.isInteger(u) || u < 0 || u >= nUser) {
      throw new UsageError(`unknown user '${s}' (${byRaw ? 'not in the user index' : `user indices are 0..${nUser - 1}`})`);
    }
    return u;
  });
}

const recommendVerb: SystemVerb<typeof recommendOptions> = {
  name: 'recommend',
  summary: 'write the top-K items for given users (all items ranked, known positives excluded)',
  options: recommendOptions,
  createsRun: true,
  async run(o, ctx) {
    const ld = loadCgkgrCheckpoint(o.checkpoint);
    try {
      const { dataset } = ld.prep;
      const users = readUsers(o, ld.maps, dataset.nUser);
      const rows = o.exclude === 'train' ? ld.prep.train : dataset.ratings;
      const pos = groupCsr(
        Int32Array.from(rows.users.filter((_, k) => rows.labels[k] === 1)),
        Int32Array.from(rows.items.filter((_, k) => rows.labels[k] === 1)),
        dataset.nUser,
      );
      const st = sampleToTensors(ld.sample);
      const sc = modelScorers(ld.model, st, dataset.nItem, { batchSize: ld.config.batchSize });
      const lines = ['user,rank,item,score' + (ld.maps.users ? ',user_id' : '') + (ld.maps.items ? ',item_id' : '')];
      try {
        const scores = sc.users(Int32Array.from(users));
        users.forEach((u, q) => {
          const row = scores.subarray(q * dataset.nItem, (q + 1) * dataset.nItem);
          const skip = new Set(o.exclude === 'none' ? [] : Array.from(csrRow(pos, u)));
          const order = Array.from({ length: dataset.nItem }, (_, i) => i).filter((i) => !skip.has(i));
          order.sort((a, b) => row[b]! - row[a]! || a - b);
          order.slice(0, o.k).forEach((i, r) => {
            const prob = 1 / (1 + Math.exp(-row[i]!));
            lines.push(`${u},${r + 1},${i},${prob.toPrecision(6)}` + (ld.maps.users ? `,${ld.maps.users[u] ?? ''}` : '') + (ld.maps.items ? `,${ld.maps.items[i] ?? ''}` : ''));
          });
        });
      } finally {
        sc.dispose();
        disposeSampleTensors(st);
      }
      const out = o.out ?? (ctx.runDir ? join(ctx.runDir, 'recommendations.csv') : null);
      if (!out) throw new UsageError('cgkgr recommend needs --out when no run folder is created');
      writeFileAtomic(out, lines.join('\n') + '\n');
      return {
        dataset: { name: dataset.name },
        artifacts: [{ kind: 'recommendations', path: out }],
        config: { ...o, checkpoint: ld.dir },
        notes: [`top-${o.k} items for ${users.length} user(s) written to ${out} (score = predicted σ(<u', i'>); excluded: ${o.exclude === 'none' ? 'nothing' : `positives in ${o.exclude === 'all' ? 'all rows' : 'train rows'}`})`],
      };
    } finally {
      ld.model.dispose();
    }
  },
};

const buildKgVerb: SystemVerb<typeof buildKgOptions> = {
  name: 'build-kg',
  summary: 'build a KG (entities, relations, triples) from an item attribute table, and KGCN-style implicit data from raw ratings',
  options: buildKgOptions,
  createsRun: false,
  async run(o) {
    const b = buildSpecOptions(o);
    const items = readTextTable(o.items, b.delimiter);
    const built = buildKg(items, b);
    let implicit;
    if (o.ratings) {
      const ratings = readTextTable(o.ratings, b.delimiter);
      implicit = implicitFeedback(ratings, built.itemIndex, {
        userColumn: b.userColumn,
        itemColumn: b.ratingItemColumn,
        ratingColumn: b.ratingColumn,
        threshold: b.threshold,
        unknownItems: b.unknownItems,
        rng: new Rng(o.negativeSeed),
      });
    }
    const paths = writeKgcnFiles(o.out, built, implicit);
    const notes = [
      `KG: ${built.itemIds.length} items, ${built.kg.nEntity} entities, ${built.relations.length} relations (${built.relations.join(', ')}), ${built.kg.heads.length} triples`,
    ];
    if (implicit) {
      const s = implicit.stats;
      notes.push(
        `implicit feedback (rating >= ${o.threshold}): ${s.positives} positives, ${s.users} users kept (${s.droppedUsers} without a positive dropped), ` +
          `${implicit.interactions.users.length} rows with 1:1 negatives${s.skippedRows ? `; ${s.skippedRows} rows of unknown items skipped` : ''}` +
          `${s.shortUsers ? `; ${s.shortUsers} users had fewer unrated items than positives (fewer negatives)` : ''}`,
      );
    }
    notes.push(`written to ${o.out}: ${Object.values(paths).map((p) => p.split('/').pop()).join(', ')}`, `train with: sheaf cgkgr train --data ${o.out}`);
    return { notes };
  },
};

export const cgkgrSystem: SystemDefinition = {
  name: 'cgkgr',
  title: 'CG-KGR',
  summary: 'recommend items with a knowledge graph steered by user and item interaction summaries',
  verbs: [buildKgVerb, trainVerb, evalVerb, recommendVerb] as unknown as SystemVerb[],
  demo(ctx) {
    // InstEval with the official Last.FM configuration; quick: one epoch with large batches.
    const o = trainOptions.parse(
      ctx.quick
        ? { nEpoch: 1, batchSize: 1024, lr: 0.01, officialTopK: false, sampleSize: 8, maxRankUsers: 150 }
        : { nEpoch: 3 },
    );
    return runTrain(o, ctx);
  },
};

export { TOPK_KS };
