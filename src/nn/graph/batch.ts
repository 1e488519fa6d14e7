/**
 * Mini-batches of graphs as one disjoint union (PyG's `Batch.from_data_list`): node ids of graph
 * g are shifted by the number of nodes before it, edge lists and features are concatenated, and
 * `batch` [N] names each node's graph for pooling. Built once per batch from JS arrays (data
 * preparation, not a hot tensor path).
 */
import * as tf from '@tensorflow/tfjs-core';

/** One graph as plain arrays. Feature arrays are row-major; their widths are inferred from the lengths. */
export interface GraphSample {
  numNodes: number;
  /** Edge sources j of the directed edges j → i (both directions listed for an undirected graph). */
  src: ArrayLike<number>;
  /** Edge targets i, same length as `src`. */
  dst: ArrayLike<number>;
  /** Node features [numNodes, F] flattened (e.g. atom type and chirality: F = 2). */
  x?: ArrayLike<number>;
  /** Edge features [E, K] flattened, in edge-list order (e.g. bond type and direction: K = 2). */
  edgeAttr?: ArrayLike<number>;
  /** Graph-level targets [T] (e.g. one label per task). */
  y?: ArrayLike<number>;
}

export interface CollateOptions {
  /** dtype of `x` (default: int32 if the first graph's `x` is an Int32Array, else float32). */
  xDtype?: 'int32' | 'float32';
  /** dtype of `edgeAttr` (default: as `xDtype`'s rule, for the first `edgeAttr`). */
  edgeAttrDtype?: 'int32' | 'float32';
  /** Width of `x` when no graph has a node to infer it from (default 0). */
  xWidth?: number;
  /** Width of `edgeAttr` when no graph has an edge to infer it from (e.g. 2 for a batch of single atoms). */
  edgeAttrWidth?: number;
}

/**
 * A batch of graphs. Tensors are owned by the batch (`dispose()` frees them); the offsets are
 * also kept as JS arrays for code that slices results per graph.
 */
export class GraphBatch {
  constructor(
    readonly numGraphs: number,
    /** Node offsets: graph g owns nodes nodePtr[g] … nodePtr[g+1]−1 (PyG's `ptr`), length numGraphs + 1. */
    readonly nodePtr: Int32Array,
    /** Edge offsets, likewise. */
    readonly edgePtr: Int32Array,
    /** Graph id of every node, [N]. */
    readonly batchIds: Int32Array,
    /** [2, E] int32, ids shifted into the union. */
    readonly edgeIndex: tf.Tensor2D,
    /** [N] int32 graph id per node. */
    readonly batch: tf.Tensor1D,
    readonly x: tf.Tensor2D | null,
    readonly edgeAttr: tf.Tensor2D | null,
    /** [numGraphs, T] float32. */
    readonly y: tf.Tensor2D | null,
  ) {}

  get numNodes(): number {
    return this.batchIds.length;
  }

  get numEdges(): number {
    return this.edgeIndex.shape[1];
  }

  /** Nodes per graph. */
  graphSizes(): number[] {
    return Array.from({ length: this.numGraphs }, (_, g) => this.nodePtr[g + 1]! - this.nodePtr[g]!);
  }

  dispose(): void {
    tf.dispose([this.edgeIndex, this.batch, ...[this.x, this.edgeAttr, this.y].filter((t): t is tf.Tensor2D => t !== null)]);
  }
}

function widthOf(what: string, len: number, rows: number, g: number): number {
  if (rows === 0) {
    if (len !== 0) throw new Error(`collate: graph ${g} has no ${what === 'x' ? 'nodes' : 'edges'} but ${len} ${what} values`);
    return -1;
  }
  if (len % rows !== 0) throw new Error(`collate: graph ${g}: ${len} ${what} values is not a multiple of ${rows} rows`);
  return len / rows;
}

function widthMismatch(asked: number, found: number): boolean {
  return asked > 0 && asked !== found;
}

/** Concatenate per-graph feature arrays into one [rows, width] tensor, checking that widths agree. */
function stack(what: string, parts: Array<ArrayLike<number> | undefined>, rows: number[], dtype: 'int32' | 'float32', fallbackWidth = 0): tf.Tensor2D | null {
  const present = parts.filter((p) => p !== undefined).length;
  if (present === 0) return null;
  if (present !== parts.length) throw new Error(`collate: some graphs have ${what} and some do not`);
  let width = -1;
  parts.forEach((p, g) => {
    const w = widthOf(what, p!.length, rows[g]!, g);
    if (w < 0) return;
    if (width >= 0 && w !== width) throw new Error(`collate: graph ${g} has ${what} width ${w}, earlier graphs ${width}`);
    width = w;
  });
  const total = rows.reduce((a, b) => a + b, 0);
  if (width < 0) width = fallbackWidth;
  else if (widthMismatch(fallbackWidth, width)) throw new Error(`collate: ${what} has width ${width}, but ${fallbackWidth} was asked for`);
  const data = dtype === 'int32' ? new Int32Array(total * width) : new Float32Array(total * width);
  let at = 0;
  for (const p of parts) {
    data.set(p instanceof Int32Array || p instanceof Float32Array ? p : Array.from(p!), at);
    at += p!.length;
  }
  return tf.tensor2d(data, [total, width], dtype);
}

/** The disjoint union of `graphs` as one `GraphBatch`. */
export function collate(graphs: GraphSample[], opts: CollateOptions = {}): GraphBatch {
  const G = graphs.length;
  const nodePtr = new Int32Array(G + 1);
  const edgePtr = new Int32Array(G + 1);
  graphs.forEach((g, k) => {
    if (!(Number.isInteger(g.numNodes) && g.numNodes >= 0)) throw new Error(`collate: graph ${k} has numNodes ${g.numNodes}`);
    if (g.src.length !== g.dst.length) throw new Error(`collate: graph ${k} has ${g.src.length} sources but ${g.dst.length} targets`);
    nodePtr[k + 1] = nodePtr[k]! + g.numNodes;
    edgePtr[k + 1] = edgePtr[k]! + g.src.length;
  });
  const N = nodePtr[G]!;
  const E = edgePtr[G]!;
  const ei = new Int32Array(2 * E);
  const batchIds = new Int32Array(N);
  graphs.forEach((g, k) => {
    const off = nodePtr[k]!;
    const e0 = edgePtr[k]!;
    batchIds.fill(k, off, nodePtr[k + 1]!);
    for (let e = 0; e < g.src.length; e++) {
      const s = g.src[e]!;
      const d = g.dst[e]!;
      if (!(Number.isInteger(s) && Number.isInteger(d) && s >= 0 && d >= 0 && s < g.numNodes && d < g.numNodes)) {
        throw new Error(`collate: graph ${k} edge ${e} (${s} → ${d}) is outside its ${g.numNodes} nodes`);
      }
      ei[e0 + e] = s + off;
      ei[E + e0 + e] = d + off;
    }
  });
  const first = <K extends 'x' | 'edgeAttr'>(key: K): ArrayLike<number> | undefined => graphs.find((g) => g[key] !== undefined)?.[key];
  const xDtype = opts.xDtype ?? (first('x') instanceof Int32Array ? 'int32' : 'float32');
  const eDtype = opts.edgeAttrDtype ?? (first('edgeAttr') instanceof Int32Array ? 'int32' : 'float32');
  const sizes = graphs.map((g) => g.numNodes);
  const edgeCounts = graphs.map((g) => g.src.length);
  const x = stack(
    'x',
    graphs.map((g) => g.x),
    sizes,
    xDtype,
    opts.xWidth,
  );
  const edgeAttr = stack(
    'edgeAttr',
    graphs.map((g) => g.edgeAttr),
    edgeCounts,
    eDtype,
    opts.edgeAttrWidth,
  );
  const y = stack(
    'y',
    graphs.map((g) => g.y),
    graphs.map(() => 1),
    'float32',
  );
  return new GraphBatch(G, nodePtr, edgePtr, batchIds, tf.tensor2d(ei, [2, E], 'int32'), tf.tensor1d(batchIds, 'int32'), x, edgeAttr, y);
}
