/**
 * A featurised molecule set as six typed arrays (for caching, e.g. in safetensors): node and edge
 * arrays concatenated, with per-graph offsets. Node ids in `src` / `dst` stay local to their graph.
 */
import { InputError } from '../../util/errors.js';
import type { MolGraph } from './featurise.js';

/** Packed graphs: graph g owns nodes nodePtr[g] … nodePtr[g+1]−1 and edges edgePtr[g] … edgePtr[g+1]−1. */
export interface PackedGraphs {
  /** [N, 2] node features. */
  x: Int32Array;
  /** [E] local edge sources. */
  src: Int32Array;
  /** [E] local edge targets. */
  dst: Int32Array;
  /** [E, 2] edge features. */
  edgeAttr: Int32Array;
  /** [G + 1] node offsets. */
  nodePtr: Int32Array;
  /** [G + 1] edge offsets. */
  edgePtr: Int32Array;
}

/** Concatenate graphs into a {@link PackedGraphs}. */
export function packGraphs(graphs: readonly MolGraph[]): PackedGraphs {
  const nodePtr = new Int32Array(graphs.length + 1);
  const edgePtr = new Int32Array(graphs.length + 1);
  graphs.forEach((g, i) => {
    nodePtr[i + 1] = nodePtr[i]! + g.numNodes;
    edgePtr[i + 1] = edgePtr[i]! + g.src.length;
  });
  const N = nodePtr[graphs.length]!;
  const E = edgePtr[graphs.length]!;
  const p: PackedGraphs = { x: new Int32Array(2 * N), src: new Int32Array(E), dst: new Int32Array(E), edgeAttr: new Int32Array(2 * E), nodePtr, edgePtr };
  graphs.forEach((g, i) => {
    p.x.set(g.x, 2 * nodePtr[i]!);
    p.src.set(g.src, edgePtr[i]!);
    p.dst.set(g.dst, edgePtr[i]!);
    p.edgeAttr.set(g.edgeAttr, 2 * edgePtr[i]!);
  });
  return p;
}

/** Split a {@link PackedGraphs} back into graphs (copies; checks the array lengths and offsets). */
export function unpackGraphs(p: PackedGraphs, source = 'packed graphs'): MolGraph[] {
  const G = p.nodePtr.length - 1;
  const bad = (why: string): never => {
    throw new InputError(`corrupt packed molecule graphs: ${why}`, { file: source });
  };
  if (G < 0 || p.edgePtr.length !== G + 1) bad(`nodePtr has ${p.nodePtr.length} entries, edgePtr ${p.edgePtr.length}`);
  const N = p.nodePtr[G]!;
  const E = p.edgePtr[G]!;
  if (p.nodePtr[0] !== 0 || p.edgePtr[0] !== 0) bad('offsets do not start at 0');
  if (p.x.length !== 2 * N || p.src.length !== E || p.dst.length !== E || p.edgeAttr.length !== 2 * E) bad(`array lengths do not match ${N} nodes and ${E} edges`);
  const out: MolGraph[] = [];
  for (let g = 0; g < G; g++) {
    const n0 = p.nodePtr[g]!;
    const n1 = p.nodePtr[g + 1]!;
    const e0 = p.edgePtr[g]!;
    const e1 = p.edgePtr[g + 1]!;
    if (n1 < n0 || e1 < e0) bad(`offsets decrease at graph ${g}`);
    const n = n1 - n0;
    const src = p.src.slice(e0, e1);
    const dst = p.dst.slice(e0, e1);
    for (let k = 0; k < src.length; k++) if (src[k]! < 0 || src[k]! >= n || dst[k]! < 0 || dst[k]! >= n) bad(`graph ${g} has an edge outside its ${n} nodes`);
    out.push({ numNodes: n, src, dst, x: p.x.slice(2 * n0, 2 * n1), edgeAttr: p.edgeAttr.slice(2 * e0, 2 * e1) });
  }
  return out;
}
