/**
 * A temporal graph as the TGAT family of models reads it: interactions (src, dst, t, features)
 * in time order, node ids 1…N with 0 kept for padding (docs/research/graph.md §2a), edge ids
 * 1…E in time order (0 = padding), times rebased to start at 0 (TGSL draws its added edges'
 * times from U(0, t_max), §2f pitfall 10).
 */

/** Interactions of a temporal graph, sorted by time (ties keep file order). */
export interface TemporalGraph {
  /** Display name (file name or generator). */
  name: string;
  /** Largest node id; ids run 1…numNodes, 0 is padding. */
  numNodes: number;
  /** Source / destination node of each interaction (1-based ids). */
  src: Int32Array;
  dst: Int32Array;
  /** Times, rebased so the first interaction is at 0. */
  t: Float64Array;
  /** The time subtracted from the file's times. */
  timeOffset: number;
  /** Per-interaction label (JODIE `state_label`; 0 when absent). */
  label: Float32Array;
  /** Edge features, row e−1 for edge id e ([E, edgeDim], row-major). */
  edgeFeat: Float32Array;
  edgeDim: number;
  /** Node features, row v for node v ([numNodes + 1, nodeDim]; row 0 padding), or null (zeros). */
  nodeFeat: Float32Array | null;
  nodeDim: number;
  /** Bipartite (users 1…numSources, items after them) or one node space. */
  bipartite: boolean;
  /** Number of source-side nodes (bipartite) or numNodes. */
  numSources: number;
  /** Original id of each node as text (index = node id; index 0 is ''). */
  nodeNames: string[];
  /** 1-based line in the file of each interaction (null for generated graphs). */
  lines: Int32Array | null;
}

/** Number of interactions. */
export function numEvents(g: TemporalGraph): number {
  return g.src.length;
}

/** The node id a name maps to in `g` (source side first for bipartite graphs), or −1. */
export function nodeIdOf(g: TemporalGraph, name: string, side: 'src' | 'dst' | 'any' = 'any'): number {
  const map = nodeIndex(g);
  const hit = map.get(`${side === 'dst' && g.bipartite ? 'd' : 's'}:${name}`);
  if (hit !== undefined) return hit;
  if (side === 'any' && g.bipartite) return map.get(`d:${name}`) ?? -1;
  return -1;
}

const INDEX = new WeakMap<TemporalGraph, Map<string, number>>();

function nodeIndex(g: TemporalGraph): Map<string, number> {
  let m = INDEX.get(g);
  if (!m) {
    m = new Map();
    for (let v = 1; v <= g.numNodes; v++) {
      const side = g.bipartite && v > g.numSources ? 'd' : 's';
      m.set(`${side}:${g.nodeNames[v]}`, v);
    }
    INDEX.set(g, m);
  }
  return m;
}

/** Stable sort of the interactions by time; returns `g` itself when already sorted. */
export function sortByTime(g: TemporalGraph): TemporalGraph {
  const n = g.t.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (g.t[i]! < g.t[i - 1]!) sorted = false;
  if (sorted) return g;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => g.t[a]! - g.t[b]! || a - b);
  const D = g.edgeDim;
  const feat = new Float32Array(n * D);
  order.forEach((o, i) => feat.set(g.edgeFeat.subarray(o * D, (o + 1) * D), i * D));
  return {
    ...g,
    src: Int32Array.from(order, (o) => g.src[o]!),
    dst: Int32Array.from(order, (o) => g.dst[o]!),
    t: Float64Array.from(order, (o) => g.t[o]!),
    label: Float32Array.from(order, (o) => g.label[o]!),
    edgeFeat: feat,
    lines: g.lines ? Int32Array.from(order, (o) => g.lines![o]!) : null,
  };
}

/** Facts about a graph for logs and reports. */
export function describeTemporalGraph(g: TemporalGraph): { events: number; nodes: number; distinctPairs: number; repeatShare: number; span: number } {
  const seen = new Set<number>();
  let repeats = 0;
  const n = g.src.length;
  for (let i = 0; i < n; i++) {
    const key = g.src[i]! * (g.numNodes + 1) + g.dst[i]!;
    if (seen.has(key)) repeats++;
    else seen.add(key);
  }
  return { events: n, nodes: g.numNodes, distinctPairs: seen.size, repeatShare: n ? repeats / n : 0, span: n ? g.t[n - 1]! - g.t[0]! : 0 };
}
