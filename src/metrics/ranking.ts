/**
 * Full-ranking top-K recommendation metrics in the LightGCN / KGAT (PyTorch) style.
 *
 * For each user: every item gets a score; the user's excluded items (normally the training
 * positives) are removed from the candidates; the K best remaining items form the ranked list
 * (rank r = 0, 1, …, K−1). Ties are broken by the lower item index first, so results are
 * deterministic. With hit_r = 1 if the item at rank r is a test positive:
 *   Recall@K    = Σ_r hit_r / |positives|
 *   Precision@K = Σ_r hit_r / K            (divides by K even if fewer than K candidates remain)
 *   HitRatio@K  = 1 if Σ_r hit_r > 0 else 0
 *   NDCG@K      = DCG / IDCG, DCG = Σ_r hit_r / log2(r + 2),
 *                 IDCG = Σ_{r < min(|positives|, K)} 1 / log2(r + 2)          ('ideal', default)
 * `idcg: 'retrieved'` instead takes IDCG from the user's own hit vector sorted descending,
 * i.e. Σ_{r < Σ hit} 1/log2(r+2) (0/0 → 0), which is what the NGCF/KGAT TensorFlow code
 * computes (CG-KGR's official code uses the ideal form); it overstates NDCG and exists only for parity.
 * Positives that are also excluded can never be hit but still count in |positives|.
 * Users with no test positives are skipped; the metrics are means over the remaining users.
 *
 * Cost: one pass over the user's scores with a size-K min-heap, O(nItems · log K) per user and
 * no full sort; one evaluation of several K values shares a single selection of the largest K.
 */
import { InputError } from '../util/errors.js';

/** Scores for every (user, item): one array per user, or a flat row-major [users × nItems] array. */
export type ScoreMatrix = ReadonlyArray<ArrayLike<number>> | { readonly data: ArrayLike<number>; readonly nItems: number };

/** Inputs of {@link rankingMetrics}. */
export interface RankingInput {
  /** Score of item i for user u; higher = recommended first. NaN is rejected. */
  scores: ScoreMatrix;
  /** Test positives per user (item indices; duplicates are ignored). Length = number of users. */
  positives: ReadonlyArray<ArrayLike<number>>;
  /** Items never to recommend per user (item indices), usually the training positives. Optional. */
  exclude?: ReadonlyArray<ArrayLike<number>>;
}

/** Options of {@link rankingMetrics}. */
export interface RankingOptions {
  /** Cut-offs K (positive integers). */
  ks: readonly number[];
  /** IDCG definition (see module doc). Default 'ideal'. */
  idcg?: 'ideal' | 'retrieved';
}

/** Mean metrics at one cut-off K over the evaluated users. */
export interface RankingScores {
  k: number;
  recall: number;
  precision: number;
  ndcg: number;
  hitRatio: number;
}

/** Result of {@link rankingMetrics}. */
export interface RankingResult {
  /** One entry per requested K, in the order given. */
  atK: RankingScores[];
  /** Users averaged over (those with ≥ 1 test positive). */
  nUsers: number;
}

/**
 * Recall, precision, NDCG and hit ratio at each K in `options.ks`, averaged over users that have
 * at least one test positive. See the module doc for exact definitions. Throws RangeError on shape
 * problems (ragged inputs, item indices out of range, bad K, no user with positives) and InputError
 * on NaN scores.
 */
export function rankingMetrics(input: RankingInput, options: RankingOptions): RankingResult {
  const { ks } = options;
  const idcgMode = options.idcg ?? 'ideal';
  if (ks.length === 0) throw new RangeError('rankingMetrics: ks is empty');
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`rankingMetrics: every K must be a positive integer, got ${k}`);
  }
  if (idcgMode !== 'ideal' && idcgMode !== 'retrieved') {
    throw new RangeError(`rankingMetrics: idcg must be 'ideal' or 'retrieved', got ${String(idcgMode)}`);
  }
  const { nUsers, nItems, row } = scoreRows(input.scores);
  if (input.positives.length !== nUsers) {
    throw new RangeError(`rankingMetrics: scores has ${nUsers} users but positives has ${input.positives.length}`);
  }
  if (input.exclude !== undefined && input.exclude.length !== nUsers) {
    throw new RangeError(`rankingMetrics: scores has ${nUsers} users but exclude has ${input.exclude.length}`);
  }
  const maxK = Math.max(...ks);
  // Discount 1/log2(r+2) and its prefix sums (IDCG for n relevant items = disc[0] + … + disc[n−1]).
  const disc = new Float64Array(maxK);
  const discCum = new Float64Array(maxK + 1);
  for (let r = 0; r < maxK; r++) {
    disc[r] = 1 / Math.log2(r + 2);
    discCum[r + 1] = discCum[r]! + disc[r]!;
  }
  // Per-user membership by stamping the user's number into item-sized arrays: O(1) lookups, no Sets.
  const posStamp = new Int32Array(nItems);
  const exStamp = new Int32Array(nItems);
  const heap = new TopK(maxK);
  const sums = ks.map(() => ({ recall: 0, precision: 0, ndcg: 0, hit: 0 }));
  let evaluated = 0;

  for (let u = 0; u < nUsers; u++) {
    const stamp = u + 1;
    const pos = input.positives[u]!;
    let nPos = 0;
    for (let i = 0; i < pos.length; i++) {
      const it = checkItem(pos[i]!, nItems, 'positives', u);
      if (posStamp[it] !== stamp) {
        posStamp[it] = stamp;
        nPos++;
      }
    }
    if (nPos === 0) continue;
    const ex = input.exclude?.[u];
    if (ex !== undefined) for (let i = 0; i < ex.length; i++) exStamp[checkItem(ex[i]!, nItems, 'exclude', u)] = stamp;

    const { data, offset } = row(u);
    heap.clear();
    for (let it = 0; it < nItems; it++) {
      if (exStamp[it] === stamp) continue;
      const s = data[offset + it]!;
      if (s !== s) throw new InputError(`rankingMetrics: score of user ${u}, item ${it} is NaN`, { field: 'scores' });
      heap.offer(s, it);
    }
    const ranked = heap.sortedItems(); // best first

    evaluated++;
    ks.forEach((k, q) => {
      const n = Math.min(k, ranked.length);
      let hits = 0;
      let dcg = 0;
      for (let r = 0; r < n; r++) {
        if (posStamp[ranked[r]!] === stamp) {
          hits++;
          dcg += disc[r]!;
        }
      }
      const idcg = idcgMode === 'ideal' ? discCum[Math.min(nPos, k)]! : discCum[hits]!;
      const acc = sums[q]!;
      acc.recall += hits / nPos;
      acc.precision += hits / k;
      acc.ndcg += idcg > 0 ? dcg / idcg : 0;
      acc.hit += hits > 0 ? 1 : 0;
    });
  }
  if (evaluated === 0) throw new RangeError('rankingMetrics: no user has a test positive; nothing to evaluate');
  return {
    atK: ks.map((k, q) => ({
      k,
      recall: sums[q]!.recall / evaluated,
      precision: sums[q]!.precision / evaluated,
      ndcg: sums[q]!.ndcg / evaluated,
      hitRatio: sums[q]!.hit / evaluated,
    })),
    nUsers: evaluated,
  };
}

/** Mean Recall@K over users with test positives (see {@link rankingMetrics}). */
export function recallAtK(input: RankingInput, k: number): number {
  return rankingMetrics(input, { ks: [k] }).atK[0]!.recall;
}

/** Mean NDCG@K over users with test positives, IDCG over min(|positives|, K) by default (see {@link rankingMetrics}). */
export function ndcgAtK(input: RankingInput, k: number, idcg: 'ideal' | 'retrieved' = 'ideal'): number {
  return rankingMetrics(input, { ks: [k], idcg }).atK[0]!.ndcg;
}

/** Fraction of users with test positives that have at least one in their top K (see {@link rankingMetrics}). */
export function hitRatioAtK(input: RankingInput, k: number): number {
  return rankingMetrics(input, { ks: [k] }).atK[0]!.hitRatio;
}

function checkItem(it: number, nItems: number, field: string, u: number): number {
  if (!Number.isInteger(it) || it < 0 || it >= nItems) {
    throw new RangeError(`rankingMetrics: ${field}[${u}] contains item ${it}, outside 0…${nItems - 1}`);
  }
  return it;
}

function scoreRows(scores: ScoreMatrix): {
  nUsers: number;
  nItems: number;
  row: (u: number) => { data: ArrayLike<number>; offset: number };
} {
  if ('nItems' in scores && !Array.isArray(scores)) {
    const { data, nItems } = scores as { data: ArrayLike<number>; nItems: number };
    if (!Number.isInteger(nItems) || nItems < 1) throw new RangeError(`rankingMetrics: nItems must be a positive integer, got ${nItems}`);
    if (data.length % nItems !== 0) {
      throw new RangeError(`rankingMetrics: flat scores has ${data.length} elements, not a multiple of nItems = ${nItems}`);
    }
    return { nUsers: data.length / nItems, nItems, row: (u) => ({ data, offset: u * nItems }) };
  }
  const rows = scores as ReadonlyArray<ArrayLike<number>>;
  if (rows.length === 0) throw new RangeError('rankingMetrics: scores has no users');
  const nItems = rows[0]!.length;
  if (nItems === 0) throw new RangeError('rankingMetrics: scores has no items');
  rows.forEach((r, u) => {
    if (r.length !== nItems) throw new RangeError(`rankingMetrics: scores[${u}] has ${r.length} items, scores[0] has ${nItems}`);
  });
  return { nUsers: rows.length, nItems, row: (u) => ({ data: rows[u]!, offset: 0 }) };
}

/**
 * Keeps the K best (score, item) pairs seen so far in a binary min-heap whose root is the worst
 * kept pair. Items must be offered in increasing index order: then an equal score never displaces
 * a kept item, which gives "lower index first" among ties.
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  private size = 0;
  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.items = new Int32Array(k);
  }
  clear(): void {
    this.size = 0;
  }
  /** a is worse than b: lower score, or equal score and higher index. */
  private worse(a: number, b: number): boolean {
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa < sb || (sa === sb && this.items[a]! > this.items[b]!);
  }
  offer(score: number, item: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.scores[i] = score;
      this.items[i] = item;
      while (i > 0) {
        // sift up
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    if (!(score > this.scores[0]!)) return; // not strictly better than the worst kept one
    this.scores[0] = score;
    this.items[0] = item;
    let i = 0;
    for (;;) {
      // sift down
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.worse(r, l) ? r : l;
      if (!this.worse(c, i)) break;
      this.swap(c, i);
      i = c;
    }
  }
  private swap(a: number, b: number): void {
    const s = this.scores[a]!;
    this.scores[a] = this.scores[b]!;
    this.scores[b] = s;
    const t = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = t;
  }
  /** Kept items, best first (score descending, then index ascending). */
  sortedItems(): Int32Array {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => this.scores[b]! - this.scores[a]! || this.items[a]! - this.items[b]!);
    return Int32Array.from(order, (i) => this.items[i]!);
  }
}
