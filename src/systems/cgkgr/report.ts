/**
 * Report pieces for CG-KGR runs: metric tables that name split and protocol, Recall@K / NDCG@K
 * against K for the model and both baselines, the official model-selection numbers, and the
 * attention weights of one user–item pair.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heatmap, lineChart, type MetricsComparison, type ReportSection, type Table } from '../../report/index.js';
import type { CgkgrNet } from './model.js';
import { sampleToTensors, disposeSampleTensors, type NeighbourSample } from './sampling.js';
import type { ScorerEvaluation } from './experiment.js';
import type { OfficialSelection } from './train.js';
import type { PreparedData } from './train.js';
import type { IdMaps } from './datasets.js';
import type { RankingReport } from './evaluate.js';

const FULL = 'full protocol: one global AUC over all rows; all-item ranking for every test user, known positives excluded';
const OFFICIAL = 'official protocol: AUC/F1 averaged over batches of batch_size rows; Top-K over 100 sampled test users, all train-row items excluded';

function at(r: RankingReport | null, k: number, what: 'recall' | 'ndcg'): number | null {
  const m = r?.atK.find((x) => x.k === k);
  return m ? m[what] : null;
}

/** Final metrics of the model and baselines on the test split, one table per protocol (and the eval split's AUC). */
export function metricsComparisons(evals: ScorerEvaluation[], dataset: string, k = 20): MetricsComparison[] {
  const kind = (label: string): 'model' | 'baseline' => (label === 'CG-KGR' ? 'model' : 'baseline');
  return [
    {
      split: 'test',
      protocol: 'full ranking',
      dataset,
      note: FULL,
      metrics: ['AUC (global)', 'F1@0.5 (global)', `Recall@${k} (full ranking)`, `NDCG@${k} (full ranking)`, 'users ranked'],
      better: { 'AUC (global)': 'higher', 'F1@0.5 (global)': 'higher', [`Recall@${k} (full ranking)`]: 'higher', [`NDCG@${k} (full ranking)`]: 'higher' },
      rows: evals.map((e) => ({
        label: e.label,
        kind: kind(e.label),
        values: {
          'AUC (global)': e.test.ctr.aucGlobal,
          'F1@0.5 (global)': e.test.ctr.f1Global,
          [`Recall@${k} (full ranking)`]: at(e.test.full, k, 'recall'),
          [`NDCG@${k} (full ranking)`]: at(e.test.full, k, 'ndcg'),
          'users ranked': e.test.full?.users ?? null,
        },
      })),
    },
    {
      split: 'test',
      protocol: 'official',
      dataset,
      note: OFFICIAL,
      metrics: ['AUC (official, per-batch)', 'F1 (official, per-batch)', `Recall@${k} (official, 100 users)`, `NDCG@${k} (official, 100 users)`],
      better: { 'AUC (official, per-batch)': 'higher', 'F1 (official, per-batch)': 'higher', [`Recall@${k} (official, 100 users)`]: 'higher', [`NDCG@${k} (official, 100 users)`]: 'higher' },
      rows: evals.map((e) => ({
        label: e.label,
        kind: kind(e.label),
        values: {
          'AUC (official, per-batch)': e.test.ctr.aucOfficial,
          'F1 (official, per-batch)': e.test.ctr.f1Official,
          [`Recall@${k} (official, 100 users)`]: at(e.test.official, k, 'recall'),
          [`NDCG@${k} (official, 100 users)`]: at(e.test.official, k, 'ndcg'),
        },
      })),
    },
    {
      split: 'eval',
      dataset,
      note: 'the split used for model selection; AUC in both protocols',
      metrics: ['AUC (global)', 'AUC (official, per-batch)'],
      better: { 'AUC (global)': 'higher', 'AUC (official, per-batch)': 'higher' },
      rows: evals.map((e) => ({ label: e.label, kind: kind(e.label), values: { 'AUC (global)': e.eval.ctr.aucGlobal, 'AUC (official, per-batch)': e.eval.ctr.aucOfficial } })),
    },
  ];
}

/** Recall@K and NDCG@K against K for the model and the baselines (test split). */
export function kCurvesSection(evals: ScorerEvaluation[], dataset: string): ReportSection {
  const charts = [];
  for (const proto of ['full', 'official'] as const) {
    const reports = evals.map((e) => ({ label: e.label, r: proto === 'full' ? e.test.full : e.test.official }));
    if (!reports.some((x) => x.r)) continue;
    const ks = reports.find((x) => x.r)!.r!.atK.map((m) => m.k);
    const title = proto === 'full' ? `all-item ranking of every test user (${reports.find((x) => x.r)!.r!.users} users)` : 'official: 100 sampled test users';
    for (const what of ['recall', 'ndcg'] as const) {
      charts.push(
        lineChart({
          title: `${what === 'recall' ? 'Recall' : 'NDCG'}@K on the test split of ${dataset} — ${title}`,
          x: ks,
          xLabel: 'K',
          yLabel: what === 'recall' ? 'Recall@K' : 'NDCG@K',
          points: true,
          series: reports.filter((x) => x.r).map((x) => ({ name: x.label, values: x.r!.atK.map((m) => m[what]) })),
        }),
      );
    }
  }
  const tables: Table[] = evals
    .filter((e) => e.test.full)
    .map((e) => ({
      caption: `${e.label}: test split, full protocol`,
      columns: ['K', 'Recall@K', 'NDCG@K', 'Precision@K', 'HitRatio@K'],
      rows: e.test.full!.atK.map((m) => [m.k, m.recall, m.ndcg, m.precision, m.hitRatio]),
    }));
  return { title: 'Recall@K and NDCG@K against K', description: `Test split of ${dataset}. ${FULL}.`, charts, tables };
}

/** The official model-selection numbers (best eval AUC epoch; per-K best eval Recall epoch). */
export function officialSection(runs: Array<{ label: string; official: OfficialSelection }>, dataset: string): ReportSection {
  const tables: Table[] = runs.map(({ label, official }) => ({
    caption: `${label} on ${dataset}: official selection (test AUC/F1 at the best per-batch eval AUC epoch ${official.bestEpoch}: ${official.testAuc.toFixed(4)} / ${official.testF1?.toFixed(4) ?? '-'})`,
    columns: ['K', 'epoch of best eval Recall@K', 'test Recall@K (official)', 'test NDCG@K (official)'],
    rows: (official.topK ?? []).map((t) => [t.k, t.bestEpoch, t.recall, t.ndcg]),
  }));
  return {
    title: 'Official protocol: per-epoch selection',
    description:
      'As the official Exp_all: CTR test numbers at the epoch with the best per-batch eval AUC; Top-K test numbers chosen per K at the epoch with the best eval Recall@K (100 random users per epoch). Optimistic and noisy; the full-protocol tables are the ones to compare.',
    tables,
  };
}

/** Pick a test positive whose user and item both have training interactions. */
export function examplePair(prep: PreparedData): { user: number; item: number } | null {
  const { test, graph } = prep;
  for (let k = 0; k < test.users.length; k++) {
    if (test.labels[k] !== 1) continue;
    const u = test.users[k]!;
    const i = test.items[k]!;
    const uHas = graph.userItems.offsets[u + 1]! > graph.userItems.offsets[u]!;
    const iHas = graph.itemUsers.offsets[i + 1]! > graph.itemUsers.offsets[i]!;
    if (uHas && iHas) return { user: u, item: i };
  }
  return null;
}

/** Attention weights of the model for one (user, item) pair: user side, item side, and the item's KG neighbours. */
export function attentionSection(model: CgkgrNet, sample: NeighbourSample, pair: { user: number; item: number }, maps: IdMaps): ReportSection {
  const st = sampleToTensors(sample);
  try {
    const H = model.config.nHead;
    const S = model.config.sampleSize;
    const out = tf.tidy(() => {
      const { logits, attention: a } = model.explain(tf.tensor1d([pair.user], 'int32'), tf.tensor1d([pair.item], 'int32'), st);
      const L = a.kgAlpha.length;
      return {
        score: tf.sigmoid(logits),
        userItems: a.userItems,
        userAlpha: a.userAlpha,
        itemUsers: a.itemUsers,
        itemAlpha: a.itemAlpha,
        kgAlpha: a.kgAlpha[L - 1]![0]!,
        kgEnt: a.entities[1]!,
        kgRel: a.relations[0]!,
      };
    });
    const score = out.score.dataSync()[0]!;
    const arr = (t: tf.Tensor): number[] => Array.from(t.dataSync());
    const [uItems, uAlpha, iUsers, iAlpha, kAlpha, kEnt, kRel] = [
      arr(out.userItems),
      arr(out.userAlpha),
      arr(out.itemUsers),
      arr(out.itemAlpha),
      arr(out.kgAlpha),
      arr(out.kgEnt),
      arr(out.kgRel),
    ] as const;
    tf.dispose(Object.values(out));
    const itemName = (i: number): string => (maps.items?.[i] !== undefined ? `item ${i} (${maps.items[i]})` : `item ${i}`);
    const userName = (u: number): string => (maps.users?.[u] !== undefined ? `user ${u} (${maps.users[u]})` : `user ${u}`);
    const entName = (e: number): string => (maps.entities?.[e] !== undefined ? `${maps.entities[e]}` : `entity ${e}`);
    const relName = (r: number): string => (maps.relations?.[r] !== undefined ? maps.relations[r]! : `relation ${r}`);
    // α arrays are [S, H] row-major; heatmaps show heads as rows, neighbours as columns.
    const byHead = (alpha: number[]): number[][] => Array.from({ length: H }, (_, h) => Array.from({ length: S }, (_, k) => alpha[k * H + h]!));
    const mean = (alpha: number[], k: number): number => {
      let s = 0;
      for (let h = 0; h < H; h++) s += alpha[k * H + h]!;
      return s / H;
    };
    const heads = Array.from({ length: H }, (_, h) => `head ${h + 1}`);
    const cols = (labels: string[]): string[] => labels.map((l, k) => `${k + 1}: ${l}`);
    const uLabels = cols(uItems.map(itemName));
    const iLabels = cols(iUsers.map(userName));
    const kLabels = cols(kEnt.map((e, k) => `${relName(kRel[k]!)} → ${entName(e)}`));
    const table = (caption: string, labels: string[], alpha: number[]): Table => ({
      caption,
      columns: ['sampled neighbour', 'mean α over heads', ...heads.map((h) => `α ${h}`)],
      rows: labels.map((l, k) => [l, mean(alpha, k), ...Array.from({ length: H }, (_, h) => alpha[k * H + h]!)]),
    });
    return {
      title: `Attention weights for ${userName(pair.user)} and ${itemName(pair.item)}`,
      description:
        `A positive pair of the test split; predicted σ(<u', i'>) = ${score.toFixed(4)}. Each head's weights over the ${S} sampled neighbours sum to 1. ` +
        "User side: the query W_ui·e_u over the user's sampled training items. Item side: W_ui·e_i over the item's sampled users. " +
        'KG: key W_r·(s ⊙ e_i) against each sampled (relation, tail) of the item, s = the collaborative guidance signal of this pair (final layer).',
      charts: [
        heatmap(byHead(uAlpha), { title: "user side: α over the user's sampled items", rowLabels: heads, colLabels: uLabels, valueLabel: 'α' }),
        heatmap(byHead(iAlpha), { title: "item side: α over the item's sampled users", rowLabels: heads, colLabels: iLabels, valueLabel: 'α' }),
        heatmap(byHead(kAlpha), { title: "knowledge graph: α over the item's sampled (relation, tail)", rowLabels: heads, colLabels: kLabels, valueLabel: 'α' }),
      ],
      tables: [table('user side', uLabels, uAlpha), table('item side', iLabels, iAlpha), table('knowledge graph (final layer)', kLabels, kAlpha)],
    };
  } finally {
    disposeSampleTensors(st);
  }
}

/** A one-line summary of an evaluation, naming protocol and split. */
export function summaryLine(e: ScorerEvaluation, dataset: string, k = 20): string {
  const f = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4));
  return (
    `${e.label} on ${dataset}, test split: AUC global ${f(e.test.ctr.aucGlobal)}, AUC official(per-batch) ${f(e.test.ctr.aucOfficial)}; ` +
    `full ranking Recall@${k} ${f(at(e.test.full, k, 'recall'))} NDCG@${k} ${f(at(e.test.full, k, 'ndcg'))}` +
    (e.test.official ? `; official 100-user Recall@${k} ${f(at(e.test.official, k, 'recall'))} NDCG@${k} ${f(at(e.test.official, k, 'ndcg'))}` : '')
  );
}
