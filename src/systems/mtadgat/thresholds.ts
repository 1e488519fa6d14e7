/**
 * Thresholds and point-adjusted evaluation, as the reference's `eval_methods.py` and `spot.py`
 * (which take them from OmniAnomaly, TelemAnom and Siffer et al.'s SPOT):
 *
 * - `findEpsilon`: Hundman et al.'s non-parametric threshold on *training* scores.
 * - `potThreshold`: peaks-over-threshold (SPOT) with a GPD fitted by Grimshaw's trick.
 * - `bfSearch`: the best point-adjusted F1 over a grid of thresholds on the *test* scores with
 *   their labels — an oracle, only comparable to other oracle numbers.
 * - `adjustPredicts`: point adjust (a detection anywhere in a labelled segment marks the segment
 *   from its start up to that point, and the rest while the alarm state holds).
 * - `calcPoint2Point`: precision/recall/F1 with the reference's +1e-5 in every denominator.
 *
 * All arithmetic is in float64; an alarm is `score > threshold`, as the reference.
 */
import { InputError } from '../../util/errors.js';
import { lbfgsb } from '../../optim/lbfgsb.js';

/** Point-wise counts and scores (the reference's `calc_point2point`). */
export interface Prf {
  f1: number;
  precision: number;
  recall: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** A threshold's evaluation: point-adjusted and raw (unadjusted) metrics. */
export interface ThresholdEvaluation {
  threshold: number;
  /** Point-adjusted metrics (what the reference reports). */
  adjusted: Prf;
  /** Mean number of points point-adjust added per detected segment (the reference's "latency"). */
  latency: number;
  /** Raw point-wise metrics of the same alarms, without point adjust. */
  raw: Prf;
}

function checkLengths(score: ArrayLike<number>, label: ArrayLike<number>): void {
  if (score.length !== label.length) throw new InputError(`scores (${score.length}) and labels (${label.length}) must have the same length`, { field: 'labels' });
}

/** Precision, recall and F1 of 0/1 predictions, with +1e-5 in each denominator as the reference. */
export function calcPoint2Point(predict: ArrayLike<number | boolean>, actual: ArrayLike<number>): Prf {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < actual.length; i++) {
    const p = predict[i] ? 1 : 0;
    const a = actual[i]!;
    tp += p * a;
    tn += (1 - p) * (1 - a);
    fp += p * (1 - a);
    fn += (1 - p) * a;
  }
  const precision = tp / (tp + fp + 0.00001);
  const recall = tp / (tp + fn + 0.00001);
  const f1 = (2 * precision * recall) / (precision + recall + 0.00001);
  return { f1, precision, recall, tp, tn, fp, fn };
}

/**
 * Point adjust (OmniAnomaly's `adjust_predicts`): alarms are `score > threshold` (or the given
 * `pred`); walking forward, the first alarm inside a labelled segment marks the segment back to its
 * start, and every later point of the segment is marked too. As the reference, the backward walk
 * stops before index 0 (`range(i, 0, -1)`), so a segment starting at index 0 keeps index 0 as is.
 * Returns the adjusted alarms and the latency (adjusted points per detected segment).
 */
export function adjustPredicts(score: ArrayLike<number> | null, label: ArrayLike<number>, threshold: number, pred?: ArrayLike<number | boolean>): { predict: Uint8Array; latency: number } {
  const n = label.length;
  const predict = new Uint8Array(n);
  if (pred !== undefined) {
    if (pred.length !== n) throw new InputError(`predictions (${pred.length}) and labels (${n}) must have the same length`, { field: 'labels' });
    for (let i = 0; i < n; i++) predict[i] = pred[i] ? 1 : 0;
  } else {
    if (score === null) throw new Error('adjustPredicts: give scores or predictions');
    checkLengths(score, label);
    for (let i = 0; i < n; i++) predict[i] = score[i]! > threshold ? 1 : 0;
  }
  let state = false;
  let count = 0;
  let latency = 0;
  for (let i = 0; i < n; i++) {
    const actual = label[i]! > 0.1;
    if (actual && predict[i] && !state) {
      state = true;
      count++;
      for (let j = i; j > 0; j--) {
        if (!(label[j]! > 0.1)) break;
        if (!predict[j]) {
          predict[j] = 1;
          latency++;
        }
      }
    } else if (!actual) {
      state = false;
    }
    if (state) predict[i] = 1;
  }
  return { predict, latency: latency / (count + 1e-4) };
}

/** Alarms `score > threshold`, evaluated with and without point adjust. */
export function evaluateThreshold(score: ArrayLike<number>, label: ArrayLike<number>, threshold: number): ThresholdEvaluation {
  checkLengths(score, label);
  const rawPred = new Uint8Array(score.length);
  for (let i = 0; i < score.length; i++) rawPred[i] = score[i]! > threshold ? 1 : 0;
  const { predict, latency } = adjustPredicts(null, label, threshold, rawPred);
  return { threshold, adjusted: calcPoint2Point(predict, label), latency, raw: calcPoint2Point(rawPred, label) };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

function std(a: ArrayLike<number>, m = mean(a)): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - m) ** 2;
  return Math.sqrt(s / a.length);
}

/**
 * Hundman et al.'s epsilon (TelemAnom, as the reference's `find_epsilon`): for z = 2.5, 3, …, 11.5,
 * ε = μ + zσ of `errors`; score(ε) = (Δμ/μ + Δσ/σ) / d after removing the values ≥ ε, with
 * d = 1, |A| or |A|² for regLevel 0, 1, 2, where A = indices ≥ ε widened by ±49. Candidates need
 * |A| < half the series; ties go to the larger z. Falls back to max(errors).
 */
export function findEpsilon(errors: ArrayLike<number>, regLevel: 0 | 1 | 2 = 1): number {
  const n = errors.length;
  if (n === 0) throw new InputError('find epsilon: no scores', { field: 'scores' });
  const m = mean(errors);
  const sd = std(errors, m);
  let best: number | null = null;
  let maxScore = -10000000;
  const mark = new Uint8Array(n);
  for (let zi = 0; zi < 19; zi++) {
    const z = 2.5 + 0.5 * zi;
    const eps = m + sd * z;
    let cnt = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) if (errors[i]! < eps) cnt++, (sum += errors[i]!);
    const pm = cnt > 0 ? sum / cnt : NaN;
    let ss = 0;
    for (let i = 0; i < n; i++) if (errors[i]! < eps) ss += (errors[i]! - pm) ** 2;
    const psd = cnt > 0 ? Math.sqrt(ss / cnt) : NaN;
    // |A|: union of [i − 49, i + 49] over the indices at or above ε, clipped to the series.
    mark.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (errors[i]! >= eps) {
        any = true;
        const lo = Math.max(0, i - 49);
        const hi = Math.min(n - 1, i + 49);
        for (let j = lo; j <= hi; j++) mark[j] = 1;
      }
    }
    if (!any) continue;
    let nA = 0;
    for (let i = 0; i < n; i++) nA += mark[i]!;
    const denom = regLevel === 0 ? 1 : regLevel === 1 ? nA : nA * nA;
    const score = ((m - pm) / m + (sd - psd) / sd) / denom;
    if (score >= maxScore && nA < n * 0.5) {
      maxScore = score;
      best = eps;
    }
  }
  if (best === null) {
    let mx = -Infinity;
    for (let i = 0; i < n; i++) mx = Math.max(mx, errors[i]!);
    return mx;
  }
  return best;
}

/** A fitted generalised Pareto tail: shape γ, scale σ and the log-likelihood of the peaks. */
export interface GpdFit {
  gamma: number;
  sigma: number;
  logLikelihood: number;
}

/**
 * How Grimshaw's equation is solved.
 * `reference`: as spot.py — L-BFGS-B on Σ w(x_i)² from 10 regular starting points per side, the
 * points where it stops are the candidates (often not roots: the optimiser stops on its gradient
 * tolerance), and γ = 0 is scored with the reference's log-likelihood n(1 + log Ȳ) (sign error
 * included). Matches the reference's thresholds (docs/research/timeseries.md §2.6 fixture).
 * `exact`: every sign change of w bracketed and bisected to machine precision, the exponential
 * case scored with its true log-likelihood −n(1 + log Ȳ), and only γ ≥ −1 (where the MLE exists).
 */
export type GrimshawSolver = 'reference' | 'exact';

/**
 * numpy's float64 `add.reduce` (pairwise summation, blocks of 128 unrolled by 8), so means
 * of the peaks round as the reference's do.
 */
function npSum(a: Float64Array, lo = 0, n = a.length): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[lo + i]!;
    return r;
  }
  if (n <= 128) {
    const r = [a[lo]!, a[lo + 1]!, a[lo + 2]!, a[lo + 3]!, a[lo + 4]!, a[lo + 5]!, a[lo + 6]!, a[lo + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[lo + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[lo + i]!;
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return npSum(a, lo, n2) + npSum(a, lo + n2, n - n2);
}

function npMean(a: Float64Array): number {
  return npSum(a) / a.length;
}

/** GPD(γ, σ, μ = 0) log-likelihood of the peaks; γ = 0 uses the exponential's −n(1 + log Ȳ). */
export function gpdLogLikelihood(y: ArrayLike<number>, gamma: number, sigma: number): number {
  const yy = Float64Array.from(y as ArrayLike<number>);
  const n = yy.length;
  if (gamma !== 0) {
    const tau = gamma / sigma;
    return -n * Math.log(sigma) - (1 + 1 / gamma) * npSum(yy.map((v) => Math.log(1 + tau * v)));
  }
  return -n * (1 + Math.log(npMean(yy)));
}

/**
 * Grimshaw's maximum-likelihood GPD fit (`SPOT._grimshaw`): the MLE has θ = γ/σ at a root of
 * w(θ) = u(θ)·v(θ) − 1, u = 1 + mean log(1 + θY), v = mean 1/(1 + θY), searched on
 * (−1/Y_max + 2ε, −ε) and (2(Ȳ − Y_min)/(Ȳ·Y_min), 2(Ȳ − Y_min)/Y_min²); each candidate θ gives
 * γ = u − 1, σ = γ/θ, and the one of largest log-likelihood wins over γ = 0 (σ = Ȳ).
 * See {@link GrimshawSolver} for how the candidates are found.
 */
export function grimshaw(peaks: ArrayLike<number>, solver: GrimshawSolver = 'reference', epsilon = 1e-8, nPoints = 10): GpdFit {
  const y = Float64Array.from(peaks as ArrayLike<number>);
  const n = y.length;
  if (n === 0) throw new Error('grimshaw: no peaks');
  let ym = Infinity;
  let yM = -Infinity;
  for (const v of y) {
    ym = Math.min(ym, v);
    yM = Math.max(yM, v);
  }
  const ymean = npMean(y);
  const buf = new Float64Array(n);
  const uOf = (t: number): number => {
    for (let i = 0; i < n; i++) buf[i] = Math.log(1 + t * y[i]!);
    return 1 + npMean(buf);
  };
  const vOf = (t: number, pow: 1 | 2): number => {
    for (let i = 0; i < n; i++) {
      const s = 1 + t * y[i]!;
      buf[i] = pow === 1 ? 1 / s : 1 / s ** 2;
    }
    return npMean(buf);
  };
  const w = (t: number): number => uOf(t) * vOf(t, 1) - 1;
  const jacW = (t: number): number => {
    const us = uOf(t);
    const vs = vOf(t, 1);
    const jacUs = (1 / t) * (1 - vs);
    const jacVs = (1 / t) * (-vs + vOf(t, 2));
    return us * jacVs + vs * jacUs;
  };
  let eps = epsilon;
  let a = -1 / yM;
  if (Math.abs(a) < 2 * eps) eps = Math.abs(a) / nPoints;
  a = a + eps;
  const b = (2 * (ymean - ym)) / (ymean * ym);
  const c = (2 * (ymean - ym)) / (ym * ym);
  const left: [number, number] = [a + eps, -eps];
  const right: [number, number] = [b, c];

  let zeros: number[];
  let best: GpdFit;
  if (solver === 'reference') {
    zeros = [...lbfgsbRoots(w, jacW, left, nPoints), ...lbfgsbRoots(w, jacW, right, nPoints)];
    // spot.py scores γ = 0 with n(1 + log Ȳ), the exponential log-likelihood with its sign flipped.
    best = { gamma: 0, sigma: ymean, logLikelihood: n * (1 + Math.log(ymean)) };
  } else {
    // spot.py's right interval starts at 2(Ȳ − Y_min)/(Ȳ·Y_min), which for small excesses
    // excludes the usual θ > 0 root; search all of (0, 2(Ȳ − Y_min)/Y_min²] instead, on grids
    // dense in log|θ| so that roots at any scale are bracketed.
    const lo = 1 / yM;
    const logGrid = (from: number, to: number, m: number): number[] => Array.from({ length: m + 1 }, (_, i) => from * (to / from) ** (i / m));
    const leftGrid = [...logGrid(1e-12 * lo, lo, 2000).map((d) => -d), ...logGrid(1e-12, 1, 1000).map((s2) => -lo * (1 - s2))].filter((t) => t > -lo && t < 0);
    const rightGrid = c > 0 ? logGrid(1e-12 * lo, c, 3000) : [];
    zeros = [...signChangeRoots(w, leftGrid), ...signChangeRoots(w, rightGrid)];
    // Near θ = 0, w(θ) ≈ cθ² is rounding noise: those "roots" are the exponential case itself.
    zeros = zeros.filter((z) => Math.abs(z) * yM > 1e-6);
    best = { gamma: 0, sigma: ymean, logLikelihood: gpdLogLikelihood(y, 0, ymean) };
  }
  for (const z of zeros) {
    const gamma = uOf(z) - 1;
    const sigma = gamma / z;
    if (solver === 'exact' && !(gamma >= -1)) continue;
    const ll = gpdLogLikelihood(y, gamma, sigma);
    if (ll > best.logLikelihood) best = { gamma, sigma, logLikelihood: ll };
  }
  return best;
}

/**
 * spot.py `_rootsFinder(method='regular')`: starting points np.arange(lo + step, hi, step) with
 * step = (hi − lo)/(nPoints + 1), L-BFGS-B on Σ w(x_i)² (analytic gradient 2 w w'), and the
 * sorted distinct points where it stops.
 */
function lbfgsbRoots(w: (t: number) => number, jac: (t: number) => number, bounds: [number, number], nPoints: number): number[] {
  const [lo, hi] = bounds;
  const step = (hi - lo) / (nPoints + 1);
  const start = lo + step;
  const len = Math.ceil((hi - start) / step);
  if (!(len > 0)) return [];
  // numpy's arange fills start + i·delta with delta = (start + step) − start.
  const delta = start + step - start;
  const x0 = Float64Array.from({ length: len }, (_, i) => start + i * delta);
  const res = lbfgsb(
    (x) => {
      let f = 0;
      const g = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const fx = w(x[i]!);
        f = f + fx ** 2;
        g[i] = 2 * fx * jac(x[i]!);
      }
      return { f, g };
    },
    x0,
    new Float64Array(len).fill(lo),
    new Float64Array(len).fill(hi),
  );
  return [...new Set(res.x)].sort((p, q) => p - q);
}

/** Roots of a continuous f bracketed by sign changes between consecutive points of a grid, bisected. */
function signChangeRoots(f: (t: number) => number, points: number[]): number[] {
  const grid = [...new Set(points)].sort((p, q) => p - q);
  const vals = grid.map(f);
  const roots: number[] = [];
  for (let i = 0; i + 1 < grid.length; i++) {
    const fa = vals[i]!;
    const fb = vals[i + 1]!;
    if (!Number.isFinite(fa) || !Number.isFinite(fb)) continue;
    if (fa === 0) roots.push(grid[i]!);
    else if (fa * fb < 0) roots.push(bisect(f, grid[i]!, grid[i + 1]!, fa));
  }
  return roots;
}

function bisect(f: (t: number) => number, a: number, b: number, fa: number): number {
  let lo = a;
  let hi = b;
  let flo = fa;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (flo * fm < 0) hi = mid;
    else {
      lo = mid;
      flo = fm;
    }
  }
  return 0.5 * (lo + hi);
}

/** Result of {@link potThreshold}. */
export interface PotResult {
  /** The threshold the reference reports: the mean of the per-step thresholds (one constant when not dynamic). */
  threshold: number;
  /** Initial threshold t (the `level` quantile of the initial scores). */
  initThreshold: number;
  /** Number of initial peaks (scores above t). */
  peaks: number;
  /** GPD fit of the initial peaks (null when there are fewer than 2 peaks). */
  fit: GpdFit | null;
  /** Threshold at each step of `data` (dynamic only; otherwise all equal). */
  thresholds: Float64Array;
}

/**
 * Peaks-over-threshold (the reference's `pot_eval` with `SPOT`): t = sorted(init)[⌊level·N⌋];
 * peaks = init values above t, minus t; GPD by Grimshaw; threshold z_q = t + (σ/γ)((N·q/N_t)^−γ − 1)
 * (or t − σ·log(N·q/N_t) when γ = 0). With `dynamic`, the stream `data` is walked and every value
 * above t is added to the peaks (refitting), as SPOT.run(with_alarm=False); the threshold reported
 * is the mean of the per-step thresholds. With fewer than two peaks there is no tail to fit and the
 * threshold is t itself (the reference would fail there).
 */
export function potThreshold(init: ArrayLike<number>, data: ArrayLike<number>, opts: { q: number; level: number; dynamic?: boolean; solver?: GrimshawSolver }): PotResult {
  const N = init.length;
  if (N === 0) throw new InputError('POT: no initial scores', { field: 'scores' });
  const level = opts.level - Math.floor(opts.level);
  const sorted = Float64Array.from(init as ArrayLike<number>).sort();
  const t = sorted[Math.trunc(level * N)]!;
  const peaks: number[] = [];
  for (let i = 0; i < N; i++) if (init[i]! > t) peaks.push(init[i]! - t);
  const quantile = (fit: GpdFit, n: number, nt: number): number => {
    const r = (n * opts.q) / nt;
    return fit.gamma !== 0 ? t + (fit.sigma / fit.gamma) * (Math.pow(r, -fit.gamma) - 1) : t - fit.sigma * Math.log(r);
  };
  const thresholds = new Float64Array(data.length);
  if (peaks.length < 2) {
    thresholds.fill(t);
    return { threshold: t, initThreshold: t, peaks: peaks.length, fit: null, thresholds };
  }
  const solver = opts.solver ?? 'reference';
  const fit = grimshaw(peaks, solver);
  let z = quantile(fit, N, peaks.length);
  if (!opts.dynamic) {
    thresholds.fill(z);
    return { threshold: z, initThreshold: t, peaks: peaks.length, fit, thresholds };
  }
  let n = N;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > t) {
      // Without alarms, SPOT treats values above z like any other peak.
      peaks.push(v - t);
      n++;
      z = quantile(grimshaw(peaks, solver), n, peaks.length);
    } else n++;
    thresholds[i] = z;
    sum += z;
  }
  return { threshold: data.length > 0 ? sum / data.length : z, initThreshold: t, peaks: peaks.length, fit, thresholds };
}

/** Result of {@link bfSearch}: the best point-adjusted F1 on the grid (an oracle). */
export interface BfResult extends Prf {
  threshold: number;
  latency: number;
}

/**
 * The reference's `bf_search` (oracle: it uses the test labels): thresholds start + i·(end − start)/steps
 * for i = 1…steps (accumulated as the reference does), each evaluated with point adjust; the first
 * threshold of the highest F1 wins. Defaults are the reference's call: 0.01, 2, 100 steps.
 */
export function bfSearch(score: ArrayLike<number>, label: ArrayLike<number>, start = 0.01, end = 2, stepNum = 100): BfResult {
  checkLengths(score, label);
  const stepSize = (end - start) / stepNum;
  let threshold = start;
  let best: BfResult = { f1: -1, precision: -1, recall: -1, tp: 0, tn: 0, fp: 0, fn: 0, threshold: 0, latency: 0 };
  for (let i = 0; i < stepNum; i++) {
    threshold += stepSize;
    const { predict, latency } = adjustPredicts(score, label, threshold);
    const prf = calcPoint2Point(predict, label);
    if (prf.f1 > best.f1) best = { ...prf, threshold, latency };
  }
  return best;
}

/**
 * The best raw (not point-adjusted) F1 over every distinct score used as a threshold
 * (alarm = score ≥ value) — an oracle upper bound, computed by one sort.
 */
export function bestRawF1(score: ArrayLike<number>, label: ArrayLike<number>): Prf & { threshold: number } {
  checkLengths(score, label);
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => score[q]! - score[p]!);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += label[i]!;
  let tp = 0;
  let fp = 0;
  let best: Prf & { threshold: number } = { ...calcPoint2Point(new Uint8Array(n), label), threshold: Infinity };
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    tp += label[i]!;
    fp += 1 - label[i]!;
    if (k + 1 < n && score[order[k + 1]!] === score[i]) continue;
    const precision = tp / (tp + fp + 0.00001);
    const recall = tp / (nPos + 0.00001);
    const f1 = (2 * precision * recall) / (precision + recall + 0.00001);
    if (f1 > best.f1) best = { f1, precision, recall, tp, fp, fn: nPos - tp, tn: n - nPos - fp, threshold: score[i]! };
  }
  return best;
}
