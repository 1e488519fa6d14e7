/**
 * Relation-aware majority votes (official `wis/model/majority_voting.py`):
 * - LRMV: a vote for seen label l counts one vote for every desired label whose relation to l is
 *   decided and not exclusive;
 * - ALRMV: a seen label subsumed by (or equal to) a desired label gives that label weight 1;
 *   the other non-exclusive desired labels share weight 1 between them.
 * The official code breaks ties with `np.random.choice` and returns one-hot rows; here the
 * probabilities are uniform over the tied maxima (a row with no usable vote is uniform), and
 * hard labels come from `probsToPreds`, whose fixed hash tie-break has the same distribution.
 * Inputs are global label ids (-1 = abstain), row-major n × nIlf.
 */
import type { LabelGraph } from './relations.js';

/** Per seen label: [desired position, weight] pairs. */
export type VoteMap = Map<number, Array<[number, number]>>;

/** LRMV's map: every non-exclusive desired label gets weight 1. */
export function lrmvMap(graph: LabelGraph, desired: readonly number[], ilfs: readonly (readonly number[])[]): VoteMap {
  const map: VoteMap = new Map();
  for (const set of ilfs) {
    for (const l of set) {
      if (map.has(l)) continue;
      const to: Array<[number, number]> = [];
      desired.forEach((d, c) => {
        const r = graph.relation(l, d);
        if (r !== null && r !== 'exclusive') to.push([c, 1]);
      });
      map.set(l, to);
    }
  }
  return map;
}

/** ALRMV's map: weight 1 to desired labels that contain l, the rest share 1 / count. */
export function alrmvMap(graph: LabelGraph, desired: readonly number[], ilfs: readonly (readonly number[])[]): VoteMap {
  const map: VoteMap = new Map();
  for (const set of ilfs) {
    for (const l of set) {
      if (map.has(l)) continue;
      const inside: number[] = [];
      const other: number[] = [];
      desired.forEach((d, c) => {
        const r = graph.relation(l, d);
        if (r === 'subsumed' || r === 'equal') inside.push(c);
        else if (r !== null && r !== 'exclusive') other.push(c);
      });
      map.set(l, [...inside.map((c): [number, number] => [c, 1]), ...other.map((c): [number, number] => [c, 1 / other.length])]);
    }
  }
  return map;
}

/** Vote totals → probabilities uniform over the maximal desired labels, n × k. */
export function majorityVote(L: Int32Array, n: number, nIlf: number, k: number, map: VoteMap): Float64Array {
  const out = new Float64Array(n * k);
  const votes = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    for (let j = 0; j < nIlf; j++) {
      const l = L[i * nIlf + j]!;
      if (l < 0) continue;
      for (const [c, w] of map.get(l) ?? []) votes[c]! += w;
    }
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, votes[c]!);
    let ties = 0;
    // Vote weights are multiples of 1/count; 1e-9 absorbs float error in ALRMV's shares.
    for (let c = 0; c < k; c++) if (votes[c]! >= mx - 1e-9) ties++;
    for (let c = 0; c < k; c++) out[i * k + c] = votes[c]! >= mx - 1e-9 ? 1 / ties : 0;
  }
  return out;
}
