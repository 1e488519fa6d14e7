/**
 * Evaluation, in two protocols that every printout names:
 *
 * **official** (the CG-KGR code, `src/train.py`): CTR AUC and F1 (σ ≥ 0.5) computed per batch of
 * `batch_size` rows in split order and averaged over full batches (the partial batch is
 * dropped); Top-K for 100 users drawn at random among users with training rows and ≥ 1 positive
 * in the split, candidates = all items minus the user's training rows (both labels), NDCG with
 * gains 2^rel−1. The official IDCG sorts the user's hit vector over *all* candidates and cuts it
 * at K, i.e. min(|test positives|, K) hits at the top — the ideal IDCG, same as below.
 *
 * **full** (what users of RecBole / LightGCN expect): one global ROC-AUC over all rows of the
 * split, and full ranking over all items for every user with ≥ 1 positive in the split, candidates
 * = all items minus the user's known positives (train for the eval split, train + eval for the
 * test split), Recall@K and NDCG@K with the ideal IDCG (min(|positives|, K) hits at the top).
 */
import * as tf from '@tensorflow/tfjs-core';
import { rocAuc, rankingMetrics, type RankingScores } from '../../metrics/index.js';
import type { Rng } from '../../util/random.js';
import type { CgkgrNet } from './model.js';
import type { SampleTensors } from './sampling.js';
import { csrRow, groupCsr, type Csr, type Interactions } from './data.js';

/** The cut-offs of the official Top-K evaluation. */
export const TOPK_KS = [1, 5, 10, 20, 50, 100] as const;

/** Scores rows (user, item) → one score per row (higher = more likely positive). */
export type PairScorer = (users: Int32Array, items: Int32Array) => Float32Array;

/** Scores every item for each user of a chunk → row-major [users.length × nItem]. */
export type UserScorer = (users: Int32Array) => Float32Array;

/** Split-level CTR numbers. */
export interface CtrScores {
  /** official: mean per-batch AUC over full batches. */
  aucOfficial: number;
  /** official: mean per-batch F1 at σ ≥ 0.5 (null for scorers that are not probabilities). */
  f1Official: number | null;
  /** full: one ROC-AUC over every row of the split. */
  aucGlobal: number;
  /** full: F1 at 0.5 over every row (null for non-probability scorers). */
  f1Global: number | null;
  /** Full batches scored by the official metric (batches with one class are skipped, as roc_auc_score would raise). */
  batches: number;
  skippedBatches: number;
}

function f1At(labels: ArrayLike<number>, probs: ArrayLike<number>, start: number, end: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = start; k < end; k++) {
    const p = probs[k]! >= 0.5;
    if (p && labels[k] === 1) tp++;
    else if (p) fp++;
    else if (labels[k] === 1) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** CTR metrics of `scores` (aligned with `rows`) in both protocols. */
export function ctrScores(rows: Interactions, scores: Float32Array, batchSize: number, probabilities: boolean): CtrScores {
  const n = rows.labels.length;
  let aucSum = 0;
  let f1Sum = 0;
  let batches = 0;
  let skipped = 0;
  for (let s = 0; s + batchSize <= n; s += batchSize) {
    const lab = rows.labels.subarray(s, s + batchSize);
    let pos = 0;
    for (let k = 0; k < lab.length; k++) pos += lab[k]!;
    if (pos === 0 || pos === lab.length) {
      skipped++;
      continue;
    }
    aucSum += rocAuc(lab, scores.subarray(s, s + batchSize));
    f1Sum += f1At(rows.labels, scores, s, s + batchSize);
    batches++;
  }
  return {
    aucOfficial: batches > 0 ? aucSum / batches : NaN,
    f1Official: probabilities && batches > 0 ? f1Sum / batches : null,
    aucGlobal: rocAuc(rows.labels, scores),
    f1Global: probabilities ? f1At(rows.labels, scores, 0, n) : null,
    batches,
    skippedBatches: skipped,
  };
}

/** Ranking metrics at each K. */
export interface RankingReport {
  protocol: 'official' | 'full';
  atK: RankingScores[];
  users: number;
}

/**
 * Rank all items for `users` (chunked through `scoreUsers`) and average Recall/Precision/NDCG@K.
 * `positives` and `exclude` are per-user CSRs over all users.
 */
export function rankUsers(
  users: Int32Array,
  scoreUsers: UserScorer,
  nItem: number,
  positives: Csr,
  exclude: Csr[],
  opts: { ks: readonly number[]; idcg: 'ideal' | 'retrieved'; chunk: number; protocol: 'official' | 'full' },
): RankingReport {
  const sums = opts.ks.map((k) => ({ k, recall: 0, precision: 0, ndcg: 0, hitRatio: 0 }));
  let total = 0;
  for (let s = 0; s < users.length; s += opts.chunk) {
    const chunk = users.subarray(s, Math.min(users.length, s + opts.chunk));
    const scores = scoreUsers(chunk);
    const pos = Array.from(chunk, (u) => csrRow(positives, u));
    const ex = Array.from(chunk, (u) => {
      const lists = exclude.map((c) => csrRow(c, u));
      return lists.length === 1 ? lists[0]! : Int32Array.from(lists.flatMap((l) => Array.from(l)));
    });
    const keep = pos.map((p) => p.length > 0);
    if (!keep.some(Boolean)) continue;
    const r = rankingMetrics({ scores: { data: scores, nItems: nItem }, positives: pos, exclude: ex }, { ks: opts.ks, idcg: opts.idcg });
    r.atK.forEach((m, q) => {
      sums[q]!.recall += m.recall * r.nUsers;
      sums[q]!.precision += m.precision * r.nUsers;
      sums[q]!.ndcg += m.ndcg * r.nUsers;
      sums[q]!.hitRatio += m.hitRatio * r.nUsers;
    });
    total += r.nUsers;
  }
  return {
    protocol: opts.protocol,
    atK: sums.map((m) => ({ k: m.k, recall: m.recall / total, precision: m.precision / total, ndcg: m.ndcg / total, hitRatio: m.hitRatio / total })),
    users: total,
  };
}

/** Users with ≥ 1 positive in `rows`, increasing. */
export function usersWithPositives(rows: Interactions): Int32Array {
  const set = new Set<number>();
  for (let k = 0; k < rows.users.length; k++) if (rows.labels[k] === 1) set.add(rows.users[k]!);
  return Int32Array.from([...set].sort((a, b) => a - b));
}

/** The official Top-K user sample: up to `n` users, at random, with training rows and a positive in the split. */
export function officialTopKUsers(train: Interactions, split: Interactions, n: number, rng: Rng): Int32Array {
  const inTrain = new Set<number>(train.users);
  const cand = Array.from(usersWithPositives(split)).filter((u) => inTrain.has(u));
  if (cand.length <= n) return Int32Array.from(cand);
  const pick = rng.choice(cand.length, n, false);
  return Int32Array.from(pick, (k) => cand[k]!);
}

/** Every item a user has in `rows` (both labels) — the official candidate exclusion. */
export function itemsByUser(rows: Interactions, nUser: number): Csr {
  return groupCsr(rows.users, rows.items, nUser);
}

/** Item popularity: number of training positives per item. */
export function itemPopularity(train: Interactions, nItem: number): Float32Array {
  const pop = new Float32Array(nItem);
  for (let k = 0; k < train.items.length; k++) if (train.labels[k] === 1) pop[train.items[k]!]! += 1;
  return pop;
}

/** Scorers for the popularity baseline. */
export function popularityScorers(pop: Float32Array): { pairs: PairScorer; users: UserScorer } {
  return {
    pairs: (_u, items) => Float32Array.from(items, (i) => pop[i]!),
    users: (users) => {
      const out = new Float32Array(users.length * pop.length);
      for (let k = 0; k < users.length; k++) out.set(pop, k * pop.length);
      return out;
    },
  };
}

/**
 * Scorers backed by the model with a fixed neighbour sample. Pair scores are σ(logit), computed
 * in chunks of `batchSize` rows. User scorers compute u' once per user and the item side once for
 * all items, then the KG layers for every (user, item) pair in chunks of `pairChunk` pairs.
 */
export function modelScorers(model: CgkgrNet, s: SampleTensors, nItem: number, opts: { batchSize: number; pairChunk?: number }): { pairs: PairScorer; users: UserScorer; dispose: () => void } {
  const cfg = model.config;
  const pairChunk = opts.pairChunk ?? Math.max(256, Math.floor(2 ** 21 / (cfg.sampleSize ** cfg.nLayer * cfg.nodeDim)));
  const wasTraining = model.training;
  model.eval();
  const pairs: PairScorer = (users, items) => {
    const out = new Float32Array(users.length);
    const B = Math.max(opts.batchSize, 1);
    for (let st = 0; st < users.length; st += B) {
      const e = Math.min(users.length, st + B);
      const p = tf.tidy(() => tf.sigmoid(model.forward(tf.tensor1d(users.subarray(st, e), 'int32'), tf.tensor1d(items.subarray(st, e), 'int32'), s)));
      out.set(p.dataSync() as Float32Array, st);
      p.dispose();
    }
    return out;
  };
  // Item side for all items, once per scorer (it depends on the sample and the weights only).
  const allItems = tf.range(0, nItem, 1, 'int32') as tf.Tensor1D;
  const side = model.itemSide(allItems, s);
  const usersScorer: UserScorer = (users) => {
    const U = users.length;
    const out = new Float32Array(U * nItem);
    const uPrime = tf.tidy(() => model.userSide(tf.tensor1d(users, 'int32'), s).uPrime);
    const usersPerChunk = Math.max(1, Math.floor(pairChunk / nItem));
    const itemsPerChunk = Math.min(nItem, pairChunk);
    for (let u0 = 0; u0 < U; u0 += usersPerChunk) {
      const nu = Math.min(usersPerChunk, U - u0);
      for (let i0 = 0; i0 < nItem; i0 += itemsPerChunk) {
        const ni = Math.min(itemsPerChunk, nItem - i0);
        const scores = tf.tidy(() => {
          const P = nu * ni;
          const uIdx = tf.reshape(tf.tile(tf.reshape(tf.range(u0, u0 + nu, 1, 'int32'), [nu, 1]), [1, ni]), [P]);
          const iIdx = tf.tile(tf.range(i0, i0 + ni, 1, 'int32'), [nu]) as tf.Tensor1D;
          const up = tf.gather(uPrime, uIdx) as tf.Tensor2D;
          const pairSide = { eI: tf.gather(side.eI, iIdx) as tf.Tensor2D, egoIU: tf.gather(side.egoIU, iIdx) as tf.Tensor2D, itemUsers: side.itemUsers, alpha: side.alpha };
          const { iPrime } = model.itemRepresentation(iIdx, up, pairSide, s);
          return tf.reshape(tf.sum(tf.mul(up, iPrime), 1), [nu, ni]);
        });
        const v = scores.dataSync() as Float32Array;
        scores.dispose();
        for (let a = 0; a < nu; a++) out.set(v.subarray(a * ni, (a + 1) * ni), (u0 + a) * nItem + i0);
      }
    }
    uPrime.dispose();
    return out;
  };
  return {
    pairs,
    users: usersScorer,
    dispose: () => {
      tf.dispose([allItems, side.eI, side.egoIU, side.itemUsers, side.alpha]);
      model.train(wasTraining);
    },
  };
}

/** Everything evaluated for one scorer on one split. */
export interface SplitEvaluation {
  split: 'eval' | 'test';
  ctr: CtrScores;
  /** full ranking (all users with a positive in the split). */
  full: RankingReport | null;
  /** official Top-K (100 sampled users). */
  official: RankingReport | null;
}

export interface EvaluateOptions {
  batchSize: number;
  probabilities: boolean;
  nItem: number;
  nUser: number;
  ks?: readonly number[];
  fullRanking?: boolean;
  /** Users for the official Top-K (null = skip). */
  officialUsers?: Int32Array | null;
  /** Rank only the first N users with a positive (0 = all; quick demos). */
  maxRankUsers?: number;
  chunk?: number;
}

/**
 * CTR and ranking metrics of one scorer on one split. `train`/`evalRows` give the exclusions:
 * official Top-K excludes all train rows' items; full ranking excludes known positives (train for
 * the eval split, train + eval for the test split).
 */
export function evaluateSplit(
  split: 'eval' | 'test',
  rows: Interactions,
  scorers: { pairs: PairScorer; users: UserScorer },
  data: { train: Interactions; eval: Interactions },
  opts: EvaluateOptions,
): SplitEvaluation {
  const ks = opts.ks ?? TOPK_KS;
  const scores = scorers.pairs(rows.users, rows.items);
  const ctr = ctrScores(rows, scores, opts.batchSize, opts.probabilities);
  const positives = groupCsr(Int32Array.from(rows.users.filter((_, k) => rows.labels[k] === 1)), Int32Array.from(rows.items.filter((_, k) => rows.labels[k] === 1)), opts.nUser);
  const chunk = opts.chunk ?? 64;
  let full: RankingReport | null = null;
  if (opts.fullRanking !== false) {
    const pos = (r: Interactions): Csr => groupCsr(Int32Array.from(r.users.filter((_, k) => r.labels[k] === 1)), Int32Array.from(r.items.filter((_, k) => r.labels[k] === 1)), opts.nUser);
    const exclude = split === 'eval' ? [pos(data.train)] : [pos(data.train), pos(data.eval)];
    const all = usersWithPositives(rows);
    const rankList = opts.maxRankUsers ? all.subarray(0, opts.maxRankUsers) : all;
    full = rankUsers(rankList, scorers.users, opts.nItem, positives, exclude, { ks, idcg: 'ideal', chunk, protocol: 'full' });
  }
  let official: RankingReport | null = null;
  if (opts.officialUsers && opts.officialUsers.length > 0) {
    official = rankUsers(opts.officialUsers, scorers.users, opts.nItem, positives, [itemsByUser(data.train, opts.nUser)], { ks, idcg: 'ideal', chunk, protocol: 'official' });
  }
  return { split, ctr, full, official };
}
