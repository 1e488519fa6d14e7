/**
 * The factor graphs of PLRM and LFPGM (official `wis/model/pgm.py`) and their φ tables.
 *
 * Nodes: the desired label Y ∈ {0..k-1}; for PLRM one binary node Z_s per seen label s (a
 * non-desired label in some ILF's label set); one categorical node λ_j per ILF (its label set,
 * plus "abstain" when the ILF abstains in the training data). A *label state* is s = (y, z),
 * numbered y·2^m + Σ_i z_i·2^i, so there are k·2^m of them.
 *
 * Factors (p ∝ exp Σ_f θ_f φ_f); write 1[l] for [Y = l] (desired l) or Z_l (seen l):
 * - relation (PLRM only), for every decided pair of model labels on different nodes:
 *   exclusive φ = −1[a]·1[b]; overlap φ = +1[a]·1[b]; subsuming (a ⊇ b) φ = −(1−1[a])·1[b];
 *   subsumed (a ⊆ b) φ = −1[a]·(1−1[b]); equal (not used by the official code, which
 *   has no equal pairs) φ = −[1[a] ≠ 1[b]];
 * - accuracy (PLRM), per ILF j and label l of its set: φ = [ [λ_j = l] = Z_l ];
 * - pseudo-accuracy, per ILF j, seen label l of its set and desired c whose relation to l is
 *   decided and not exclusive ("desired mappings"): φ = [ [λ_j = l] = [Y = c] ].
 * ILF factors are 0 when λ_j abstains. LFPGM keeps only the pseudo-accuracy factors.
 * Factor order (PLRM): relation factors by label pair, then per ILF and per label its accuracy
 * factor followed by its pseudo-accuracy factors in desired order — as the official code,
 * except that the official code orders mappings by their position in the relation list.
 */
import type { LabelGraph, Relation } from './relations.js';

/** Which label model a spec describes. */
export type PgmKind = 'PLRM' | 'LFPGM';

/** One factor of the graph. */
export type Factor =
  | { kind: 'relation'; a: number; b: number; relation: Relation }
  | { kind: 'accuracy'; ilf: number; local: number; label: number }
  | { kind: 'pseudo'; ilf: number; local: number; label: number; desired: number };

/** The structure of a PLRM or LFPGM label model (no weights). */
export interface PgmSpec {
  kind: PgmKind;
  /** Number of desired labels k. */
  k: number;
  /** Desired labels (global label ids), in output order. */
  desired: number[];
  /** Seen labels with a binary node (PLRM), in node order; empty for LFPGM. */
  seen: number[];
  /** Label set of each ILF (global label ids). */
  ilfLabels: number[][];
  /** Whether each ILF has an "abstain" value in the joint model. */
  abstains: boolean[];
  factors: Factor[];
}

/** Most label states (k·2^m) the exact model enumerates. */
export const MAX_LABEL_STATES = 1 << 18;

/** Desired labels c (positions) whose decided relation to label l is not exclusive. */
export function desiredMappings(graph: LabelGraph, desired: readonly number[], label: number): number[] {
  const out: number[] = [];
  desired.forEach((d, c) => {
    const r = graph.relation(label, d);
    if (r !== null && r !== 'exclusive') out.push(c);
  });
  return out;
}

/** Build the PLRM factor graph for a task's label structure. */
export function buildPlrmSpec(graph: LabelGraph, desired: readonly number[], ilfs: readonly (readonly number[])[], abstains: readonly boolean[]): PgmSpec {
  const desiredSet = new Set(desired);
  const seen: number[] = [];
  for (const set of ilfs) for (const l of set) if (!desiredSet.has(l) && !seen.includes(l)) seen.push(l);
  seen.sort((a, b) => a - b);
  const k = desired.length;
  if (k * 2 ** seen.length > MAX_LABEL_STATES) {
    throw new RangeError(`PLRM would enumerate ${k}·2^${seen.length} label states (more than ${MAX_LABEL_STATES}); reduce the number of distinct seen labels`);
  }
  const modelLabels = [...desired, ...seen].sort((a, b) => a - b);
  const factors: Factor[] = [];
  for (let x = 0; x < modelLabels.length; x++) {
    for (let y = x + 1; y < modelLabels.length; y++) {
      const a = modelLabels[x]!;
      const b = modelLabels[y]!;
      if (desiredSet.has(a) && desiredSet.has(b)) continue; // same node Y: exclusive by construction
      const r = graph.relation(a, b);
      if (r !== null) factors.push({ kind: 'relation', a, b, relation: r });
    }
  }
  ilfs.forEach((set, j) => {
    set.forEach((label, local) => {
      factors.push({ kind: 'accuracy', ilf: j, local, label });
      for (const c of desiredMappings(graph, desired, label)) factors.push({ kind: 'pseudo', ilf: j, local, label, desired: c });
    });
  });
  return { kind: 'PLRM', k, desired: [...desired], seen, ilfLabels: ilfs.map((s) => [...s]), abstains: [...abstains], factors };
}

/** Build the LFPGM factor graph (desired node and ILF nodes, pseudo-accuracy factors only). */
export function buildLfpgmSpec(graph: LabelGraph, desired: readonly number[], ilfs: readonly (readonly number[])[], abstains: readonly boolean[]): PgmSpec {
  const factors: Factor[] = [];
  ilfs.forEach((set, j) => {
    set.forEach((label, local) => {
      for (const c of desiredMappings(graph, desired, label)) factors.push({ kind: 'pseudo', ilf: j, local, label, desired: c });
    });
  });
  return { kind: 'LFPGM', k: desired.length, desired: [...desired], seen: [], ilfLabels: ilfs.map((s) => [...s]), abstains: [...abstains], factors };
}

/** Initial weights as in the official code: LFPGM θ = 1; PLRM relations 0, accuracy 1, pseudo-accuracy from LFPGM. */
export function initialTheta(spec: PgmSpec, lfpgm?: { spec: PgmSpec; theta: Float64Array }): Float64Array {
  const theta = new Float64Array(spec.factors.length);
  const fromLf = new Map<string, number>();
  if (lfpgm) lfpgm.spec.factors.forEach((f, i) => fromLf.set(factorKey(f), lfpgm.theta[i]!));
  spec.factors.forEach((f, i) => {
    if (spec.kind === 'LFPGM') theta[i] = 1;
    else if (f.kind === 'relation') theta[i] = 0;
    else if (f.kind === 'accuracy') theta[i] = 1;
    else theta[i] = fromLf.get(factorKey(f)) ?? 1;
  });
  return theta;
}

/** A key identifying a factor across models (the warm start matches factors by it, not by position). */
export function factorKey(f: Factor): string {
  if (f.kind === 'relation') return `rel:${f.a}:${f.b}:${f.relation}`;
  if (f.kind === 'accuracy') return `acc:${f.ilf}:${f.local}`;
  return `pseudo:${f.ilf}:${f.local}:${f.desired}`;
}

/** Human-readable description of a factor, using label names. */
export function describeFactor(f: Factor, labels: readonly string[], desired: readonly number[]): string {
  if (f.kind === 'relation') return `${labels[f.a]} ${f.relation} ${labels[f.b]}`;
  if (f.kind === 'accuracy') return `ILF ${f.ilf} accuracy on ${labels[f.label]}`;
  return `ILF ${f.ilf}: ${labels[f.label]} → ${labels[desired[f.desired]!]}`;
}

/**
 * A spec with its φ tables. Float64 throughout: the model is small (k·2^m label states) and
 * the exactness tests compare against brute force to 1e-9.
 */
export class CompiledPgm {
  readonly spec: PgmSpec;
  /** Label states k·2^m. */
  readonly nStates: number;
  /** Seen-label node count m. */
  readonly m: number;
  /** Number of ILFs. */
  readonly nIlf: number;
  /** Values of each ILF node excluding abstain (= its label-set size). */
  readonly nValues: number[];
  /** Indices (into spec.factors) of relation factors. */
  readonly relIdx: Int32Array;
  /** φ of relation factors: relPhi[r * S + s]. */
  readonly relPhi: Float64Array;
  /** Per ILF, indices of its factors. */
  readonly ilfIdx: Int32Array[];
  /** Per ILF, φ[f * S * V + s * V + v] for non-abstain values v. */
  readonly ilfPhi: Float64Array[];
  /** Desired position of each label state. */
  readonly stateY: Int32Array;
  /** Map from global label id to local value, per ILF. */
  readonly localOf: Map<number, number>[];

  constructor(spec: PgmSpec) {
    this.spec = spec;
    const m = spec.seen.length;
    this.m = m;
    const S = spec.k * 2 ** m;
    this.nStates = S;
    this.nIlf = spec.ilfLabels.length;
    this.nValues = spec.ilfLabels.map((s) => s.length);
    this.localOf = spec.ilfLabels.map((s) => new Map(s.map((l, i) => [l, i])));
    this.stateY = new Int32Array(S);
    for (let s = 0; s < S; s++) this.stateY[s] = s >> m;
    const desiredPos = new Map(spec.desired.map((d, c) => [d, c]));
    const seenPos = new Map(spec.seen.map((l, i) => [l, i]));
    // Indicator of a label in a state: [Y = c] for desired, Z_i for seen.
    const ind = (label: number, s: number): number => {
      const c = desiredPos.get(label);
      if (c !== undefined) return s >> m === c ? 1 : 0;
      const i = seenPos.get(label);
      if (i === undefined) throw new Error(`label ${label} has no node in the ${spec.kind} graph`);
      return (s >> i) & 1;
    };
    const rel: number[] = [];
    const perIlf: number[][] = spec.ilfLabels.map(() => []);
    spec.factors.forEach((f, i) => {
      if (f.kind === 'relation') rel.push(i);
      else perIlf[f.ilf]!.push(i);
    });
    this.relIdx = Int32Array.from(rel);
    this.relPhi = new Float64Array(rel.length * S);
    rel.forEach((fi, r) => {
      const f = spec.factors[fi] as Extract<Factor, { kind: 'relation' }>;
      for (let s = 0; s < S; s++) {
        const a = ind(f.a, s);
        const b = ind(f.b, s);
        let phi: number;
        switch (f.relation) {
          case 'exclusive':
            phi = -(a * b);
            break;
          case 'overlap':
            phi = a * b;
            break;
          case 'subsuming':
            phi = -((1 - a) * b);
            break;
          case 'subsumed':
            phi = -(a * (1 - b));
            break;
          case 'equal':
            phi = a === b ? 0 : -1;
            break;
        }
        this.relPhi[r * S + s] = phi;
      }
    });
    this.ilfIdx = perIlf.map((a) => Int32Array.from(a));
    this.ilfPhi = perIlf.map((idx, j) => {
      const V = this.nValues[j]!;
      const t = new Float64Array(idx.length * S * V);
      idx.forEach((fi, r) => {
        const f = spec.factors[fi]!;
        if (f.kind === 'relation') return;
        for (let s = 0; s < S; s++) {
          const truth = f.kind === 'accuracy' ? ind(f.label, s) : s >> m === f.desired ? 1 : 0;
          for (let v = 0; v < V; v++) t[(r * S + s) * V + v] = (v === f.local ? 1 : 0) === truth ? 1 : 0;
        }
      });
      return t;
    });
  }

  /** Number of weights. */
  get nFactors(): number {
    return this.spec.factors.length;
  }

  /**
   * Potential tables for weights θ: R[s] = Σ_rel θφ(s); T_j[s·V+v] = Σ_{f∈j} θφ(s,v);
   * A_j[s] = log Σ_v exp T_j[s,v] (including abstain, whose potential is 0, when the ILF abstains).
   */
  tables(theta: Float64Array): { R: Float64Array; T: Float64Array[]; A: Float64Array[] } {
    const S = this.nStates;
    const R = new Float64Array(S);
    for (let r = 0; r < this.relIdx.length; r++) {
      const w = theta[this.relIdx[r]!]!;
      if (w === 0) continue;
      const off = r * S;
      for (let s = 0; s < S; s++) R[s]! += w * this.relPhi[off + s]!;
    }
    const T: Float64Array[] = [];
    const A: Float64Array[] = [];
    for (let j = 0; j < this.nIlf; j++) {
      const V = this.nValues[j]!;
      const SV = S * V;
      const t = new Float64Array(SV);
      const idx = this.ilfIdx[j]!;
      const phi = this.ilfPhi[j]!;
      for (let r = 0; r < idx.length; r++) {
        const w = theta[idx[r]!]!;
        if (w === 0) continue;
        const off = r * SV;
        for (let x = 0; x < SV; x++) t[x]! += w * phi[off + x]!;
      }
      const a = new Float64Array(S);
      const ab = this.spec.abstains[j]!;
      for (let s = 0; s < S; s++) {
        let mx = ab ? 0 : -Infinity;
        for (let v = 0; v < V; v++) mx = Math.max(mx, t[s * V + v]!);
        let sum = ab ? Math.exp(-mx) : 0;
        for (let v = 0; v < V; v++) sum += Math.exp(t[s * V + v]! - mx);
        a[s] = mx + Math.log(sum);
      }
      T.push(t);
      A.push(a);
    }
    return { R, T, A };
  }

  /**
   * Encode ILF outputs (global label ids, -1 = abstain) as local values (-1 = abstain), row-major
   * n × nIlf. A label outside an ILF's set is an error (the task loader already rejects it).
   */
  encode(L: Int32Array, n: number): Int32Array {
    const J = this.nIlf;
    const out = new Int32Array(n * J);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < J; j++) {
        const g = L[i * J + j]!;
        if (g === -1) {
          out[i * J + j] = -1;
          continue;
        }
        const v = this.localOf[j]!.get(g);
        if (v === undefined) throw new RangeError(`row ${i}: ILF ${j} output label ${g}, outside its label set`);
        out[i * J + j] = v;
      }
    }
    return out;
  }
}

/** Distinct rows of an encoded output matrix with their counts (likelihood and inference cache). */
export interface Patterns {
  /** Distinct rows, row-major U × nIlf (local values, -1 = abstain). */
  codes: Int32Array;
  /** How many input rows each pattern stands for. */
  counts: Float64Array;
  /** Pattern index of each input row. */
  rowPattern: Int32Array;
  U: number;
}

/** Group identical rows (the official code caches by pattern the same way). */
export function patterns(codes: Int32Array, n: number, J: number): Patterns {
  const index = new Map<string, number>();
  const rowPattern = new Int32Array(n);
  const uniq: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = codes.subarray(i * J, (i + 1) * J);
    const key = row.join(',');
    let u = index.get(key);
    if (u === undefined) {
      u = counts.length;
      index.set(key, u);
      counts.push(0);
      for (let j = 0; j < J; j++) uniq.push(row[j]!);
    }
    counts[u]!++;
    rowPattern[i] = u;
  }
  return { codes: Int32Array.from(uniq), counts: Float64Array.from(counts), rowPattern, U: counts.length };
}
