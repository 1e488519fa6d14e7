/**
 * A seeded synthetic bipartite interaction graph (synthetic, named as such; docs/research/graph.md
 * §2d): users and items in latent communities, Zipf activity and popularity, recency-weighted
 * repeats, edge features from community prototypes. It has the two properties TGSL relies on:
 * recurring interactions (a temporal backbone scores them from history) and future links that are
 * 3-hop neighbours through users of the same community (what learned edges can add early).
 */
import { Rng } from '../../util/random.js';
import type { TemporalGraph } from './graph.js';

/** Parameters of {@link syntheticTemporalGraph}; every field has the §2d default. */
export interface SyntheticTemporalOptions {
  /** Interactions (default 5 000). */
  events?: number;
  /** Users / items (default 300 / 80). */
  users?: number;
  items?: number;
  /** Latent communities (default 6). */
  communities?: number;
  /** Edge feature width (default 32). */
  featureDim?: number;
  /** Zipf exponents of user activity and item popularity (default 1.6 / 1.4). */
  userZipf?: number;
  itemZipf?: number;
  /** No user's activity weight exceeds this multiple of the mean weight (default 10). */
  activityCap?: number;
  /** Chance of re-interacting with one of the user's recent items (default 0.55). */
  pRepeat?: number;
  /** Otherwise, chance of a new item of the user's own community (default 0.35); else any item by popularity. */
  pCommunity?: number;
  /** How many recent items a repeat chooses among (default 20), weighted e^{linspace(−2, 0)}. */
  recentWindow?: number;
  /** Mean gap between interactions, seconds (Poisson process; default 100). */
  meanGap?: number;
  seed?: number;
}

function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const w = new Float64Array(n);
  const ranks = rng.permutation(n);
  for (let i = 0; i < n; i++) w[i] = 1 / Math.pow(ranks[i]! + 1, s);
  return w;
}

function drawWeighted(cum: Float64Array, rng: Rng): number {
  const u = rng.uniform() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulative(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i]!;
  return c;
}

/** Generate the graph (times from 0; users 1…U', items U'+1…U'+I' — those that interact, renumbered in id order). */
export function syntheticTemporalGraph(o: SyntheticTemporalOptions = {}): TemporalGraph {
  const E = o.events ?? 5000;
  const U = o.users ?? 300;
  const I = o.items ?? 80;
  const K = o.communities ?? 6;
  const D = o.featureDim ?? 32;
  const pRepeat = o.pRepeat ?? 0.55;
  const pComm = o.pCommunity ?? 0.35;
  const window = o.recentWindow ?? 20;
  const gap = o.meanGap ?? 100;
  const seed = o.seed ?? 0;
  for (const [k, v] of Object.entries({ events: E, users: U, items: I, communities: K, featureDim: D, recentWindow: window })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`syntheticTemporalGraph: ${k} must be a positive integer, got ${v}`);
  }
  const rng = new Rng(seed);
  const userComm = Int32Array.from({ length: U }, () => rng.int(K));
  const itemComm = Int32Array.from({ length: I }, () => rng.int(K));
  const activity = zipfWeights(U, o.userZipf ?? 1.6, rng);
  const mean = activity.reduce((a, b) => a + b, 0) / U;
  const cap = (o.activityCap ?? 10) * mean;
  for (let u = 0; u < U; u++) activity[u] = Math.min(activity[u]!, cap);
  const popularity = zipfWeights(I, o.itemZipf ?? 1.4, rng);
  const userCum = cumulative(activity);
  const itemCum = cumulative(popularity);
  const commItems: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < I; i++) commItems[itemComm[i]!]!.push(i);
  const commCum = commItems.map((items) => cumulative(items.map((i) => popularity[i]!)));
  const protos = rng.normalArray(K * D);
  const recency = Float64Array.from({ length: window }, (_, j) => Math.exp(window === 1 ? 0 : -2 + (2 * j) / (window - 1)));
  const history: number[][] = Array.from({ length: U }, () => []);

  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  const t = new Float64Array(E);
  const feat = new Float32Array(E * D);
  let now = 0;
  for (let e = 0; e < E; e++) {
    if (e > 0) now += -gap * Math.log(1 - rng.uniform());
    const u = drawWeighted(userCum, rng);
    const h = history[u]!;
    const r = rng.uniform();
    let item: number;
    if (h.length > 0 && r < pRepeat) {
      const recent = h.slice(-window);
      const w = recency.subarray(window - recent.length);
      item = recent[drawWeighted(cumulative(w), rng)]!;
    } else if (r < pRepeat + pComm && commItems[userComm[u]!]!.length > 0) {
      const c = userComm[u]!;
      item = commItems[c]![drawWeighted(commCum[c]!, rng)]!;
    } else {
      item = drawWeighted(itemCum, rng);
    }
    h.push(item);
    src[e] = u + 1;
    dst[e] = U + 1 + item;
    t[e] = now;
    const cu = userComm[u]! * D;
    const ci = itemComm[item]! * D;
    for (let k = 0; k < D; k++) feat[e * D + k] = 0.5 * protos[ci + k]! + 0.5 * protos[cu + k]! + rng.normal();
  }
  // Users and items that never interact are dropped and the rest renumbered in id order, so ids are
  // contiguous (users 1…U', items U'+1…U'+I') and the JODIE file passes the official process.py's check.
  const userNo = new Int32Array(U).fill(-1);
  const itemNo = new Int32Array(I).fill(-1);
  for (let e = 0; e < E; e++) {
    userNo[src[e]! - 1] = 0;
    itemNo[dst[e]! - U - 1] = 0;
  }
  let usedU = 0;
  for (let u = 0; u < U; u++) if (userNo[u] === 0) userNo[u] = usedU++;
  let usedI = 0;
  for (let i = 0; i < I; i++) if (itemNo[i] === 0) itemNo[i] = usedI++;
  for (let e = 0; e < E; e++) {
    src[e] = userNo[src[e]! - 1]! + 1;
    dst[e] = usedU + 1 + itemNo[dst[e]! - U - 1]!;
  }
  const names = [''];
  for (let u = 0; u < usedU; u++) names.push(String(u));
  for (let i = 0; i < usedI; i++) names.push(String(i));
  return {
    name: `synthetic (${E} events, ${U} users, ${I} items, ${K} communities, seed ${seed})`,
    numNodes: usedU + usedI,
    src,
    dst,
    t,
    timeOffset: 0,
    label: new Float32Array(E),
    edgeFeat: feat,
    edgeDim: D,
    nodeFeat: null,
    nodeDim: 0,
    bipartite: true,
    numSources: usedU,
    nodeNames: names,
    lines: null,
  };
}
