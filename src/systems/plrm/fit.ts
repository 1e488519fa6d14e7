/**
 * Fitting PLRM / LFPGM weights by maximum marginal likelihood of the ILF outputs, with model
 * selection (best validation macro-F1 after the label-permutation fix) on the *validation*
 * split. Three fitters:
 * - `exact` (default): full-batch Adam on the exact factorised likelihood (likelihood.ts);
 * - `exact-sgd`: the official exact path — per-example SGD with exact expectations, step 1/n,
 *   per-epoch decay 0.001^(1/epochs);
 * - `pcd`: the official CPU path — the same schedule with PCD-1 Gibbs statistics (gibbs.ts).
 * `nonNegative` clamps weights after every step: `all` is the official `project=True` (which
 * clamps the whole θ), `relations` clamps only the relation factors.
 */
import { Rng } from '../../util/random.js';
import type { CompiledPgm, Patterns } from './factor_graph.js';
import { ExactLikelihood, posterior } from './likelihood.js';
import { PcdChain } from './gibbs.js';
import { bestPermutation } from './predict.js';

/** Fitting options (defaults in {@link DEFAULT_FIT}). */
export interface FitOptions {
  /** `exact` (Adam on the exact likelihood), `exact-sgd` (official exact path) or `pcd` (official CPU path). */
  fitter: 'exact' | 'exact-sgd' | 'pcd';
  /** exact: Adam steps. */
  steps: number;
  /** exact: Adam learning rate. */
  lr: number;
  /** exact: validate every this many steps. */
  evalEvery: number;
  /** exact-sgd/pcd: epochs over the training rows (official 10). */
  epochs: number;
  /** exact-sgd/pcd: step size; -1 = 1/n (official). */
  stepSize: number;
  /** exact-sgd/pcd: per-epoch step decay; -1 = 0.001^(1/epochs) (official). */
  decay: number;
  /** exact-sgd/pcd: validate every this many SGD steps (official default 1). */
  interval: number;
  /** exact-sgd/pcd: stop after this many validations without improvement (official 10000). */
  patience: number;
  /** Clamp weights at 0 after each step: none (official default), relations, or all (official project=True). */
  nonNegative: 'none' | 'relations' | 'all';
  /** L2 pull towards `alpha`: the gradient gets −2·regWeight·(θ − alpha) (official reg_weight, alpha). */
  regWeight: number;
  alpha: number;
  /** Seed of the row shuffles and the Gibbs chain. */
  seed: number;
}

/** Default fitting options: the exact fitter with θ ≥ 0 and validation selection (docs/research/rec_ws.md §2e fast path). */
export const DEFAULT_FIT: FitOptions = {
  fitter: 'exact',
  steps: 300,
  lr: 0.05,
  evalEvery: 25,
  epochs: 10,
  stepSize: -1,
  decay: -1,
  interval: 100,
  patience: 10000,
  nonNegative: 'all',
  regWeight: 0,
  alpha: 1,
  seed: 42,
};

/** Validation data for model selection: encoded patterns and gold labels per row. */
export interface SelectionData {
  pats: Patterns;
  y: Int32Array;
}

/** One validation point during fitting. */
export interface FitHistoryPoint {
  step: number;
  /** Mean training log-likelihood (exact fitters only). */
  logLik?: number;
  validAccuracy?: number;
  validMacroF1?: number;
}

/** Result of a fit. */
export interface FitResult {
  theta: Float64Array;
  /** Column permutation chosen on validation (identity without validation data). */
  perm: number[];
  /** Step whose weights were kept. */
  bestStep: number;
  history: FitHistoryPoint[];
  /** Mean training log-likelihood of the kept weights (exact). */
  logLik: number;
}

function project(theta: Float64Array, model: CompiledPgm, mode: FitOptions['nonNegative']): void {
  if (mode === 'all') {
    for (let i = 0; i < theta.length; i++) if (theta[i]! < 0) theta[i] = 0;
  } else if (mode === 'relations') {
    for (const i of model.relIdx) if (theta[i]! < 0) theta[i] = 0;
  }
}

/**
 * Fit the weights of `model` on the training patterns, starting from `theta0`. With `valid`,
 * the weights (and label permutation) with the best validation macro-F1 over the initial point
 * and every validation step are kept; without it, the final weights and the identity.
 */
export function fitPgm(
  model: CompiledPgm,
  train: Patterns,
  theta0: Float64Array,
  valid: SelectionData | undefined,
  options: Partial<FitOptions> = {},
  onPoint?: (p: FitHistoryPoint) => void,
): FitResult {
  const o: FitOptions = { ...DEFAULT_FIT, ...options };
  const k = model.spec.k;
  const lik = new ExactLikelihood(model, train);
  const theta = Float64Array.from(theta0);
  project(theta, model, o.nonNegative);
  const history: FitHistoryPoint[] = [];
  const identity = Array.from({ length: k }, (_, i) => i);
  let best = { theta: Float64Array.from(theta), perm: identity, f1: -Infinity, step: 0 };
  let sinceBest = 0;
  const validate = (step: number, logLik?: number): void => {
    const point: FitHistoryPoint = { step, logLik };
    if (valid) {
      const probs = posterior(model, theta, valid.pats);
      const b = bestPermutation(probs, k, valid.y);
      point.validAccuracy = b.accuracy;
      point.validMacroF1 = b.macroF1;
      if (b.macroF1 > best.f1) {
        best = { theta: Float64Array.from(theta), perm: b.perm, f1: b.macroF1, step };
        sinceBest = 0;
      } else sinceBest++;
    }
    history.push(point);
    onPoint?.(point);
  };
  const ascent = (g: Float64Array): void => {
    if (o.regWeight !== 0) for (let i = 0; i < g.length; i++) g[i]! -= 2 * o.regWeight * (theta[i]! - o.alpha);
  };

  if (o.fitter === 'exact') {
    const grad = new Float64Array(theta.length);
    const m1 = new Float64Array(theta.length);
    const m2 = new Float64Array(theta.length);
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    validate(0, lik.evaluate(theta));
    for (let step = 1; step <= o.steps; step++) {
      const ll = lik.evaluate(theta, grad);
      ascent(grad);
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i]!;
        m1[i] = b1 * m1[i]! + (1 - b1) * g;
        m2[i] = b2 * m2[i]! + (1 - b2) * g * g;
        const mh = m1[i]! / (1 - b1 ** step);
        const vh = m2[i]! / (1 - b2 ** step);
        theta[i]! += (o.lr * mh) / (Math.sqrt(vh) + eps);
      }
      project(theta, model, o.nonNegative);
      if (step % o.evalEvery === 0 || step === o.steps) validate(step, step === o.steps ? lik.evaluate(theta) : ll);
    }
  } else {
    const rng = new Rng(o.seed);
    // Expand patterns back to rows so each epoch visits every training example once.
    const rows: number[] = [];
    for (let u = 0; u < train.U; u++) for (let c = 0; c < train.counts[u]!; c++) rows.push(u);
    const n = rows.length;
    let eta = o.stepSize === -1 ? 1 / n : o.stepSize;
    const decay = o.decay === -1 ? 0.001 ** (1 / o.epochs) : o.decay;
    const chain = o.fitter === 'pcd' ? new PcdChain(model, rng.fork()) : null;
    const post = new Float64Array(theta.length);
    const joint = new Float64Array(theta.length);
    const J = model.nIlf;
    validate(0);
    let step = 0;
    let stop = false;
    for (let epoch = 0; epoch < o.epochs && !stop; epoch++) {
      const order = rng.permutation(n);
      for (const r of order) {
        const u = rows[r]!;
        step++;
        if (chain) {
          const { R, T } = model.tables(theta);
          chain.step(train.codes.subarray(u * J, (u + 1) * J), R, T, post, joint);
        } else {
          const e = lik.expectations(theta, u);
          post.set(e.post);
          joint.set(e.joint);
        }
        const g = new Float64Array(theta.length);
        for (let i = 0; i < g.length; i++) g[i] = post[i]! - joint[i]!;
        ascent(g);
        for (let i = 0; i < g.length; i++) theta[i]! += eta * g[i]!;
        project(theta, model, o.nonNegative);
        if (valid && step % o.interval === 0) {
          validate(step);
          if (o.patience > 0 && sinceBest >= o.patience) {
            stop = true;
            break;
          }
        }
      }
      eta *= decay;
    }
    if (!valid) validate(step);
  }
  if (!valid) best = { theta: Float64Array.from(theta), perm: identity, f1: NaN, step: history[history.length - 1]?.step ?? 0 };
  return { theta: best.theta, perm: best.perm, bestStep: best.step, history, logLik: lik.evaluate(best.theta) };
}
