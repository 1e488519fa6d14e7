/**
 * Temporal neighbour finding: for a node v and a cut time t, the interactions of v before t, and
 * fixed-size samples of them in dense padded blocks [B, n] (node 0 / edge 0 / time 0 = padding),
 * as TGAT's `NeighborFinder` and DyGLib's `NeighborSampler` return them.
 *
 * - `uniform`: n draws with replacement, then sorted by time (TGAT/TGSL with `--uniform`).
 * - `recent`: the n most recent, oldest first, left-padded (DyGLib's 'recent', GraphMixer).
 * - `first`: the n earliest before t, left-padded (TGAT's non-uniform branch takes `[:n]`).
 *
 * "Before t" is strict (t_j < t). The official `find_before` (TGAT issue #8, inherited by TGSL's
 * `neighbor_finder.py`) returns one neighbour too few — the most recent — and none for a node
 * with a single one; `findBefore: 'official'` reproduces it for parity runs
 * (docs/research/graph.md §2f pitfall 2).
 */
import type { Rng } from '../../util/random.js';

export type NeighborSampling = 'uniform' | 'recent' | 'first';
export type FindBefore = 'strict' | 'official';

/** A sampled block: row i holds the neighbours of query i, `n` per row. */
export interface NeighborBlock {
  rows: number;
  n: number;
  nodes: Int32Array;
  eids: Int32Array;
  times: Float64Array;
}

/** Edges to index: node ids ≥ 1, edge ids ≥ 1, times. Each edge is seen from both endpoints. */
export interface EdgeList {
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  eid: ArrayLike<number>;
  t: ArrayLike<number>;
}

interface Csr {
  off: Int32Array;
  nbr: Int32Array;
  eid: Int32Array;
  ts: Float64Array;
}

function buildCsr(numNodes: number, e: EdgeList): Csr {
  const m = e.src.length;
  const deg = new Int32Array(numNodes + 2);
  for (let i = 0; i < m; i++) {
    deg[e.src[i]! + 1]!++;
    deg[e.dst[i]! + 1]!++;
  }
  const off = new Int32Array(numNodes + 2);
  for (let v = 1; v < numNodes + 2; v++) off[v] = off[v - 1]! + deg[v]!;
  const fill = off.slice();
  const nbr = new Int32Array(2 * m);
  const eid = new Int32Array(2 * m);
  const ts = new Float64Array(2 * m);
  const put = (v: number, u: number, id: number, t: number) => {
    const p = fill[v]!++;
    nbr[p] = u;
    eid[p] = id;
    ts[p] = t;
  };
  for (let i = 0; i < m; i++) {
    put(e.src[i]!, e.dst[i]!, e.eid[i]!, e.t[i]!);
    put(e.dst[i]!, e.src[i]!, e.eid[i]!, e.t[i]!);
  }
  // Time order per node, ties in insertion order (as Python's stable `sorted(curr, key=ts)`).
  for (let v = 0; v <= numNodes; v++) {
    const a = off[v]!;
    const b = off[v + 1]!;
    let sorted = true;
    for (let p = a + 1; p < b && sorted; p++) if (ts[p]! < ts[p - 1]!) sorted = false;
    if (sorted) continue;
    const idx = Array.from({ length: b - a }, (_, k) => a + k).sort((x, y) => ts[x]! - ts[y]! || x - y);
    const cn = idx.map((p) => nbr[p]!);
    const ce = idx.map((p) => eid[p]!);
    const ct = idx.map((p) => ts[p]!);
    nbr.set(cn, a);
    eid.set(ce, a);
    ts.set(ct, a);
  }
  return { off, nbr, eid, ts };
}

/** Number of entries of the sorted run ts[a, b) strictly before `cut`. */
function strictBefore(ts: Float64Array, a: number, b: number, cut: number): number {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < cut) lo = mid + 1;
    else hi = mid;
  }
  return lo - a;
}

/** The official `find_before` binary search (returns one too few; see the module comment). */
function officialBefore(ts: Float64Array, a: number, b: number, cut: number): number {
  const len = b - a;
  if (len === 0) return 0;
  let left = 0;
  let right = len - 1;
  while (left + 1 < right) {
    const mid = (left + right) >> 1;
    if (ts[a + mid]! < cut) left = mid;
    else right = mid;
  }
  return ts[a + right]! < cut ? right : left;
}

export interface NeighborFinderOptions {
  findBefore?: FindBefore;
}

/** Neighbour finder over a fixed edge set, optionally layered with added edges ({@link withEdges}). */
export class TemporalNeighborFinder {
  private readonly layers: Csr[];
  readonly findBefore: FindBefore;

  private constructor(
    readonly numNodes: number,
    layers: Csr[],
    findBefore: FindBefore,
  ) {
    this.layers = layers;
    this.findBefore = findBefore;
  }

  /** Index `edges` (undirected: each edge is a neighbour of both endpoints). */
  static build(numNodes: number, edges: EdgeList, opts: NeighborFinderOptions = {}): TemporalNeighborFinder {
    return new TemporalNeighborFinder(numNodes, [buildCsr(numNodes, edges)], opts.findBefore ?? 'strict');
  }

  /** A finder that sees these edges and `extra` (TGSL's augmented graph); this one is unchanged. */
  withEdges(extra: EdgeList): TemporalNeighborFinder {
    if (this.layers.length > 1) throw new Error('TemporalNeighborFinder.withEdges: already layered');
    return new TemporalNeighborFinder(this.numNodes, [this.layers[0]!, buildCsr(this.numNodes, extra)], this.findBefore);
  }

  /** Total degree of v (all times). */
  degree(v: number): number {
    let d = 0;
    for (const c of this.layers) d += c.off[v + 1]! - c.off[v]!;
    return d;
  }

  private countBefore(c: Csr, v: number, cut: number, rule: FindBefore = this.findBefore): number {
    if (v < 0 || v > this.numNodes) return 0;
    const a = c.off[v]!;
    const b = c.off[v + 1]!;
    return rule === 'official' ? officialBefore(c.ts, a, b, cut) : strictBefore(c.ts, a, b, cut);
  }

  /** The interactions of v before `cut`, oldest first (a copy). */
  before(v: number, cut: number): { nodes: Int32Array; eids: Int32Array; times: Float64Array } {
    // Layered (the augmented graph): the official code searches one merged list, so the quirk drops
    // only the most recent entry of the merged list — count strictly per layer, then drop it below.
    const layered = this.layers.length > 1;
    const parts = this.layers.map((c) => ({ c, a: c.off[Math.max(0, Math.min(v, this.numNodes))]!, k: this.countBefore(c, v, cut, layered ? 'strict' : this.findBefore) }));
    const merged = parts.reduce((s, p) => s + p.k, 0);
    const total = layered && this.findBefore === 'official' ? Math.max(0, merged - 1) : merged;
    const nodes = new Int32Array(total);
    const eids = new Int32Array(total);
    const times = new Float64Array(total);
    let w = 0;
    // Merge the layers by time (base first on ties, as the official code appends added edges after).
    const pos = parts.map(() => 0);
    while (w < total) {
      let best = -1;
      for (let l = 0; l < parts.length; l++) {
        const p = parts[l]!;
        if (pos[l]! >= p.k) continue;
        if (best < 0 || p.c.ts[p.a + pos[l]!]! < parts[best]!.c.ts[parts[best]!.a + pos[best]!]!) best = l;
      }
      const p = parts[best]!;
      const q = p.a + pos[best]!++;
      nodes[w] = p.c.nbr[q]!;
      eids[w] = p.c.eid[q]!;
      times[w] = p.c.ts[q]!;
      w++;
    }
    return { nodes, eids, times };
  }

  /**
   * Sample `n` neighbours of each query (node v_i before time t_i). `rng` is needed for 'uniform'.
   * Rows with no neighbour before t are all padding.
   */
  sample(queryNodes: ArrayLike<number>, queryTimes: ArrayLike<number>, n: number, strategy: NeighborSampling, rng?: Rng): NeighborBlock {
    const rows = queryNodes.length;
    if (queryTimes.length !== rows) throw new Error(`TemporalNeighborFinder.sample: ${rows} nodes but ${queryTimes.length} times`);
    const nodes = new Int32Array(rows * n);
    const eids = new Int32Array(rows * n);
    const times = new Float64Array(rows * n);
    const single = this.layers.length === 1 ? this.layers[0]! : null;
    const pick = new Int32Array(n);
    for (let i = 0; i < rows; i++) {
      const v = queryNodes[i]!;
      const cut = queryTimes[i]!;
      const o = i * n;
      let srcNodes: ArrayLike<number>;
      let srcEids: ArrayLike<number>;
      let srcTimes: ArrayLike<number>;
      let base = 0;
      let k: number;
      if (single) {
        k = this.countBefore(single, v, cut);
        base = k > 0 ? single.off[v]! : 0;
        srcNodes = single.nbr;
        srcEids = single.eid;
        srcTimes = single.ts;
      } else {
        const b = this.before(v, cut);
        k = b.nodes.length;
        srcNodes = b.nodes;
        srcEids = b.eids;
        srcTimes = b.times;
      }
      if (k === 0) continue;
      if (strategy === 'uniform') {
        if (!rng) throw new Error("TemporalNeighborFinder.sample: 'uniform' needs an rng");
        for (let j = 0; j < n; j++) pick[j] = rng.int(k);
        // Sorted by time; the runs are time-sorted so index order is time order (ties by index).
        pick.sort();
        for (let j = 0; j < n; j++) {
          const q = base + pick[j]!;
          nodes[o + j] = srcNodes[q]!;
          eids[o + j] = srcEids[q]!;
          times[o + j] = srcTimes[q]!;
        }
      } else {
        const m = Math.min(n, k);
        const from = strategy === 'recent' ? base + k - m : base;
        for (let j = 0; j < m; j++) {
          nodes[o + n - m + j] = srcNodes[from + j]!;
          eids[o + n - m + j] = srcEids[from + j]!;
          times[o + n - m + j] = srcTimes[from + j]!;
        }
      }
    }
    return { rows, n, nodes, eids, times };
  }
}
