/**
 * The official CPU fitting path: persistent-chain Gibbs sampling with one sweep per SGD step
 * (PCD-1; official `gibbs_sampling_statistics` with n_iter 1, burn-in 0). For one training
 * example the chain first clamps the ILF nodes to its outputs and sweeps the label nodes
 * (posterior statistics), then sweeps all nodes from there (model statistics); the step is
 * θ ← θ + η (posterior − model). Node order is shuffled every sweep, as in the official code.
 *
 * Conditionals come from the potential tables of `CompiledPgm`, so a sweep costs
 * O((k + 2m + Σ_j V_j) · nIlf) table look-ups.
 */
import type { Rng } from '../../util/random.js';
import type { CompiledPgm } from './factor_graph.js';

/** A persistent chain over (label state, ILF values); ILF value -1 = abstain. */
export class PcdChain {
  private readonly model: CompiledPgm;
  private readonly rng: Rng;
  /** Current label state. */
  state: number;
  /** Current ILF values (-1 = abstain). */
  readonly values: Int32Array;
  private readonly logits: Float64Array;

  constructor(model: CompiledPgm, rng: Rng) {
    this.model = model;
    this.rng = rng;
    this.state = rng.int(model.nStates);
    this.values = new Int32Array(model.nIlf);
    for (let j = 0; j < model.nIlf; j++) {
      const V = model.nValues[j]! + (model.spec.abstains[j] ? 1 : 0);
      const v = rng.int(V);
      this.values[j] = v === model.nValues[j] ? -1 : v;
    }
    this.logits = new Float64Array(Math.max(model.spec.k, 2, ...model.nValues.map((v) => v + 1)));
  }

  private score(s: number, R: Float64Array, T: Float64Array[]): number {
    const M = this.model;
    let x = R[s]!;
    for (let j = 0; j < M.nIlf; j++) {
      const v = this.values[j]!;
      if (v >= 0) x += T[j]![s * M.nValues[j]! + v]!;
    }
    return x;
  }

  private sample(n: number): number {
    const l = this.logits;
    let mx = -Infinity;
    for (let i = 0; i < n; i++) mx = Math.max(mx, l[i]!);
    let total = 0;
    for (let i = 0; i < n; i++) {
      l[i] = Math.exp(l[i]! - mx);
      total += l[i]!;
    }
    let u = this.rng.uniform() * total;
    for (let i = 0; i < n - 1; i++) {
      u -= l[i]!;
      if (u < 0) return i;
    }
    return n - 1;
  }

  /**
   * One Gibbs sweep in random node order. Nodes 0 = Y, 1..m = seen labels, then (when
   * `withIlfs`) m+1..m+nIlf = ILF nodes.
   */
  sweep(R: Float64Array, T: Float64Array[], withIlfs: boolean): void {
    const M = this.model;
    const m = M.m;
    const k = M.spec.k;
    const nNodes = 1 + m + (withIlfs ? M.nIlf : 0);
    const order = this.rng.permutation(nNodes);
    for (const node of order) {
      if (node === 0) {
        const z = this.state & ((1 << m) - 1);
        for (let y = 0; y < k; y++) this.logits[y] = this.score((y << m) | z, R, T);
        this.state = (this.sample(k) << m) | z;
      } else if (node <= m) {
        const bit = 1 << (node - 1);
        this.logits[0] = this.score(this.state & ~bit, R, T);
        this.logits[1] = this.score(this.state | bit, R, T);
        this.state = this.sample(2) === 1 ? this.state | bit : this.state & ~bit;
      } else {
        const j = node - m - 1;
        const V = M.nValues[j]!;
        const t = T[j]!;
        for (let v = 0; v < V; v++) this.logits[v] = t[this.state * V + v]!;
        const ab = M.spec.abstains[j]!;
        if (ab) this.logits[V] = 0;
        const v = this.sample(V + (ab ? 1 : 0));
        this.values[j] = v === V ? -1 : v;
      }
    }
  }

  /** Sufficient statistics φ of the current assignment (one entry per factor). */
  statistics(out: Float64Array): Float64Array {
    const M = this.model;
    const S = M.nStates;
    const s = this.state;
    out.fill(0);
    for (let r = 0; r < M.relIdx.length; r++) out[M.relIdx[r]!] = M.relPhi[r * S + s]!;
    for (let j = 0; j < M.nIlf; j++) {
      const v = this.values[j]!;
      if (v < 0) continue;
      const V = M.nValues[j]!;
      const idx = M.ilfIdx[j]!;
      const phi = M.ilfPhi[j]!;
      for (let r = 0; r < idx.length; r++) out[idx[r]!] = phi[(r * S + s) * V + v]!;
    }
    return out;
  }

  /**
   * One PCD-1 step for an example with encoded outputs `row` (local values, -1 = abstain):
   * returns the posterior and model statistics (written into the given buffers).
   */
  step(row: Int32Array, R: Float64Array, T: Float64Array[], post: Float64Array, joint: Float64Array): void {
    this.values.set(row);
    this.sweep(R, T, false);
    this.statistics(post);
    this.sweep(R, T, true);
    this.statistics(joint);
  }
}
