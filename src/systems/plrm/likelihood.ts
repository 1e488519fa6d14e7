/**
 * Exact marginal likelihood of the ILF outputs under PLRM/LFPGM, factorised over label states.
 *
 * ILF nodes only touch label nodes, so with label state s = (y, z):
 *   log Z        = logsumexp_s [ R[s] + Σ_j A_j[s] ],   A_j[s] = logsumexp_v T_j[s, v]
 *   log p(λ_i)   = logsumexp_s [ R[s] + Σ_j T_j[s, λ_ij] ] − log Z
 * (an abstaining ILF contributes 0). The gradient of the mean log-likelihood is
 *   E_{p(s | λ_i)}[φ] − E_{p(s, λ)}[φ],
 * the posterior term accumulated per distinct output pattern, the model term from
 * q(s) = p(s) and p(v | s) = exp(T_j[s, v] − A_j[s]).
 *
 * Why plain Float64Array loops instead of tensors: the whole model is a few hundred label
 * states × tens of ILFs (96 × 10 for the ImageNet tasks), so one evaluation is ~10^6
 * multiply-adds on ≤ a few thousand distinct patterns — well under a millisecond of dispatch per
 * op would dominate on tfjs, and float32 cannot meet the 1e-9 exactness the tests demand.
 */
import type { CompiledPgm, Patterns } from './factor_graph.js';

function logSumExp(a: Float64Array, n = a.length): number {
  let mx = -Infinity;
  for (let i = 0; i < n; i++) if (a[i]! > mx) mx = a[i]!;
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[i]! - mx);
  return mx + Math.log(s);
}

/** The exact mean log-likelihood of a fixed set of output patterns, with its gradient. */
export class ExactLikelihood {
  readonly model: CompiledPgm;
  readonly pats: Patterns;
  private readonly total: number;

  constructor(model: CompiledPgm, pats: Patterns) {
    this.model = model;
    this.pats = pats;
    let t = 0;
    for (let u = 0; u < pats.U; u++) t += pats.counts[u]!;
    this.total = t;
  }

  /**
   * Mean log-likelihood (1/n) Σ_i log p(λ_i) at θ. When `grad` is given it receives the gradient
   * of that mean with respect to θ (same length as θ).
   */
  evaluate(theta: Float64Array, grad?: Float64Array): number {
    const M = this.model;
    const S = M.nStates;
    const J = M.nIlf;
    const { R, T, A } = M.tables(theta);
    const { base, logZ } = stateLogPartition(R, A, S, J);
    const { codes, counts, U } = this.pats;
    const score = new Float64Array(S);
    const Pbar = grad ? new Float64Array(S) : null;
    const D = grad ? M.nValues.map((V) => new Float64Array(S * V)) : null;
    let ll = 0;
    for (let u = 0; u < U; u++) {
      score.set(R);
      for (let j = 0; j < J; j++) {
        const v = codes[u * J + j]!;
        if (v < 0) continue;
        const V = M.nValues[j]!;
        const t = T[j]!;
        for (let s = 0; s < S; s++) score[s]! += t[s * V + v]!;
      }
      const lse = logSumExp(score);
      const w = counts[u]!;
      ll += w * (lse - logZ);
      if (Pbar && D) {
        const scale = w / this.total;
        for (let s = 0; s < S; s++) {
          const p = Math.exp(score[s]! - lse) * scale;
          score[s] = p;
          Pbar[s]! += p;
        }
        for (let j = 0; j < J; j++) {
          const v = codes[u * J + j]!;
          if (v < 0) continue;
          const V = M.nValues[j]!;
          const d = D[j]!;
          for (let s = 0; s < S; s++) d[s * V + v]! += score[s]!;
        }
      }
    }
    if (grad && Pbar && D) {
      grad.fill(0);
      const q = new Float64Array(S);
      for (let s = 0; s < S; s++) q[s] = Math.exp(base[s]! - logZ);
      for (let r = 0; r < M.relIdx.length; r++) {
        let g = 0;
        const off = r * S;
        for (let s = 0; s < S; s++) g += M.relPhi[off + s]! * (Pbar[s]! - q[s]!);
        grad[M.relIdx[r]!] = g;
      }
      for (let j = 0; j < J; j++) {
        const V = M.nValues[j]!;
        const SV = S * V;
        // G[s, v] = data term − model term
        const G = D[j]!;
        const t = T[j]!;
        const a = A[j]!;
        for (let s = 0; s < S; s++) {
          const qs = q[s]!;
          for (let v = 0; v < V; v++) G[s * V + v]! -= qs * Math.exp(t[s * V + v]! - a[s]!);
        }
        const idx = M.ilfIdx[j]!;
        const phi = M.ilfPhi[j]!;
        for (let r = 0; r < idx.length; r++) {
          let g = 0;
          const off = r * SV;
          for (let x = 0; x < SV; x++) g += phi[off + x]! * G[x]!;
          grad[idx[r]!] = g;
        }
      }
    }
    return ll / this.total;
  }

  /**
   * Exact expectations for one output pattern u, as the official per-example step uses them:
   * `joint` = E_{p(s,λ)}[φ], `post` = E_{p(s | λ_u)}[φ].
   */
  expectations(theta: Float64Array, u: number): { joint: Float64Array; post: Float64Array } {
    const M = this.model;
    const S = M.nStates;
    const J = M.nIlf;
    const { R, T, A } = M.tables(theta);
    const { base, logZ } = stateLogPartition(R, A, S, J);
    const score = new Float64Array(S);
    score.set(R);
    const codes = this.pats.codes;
    for (let j = 0; j < J; j++) {
      const v = codes[u * J + j]!;
      if (v < 0) continue;
      const V = M.nValues[j]!;
      for (let s = 0; s < S; s++) score[s]! += T[j]![s * V + v]!;
    }
    const lse = logSumExp(score);
    const q = new Float64Array(S);
    const p = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      q[s] = Math.exp(base[s]! - logZ);
      p[s] = Math.exp(score[s]! - lse);
    }
    const joint = new Float64Array(M.nFactors);
    const post = new Float64Array(M.nFactors);
    for (let r = 0; r < M.relIdx.length; r++) {
      let gj = 0;
      let gp = 0;
      for (let s = 0; s < S; s++) {
        const phi = M.relPhi[r * S + s]!;
        gj += phi * q[s]!;
        gp += phi * p[s]!;
      }
      joint[M.relIdx[r]!] = gj;
      post[M.relIdx[r]!] = gp;
    }
    for (let j = 0; j < J; j++) {
      const V = M.nValues[j]!;
      const v = codes[u * J + j]!;
      const idx = M.ilfIdx[j]!;
      const phi = M.ilfPhi[j]!;
      for (let r = 0; r < idx.length; r++) {
        let gj = 0;
        let gp = 0;
        for (let s = 0; s < S; s++) {
          const off = (r * S + s) * V;
          for (let x = 0; x < V; x++) gj += q[s]! * Math.exp(T[j]![s * V + x]! - A[j]![s]!) * phi[off + x]!;
          if (v >= 0) gp += p[s]! * phi[off + v]!;
        }
        joint[idx[r]!] = gj;
        post[idx[r]!] = gp;
      }
    }
    return { joint, post };
  }
}

/**
 * Posterior p(Y = c | λ) for every row of an encoded output matrix (n × k, row-major), exact:
 * the seen-label nodes are summed out. Rows are computed once per distinct pattern.
 */
export function posterior(model: CompiledPgm, theta: Float64Array, pats: Patterns): Float64Array {
  const S = model.nStates;
  const J = model.nIlf;
  const k = model.spec.k;
  const perY = S / k;
  const { R, T } = model.tables(theta);
  const out = new Float64Array(pats.U * k);
  const score = new Float64Array(S);
  for (let u = 0; u < pats.U; u++) {
    score.set(R);
    for (let j = 0; j < J; j++) {
      const v = pats.codes[u * J + j]!;
      if (v < 0) continue;
      const V = model.nValues[j]!;
      const t = T[j]!;
      for (let s = 0; s < S; s++) score[s]! += t[s * V + v]!;
    }
    const lse = logSumExp(score);
    for (let s = 0; s < S; s++) out[u * k + Math.floor(s / perY)]! += Math.exp(score[s]! - lse);
  }
  const rows = pats.rowPattern.length;
  const full = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    const u = pats.rowPattern[i]!;
    for (let c = 0; c < k; c++) full[i * k + c] = out[u * k + c]!;
  }
  return full;
}

/**
 * Unnormalised log-weight of each label state with every ILF marginalised out
 * (base[s] = R[s] + Σ_j A[j][s]) and its log-partition function.
 */
function stateLogPartition(R: Float64Array, A: Float64Array[], S: number, J: number): { base: Float64Array; logZ: number } {
  const base = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let b = R[s]!;
    for (let j = 0; j < J; j++) b += A[j]![s]!;
    base[s] = b;
  }
  return { base, logZ: logSumExp(base) };
}
