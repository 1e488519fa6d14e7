/**
 * ILF analysis in the spirit of Snorkel's `LFAnalysis`, adapted to label spaces that differ
 * between ILFs: per ILF its coverage (rows where it does not abstain), overlaps (rows where it
 * and at least one other ILF vote), conflicts (rows where another ILF votes a label that the
 * graph says is *exclusive* with this ILF's vote — different labels need not disagree in WIS),
 * and, when gold desired labels are given, its consistency: the share of its votes that are not
 * exclusive with the gold desired label (the WIS analogue of empirical accuracy).
 */
import type { LabelGraph } from './relations.js';

/** Statistics of one ILF. */
export interface IlfStats {
  ilf: number;
  labels: string[];
  coverage: number;
  overlaps: number;
  conflicts: number;
  /** Share of votes compatible with gold (null without gold). */
  consistency: number | null;
  /** How often each label of its set is output (fraction of rows). */
  outputShare: number[];
}

/** Split-level summary plus per-ILF statistics. */
export interface LfAnalysis {
  rows: number;
  /** Rows with at least one vote. */
  coverage: number;
  /** Rows with two or more votes. */
  overlap: number;
  /** Rows with two exclusive votes. */
  conflict: number;
  perIlf: IlfStats[];
}

/** Analyse ILF outputs `L` (global label ids, -1 = abstain; n × nIlf) of one split. */
export function analyseIlfs(L: Int32Array, n: number, ilfs: readonly (readonly number[])[], graph: LabelGraph, desired: readonly number[], y?: Int32Array): LfAnalysis {
  const J = ilfs.length;
  const cov = new Float64Array(J);
  const ovl = new Float64Array(J);
  const con = new Float64Array(J);
  const ok = new Float64Array(J);
  const share = ilfs.map((s) => new Float64Array(s.length));
  let anyVote = 0;
  let multi = 0;
  let conflictRows = 0;
  const exclusive = (a: number, b: number): boolean => a !== b && graph.relation(a, b) === 'exclusive';
  for (let i = 0; i < n; i++) {
    const row = L.subarray(i * J, (i + 1) * J);
    let votes = 0;
    for (let j = 0; j < J; j++) if (row[j]! >= 0) votes++;
    if (votes > 0) anyVote++;
    if (votes > 1) multi++;
    let rowConflict = false;
    for (let j = 0; j < J; j++) {
      const a = row[j]!;
      if (a < 0) continue;
      cov[j]!++;
      share[j]![ilfs[j]!.indexOf(a)]!++;
      if (votes > 1) ovl[j]!++;
      let c = false;
      for (let j2 = 0; j2 < J; j2++) if (j2 !== j && row[j2]! >= 0 && exclusive(a, row[j2]!)) c = true;
      if (c) {
        con[j]!++;
        rowConflict = true;
      }
      if (y && graph.relation(a, desired[y[i]!]!) !== 'exclusive') ok[j]!++;
    }
    if (rowConflict) conflictRows++;
  }
  const perIlf: IlfStats[] = ilfs.map((set, j) => ({
    ilf: j,
    labels: set.map((l) => graph.labels[l]!),
    coverage: cov[j]! / n,
    overlaps: ovl[j]! / n,
    conflicts: con[j]! / n,
    consistency: y ? (cov[j]! > 0 ? ok[j]! / cov[j]! : NaN) : null,
    outputShare: Array.from(share[j]!, (v) => v / n),
  }));
  return { rows: n, coverage: anyVote / n, overlap: multi / n, conflict: conflictRows / n, perIlf };
}
