/**
 * L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995; version 3.0 with Morales & Nocedal's 2011 subspace
 * projection fix) with the Moré–Thuente line search (MINPACK-2 dcsrch/dcstep), written from the
 * published algorithm so that its iterates follow those of `scipy.optimize.minimize(method='L-BFGS-B')`.
 *
 * Why MTAD-GAT needs it: the reference's POT threshold (spot.py `_rootsFinder`) minimises
 * Σ w(x_i)² with L-BFGS-B from 10 starting points and takes wherever the optimiser *stops* as
 * candidate roots of Grimshaw's equation. On typical score tails w has no root in the searched
 * interval and the optimiser stops on its gradient tolerance at non-roots, so the reference's
 * threshold is a property of this optimiser's trajectory, not of the equation. Reproducing it
 * means following the same trajectory (docs/research/timeseries.md §2.6 fixture: 0.651903).
 *
 * Indices are 1-based internally (arrays carry an unused slot 0) to keep the algorithm's
 * bookkeeping (circular history pointers, index sets) in its published form.
 */

/** Options (scipy's defaults). */
export interface LbfgsbOptions {
  /** Number of correction pairs kept (scipy `maxcor`). */
  m?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol. */
  ftol?: number;
  /** Stop when the projected gradient's largest component is ≤ gtol (scipy `gtol`, Fortran `pgtol`). */
  gtol?: number;
  maxiter?: number;
  maxfun?: number;
  /** Line-search evaluations per iteration before a restart (scipy `maxls`). */
  maxls?: number;
}

/** Result of {@link lbfgsb}. */
export interface LbfgsbResult {
  x: Float64Array;
  f: number;
  nit: number;
  nfev: number;
  message: string;
}

const EPSMCH = 2.220446049250313e-16;

/** Column-major matrix view with 1-based (i, j) and a leading dimension, as Fortran arrays. */
class Mat {
  constructor(
    readonly d: Float64Array,
    readonly ld: number,
    readonly off = 0,
  ) {}
  static zeros(rows: number, cols: number): Mat {
    return new Mat(new Float64Array(rows * cols), rows);
  }
  g(i: number, j: number): number {
    return this.d[this.off + (i - 1) + (j - 1) * this.ld]!;
  }
  s(i: number, j: number, v: number): void {
    this.d[this.off + (i - 1) + (j - 1) * this.ld] = v;
  }
  /** The sub-matrix starting at (i, j). */
  at(i: number, j: number): Mat {
    return new Mat(this.d, this.ld, this.off + (i - 1) + (j - 1) * this.ld);
  }
}

/** Dot product of column j of a and column k of b over rows 1…len (BLAS ddot on columns). */
function colDot(len: number, a: Mat, ja: number, b: Mat, jb: number): number {
  let s = 0;
  for (let i = 1; i <= len; i++) s += a.g(i, ja) * b.g(i, jb);
  return s;
}

/** LINPACK dpofa: Cholesky A = RᵀR of the leading n×n block, R in the upper triangle. Returns info (0 = ok). */
function dpofa(a: Mat, n: number): number {
  for (let j = 1; j <= n; j++) {
    let s = 0;
    for (let k = 1; k <= j - 1; k++) {
      let dotp = 0;
      for (let i = 1; i <= k - 1; i++) dotp += a.g(i, k) * a.g(i, j);
      const t = (a.g(k, j) - dotp) / a.g(k, k);
      a.s(k, j, t);
      s += t * t;
    }
    s = a.g(j, j) - s;
    if (s <= 0) return j;
    a.s(j, j, Math.sqrt(s));
  }
  return 0;
}

/**
 * LINPACK dtrsl on an upper-triangular T for the two jobs L-BFGS-B uses: job 1 solves T x = b,
 * job 11 solves Tᵀ x = b. `b` is a 1-based vector at offset `bo` (b[bo + 1 … bo + n]). Returns info.
 */
function dtrsl(t: Mat, n: number, b: Float64Array, bo: number, job: 1 | 11): number {
  for (let i = 1; i <= n; i++) if (t.g(i, i) === 0) return i;
  if (job === 1) {
    b[bo + n] = b[bo + n]! / t.g(n, n);
    for (let jj = 2; jj <= n; jj++) {
      const j = n - jj + 1;
      const temp = -b[bo + j + 1]!;
      for (let i = 1; i <= j; i++) b[bo + i] = b[bo + i]! + temp * t.g(i, j + 1);
      b[bo + j] = b[bo + j]! / t.g(j, j);
    }
  } else {
    b[bo + 1] = b[bo + 1]! / t.g(1, 1);
    for (let j = 2; j <= n; j++) {
      let s = 0;
      for (let i = 1; i <= j - 1; i++) s += t.g(i, j) * b[bo + i]!;
      b[bo + j] = (b[bo + j]! - s) / t.g(j, j);
    }
  }
  return 0;
}

/** Moré–Thuente safeguarded step (MINPACK-2 dcstep). */
interface StepState {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  stp: number;
  brackt: boolean;
}

function dcstep(st: StepState, fp: number, dp: number, stpmin: number, stpmax: number): void {
  const { stx, fx, dx, sty, fy, dy, stp } = st;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const r = p / q;
    const stpc = stx + r * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    st.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const r = p / q;
    const stpc = stp + r * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    st.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (st.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.min(stpmax, stpf);
      stpf = Math.max(stpmin, stpf);
    }
  } else {
    if (st.brackt) {
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      const r = p / q;
      stpf = stp + r * (sty - stp);
    } else if (stp > stx) stpf = stpmax;
    else stpf = stpmin;
  }
  if (fp > fx) {
    st.sty = stp;
    st.fy = fp;
    st.dy = dp;
  } else {
    if (sgnd < 0) {
      st.sty = stx;
      st.fy = fx;
      st.dy = dx;
    }
    st.stx = stp;
    st.fx = fp;
    st.dx = dp;
  }
  st.stp = stpf;
}

/** Moré–Thuente line search (MINPACK-2 dcsrch) as a resumable state machine. */
class LineSearch {
  task = 'START';
  private st: StepState = { stx: 0, fx: 0, dx: 0, sty: 0, fy: 0, dy: 0, stp: 0, brackt: false };
  private stage = 1;
  private finit = 0;
  private ginit = 0;
  private gtest = 0;
  private width = 0;
  private width1 = 0;
  private stmin = 0;
  private stmax = 0;
  constructor(
    private readonly ftol: number,
    private readonly gtol: number,
    private readonly xtol: number,
    private readonly stpmin: number,
    private readonly stpmax: number,
  ) {}

  /** One call of dcsrch with the current f, g (directional derivative) at `stp`; returns the next stp. */
  step(f: number, g: number, stpIn: number): number {
    let stp = stpIn;
    const { ftol, gtol, xtol, stpmin, stpmax } = this;
    if (this.task === 'START') {
      if (stp < stpmin) this.task = 'ERROR: STP .LT. STPMIN';
      if (stp > stpmax) this.task = 'ERROR: STP .GT. STPMAX';
      if (g >= 0) this.task = 'ERROR: INITIAL G .GE. ZERO';
      if (this.task.startsWith('ERROR')) return stp;
      this.st = { stx: 0, fx: f, dx: g, sty: 0, fy: f, dy: g, stp, brackt: false };
      this.stage = 1;
      this.finit = f;
      this.ginit = g;
      this.gtest = ftol * g;
      this.width = stpmax - stpmin;
      this.width1 = this.width / 0.5;
      this.stmin = 0;
      this.stmax = stp + 4 * stp;
      this.task = 'FG';
      return stp;
    }
    const st = this.st;
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    if (st.brackt && (stp <= this.stmin || stp >= this.stmax)) this.task = 'WARNING: ROUNDING ERRORS PREVENT PROGRESS';
    if (st.brackt && this.stmax - this.stmin <= xtol * this.stmax) this.task = 'WARNING: XTOL TEST SATISFIED';
    if (stp === stpmax && f <= ftest && g <= this.gtest) this.task = 'WARNING: STP = STPMAX';
    if (stp === stpmin && (f > ftest || g >= this.gtest)) this.task = 'WARNING: STP = STPMIN';
    if (f <= ftest && Math.abs(g) <= gtol * -this.ginit) this.task = 'CONVERGENCE';
    if (this.task.startsWith('WARN') || this.task.startsWith('CONV')) return stp;
    st.stp = stp;
    if (this.stage === 1 && f <= st.fx && f > ftest) {
      const gt = this.gtest;
      const fm = f - stp * gt;
      const m: StepState = { stx: st.stx, fx: st.fx - st.stx * gt, dx: st.dx - gt, sty: st.sty, fy: st.fy - st.sty * gt, dy: st.dy - gt, stp, brackt: st.brackt };
      dcstep(m, fm, g - gt, this.stmin, this.stmax);
      st.stx = m.stx;
      st.sty = m.sty;
      st.brackt = m.brackt;
      st.stp = m.stp;
      st.fx = m.fx + m.stx * gt;
      st.fy = m.fy + m.sty * gt;
      st.dx = m.dx + gt;
      st.dy = m.dy + gt;
    } else {
      dcstep(st, f, g, this.stmin, this.stmax);
    }
    stp = st.stp;
    if (st.brackt) {
      if (Math.abs(st.sty - st.stx) >= 0.66 * this.width1) stp = st.stx + 0.5 * (st.sty - st.stx);
      this.width1 = this.width;
      this.width = Math.abs(st.sty - st.stx);
    }
    if (st.brackt) {
      this.stmin = Math.min(st.stx, st.sty);
      this.stmax = Math.max(st.stx, st.sty);
    } else {
      this.stmin = stp + 1.1 * (stp - st.stx);
      this.stmax = stp + 4 * (stp - st.stx);
    }
    stp = Math.max(stp, stpmin);
    stp = Math.min(stp, stpmax);
    if ((st.brackt && (stp <= this.stmin || stp >= this.stmax)) || (st.brackt && this.stmax - this.stmin <= xtol * this.stmax)) stp = st.stx;
    this.task = 'FG';
    return stp;
  }
}

/** Heap of breakpoints (hpsolb): pops the least t into position n (1-based arrays). */
function hpsolb(n: number, t: Float64Array, iorder: Int32Array, iheap: number): void {
  if (iheap === 0) {
    for (let k = 2; k <= n; k++) {
      const ddum = t[k]!;
      const indxin = iorder[k]!;
      let i = k;
      while (i > 1) {
        const j = Math.trunc(i / 2);
        if (ddum < t[j]!) {
          t[i] = t[j]!;
          iorder[i] = iorder[j]!;
          i = j;
        } else break;
      }
      t[i] = ddum;
      iorder[i] = indxin;
    }
  }
  if (n > 1) {
    let i = 1;
    const out = t[1]!;
    const indxou = iorder[1]!;
    const ddum = t[n]!;
    const indxin = iorder[n]!;
    for (;;) {
      let j = i + i;
      if (j <= n - 1) {
        if (t[j + 1]! < t[j]!) j = j + 1;
        if (t[j]! < ddum) {
          t[i] = t[j]!;
          iorder[i] = iorder[j]!;
          i = j;
          continue;
        }
      }
      break;
    }
    t[i] = ddum;
    iorder[i] = indxin;
    t[n] = out;
    iorder[n] = indxou;
  }
}

/**
 * Minimise f over the box l ≤ x ≤ u (every variable bounded on both sides, as the reference's
 * root finder uses it). `fg(x)` returns f and its gradient (1-based arrays are not exposed:
 * `x` and the gradient are ordinary 0-based arrays of length n).
 */
export function lbfgsb(fg: (x: Float64Array) => { f: number; g: Float64Array }, x0: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, opts: LbfgsbOptions = {}): LbfgsbResult {
  const n = x0.length;
  const m = opts.m ?? 10;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const pgtol = opts.gtol ?? 1e-5;
  const maxiter = opts.maxiter ?? 15000;
  const maxfun = opts.maxfun ?? 15000;
  const maxls = opts.maxls ?? 20;
  const factr = ftol / EPSMCH;
  const tol = factr * EPSMCH;

  const l = new Float64Array(n + 1);
  const u = new Float64Array(n + 1);
  const nbd = new Int32Array(n + 1);
  const x = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    l[i] = lower[i - 1]!;
    u[i] = upper[i - 1]!;
    // scipy's bound codes: 0 none, 1 lower only, 2 both, 3 upper only (an infinite bound is none).
    const lo = Number.isFinite(l[i]!);
    const hi = Number.isFinite(u[i]!);
    nbd[i] = lo && hi ? 2 : lo ? 1 : hi ? 3 : 0;
    // scipy clips the starting point into the box.
    x[i] = Math.min(Math.max(x0[i - 1]!, l[i]!), u[i]!);
  }
  const ws = Mat.zeros(n, m);
  const wy = Mat.zeros(n, m);
  const sy = Mat.zeros(m, m);
  const ss = Mat.zeros(m, m);
  const wt = Mat.zeros(m, m);
  const wn = Mat.zeros(2 * m, 2 * m);
  const snd = Mat.zeros(2 * m, 2 * m);
  const z = new Float64Array(n + 1);
  const r = new Float64Array(n + 1);
  const d = new Float64Array(n + 1);
  const t = new Float64Array(n + 1);
  const xp = new Float64Array(n + 1);
  const wa = new Float64Array(8 * m + 1);
  const index = new Int32Array(n + 1);
  const iwhere = new Int32Array(n + 1);
  const indx2 = new Int32Array(n + 1);
  let g = new Float64Array(n + 1);

  let col = 0;
  let head = 1;
  let theta = 1;
  let iupdat = 0;
  let updatd = false;
  let itail = 0;
  let fold = 0;
  let dnorm = 0;
  let gd = 0;
  let gdold = 0;
  let stpmx = 0;
  let sbgnrm = 0;
  let stp = 0;
  let dtd = 0;
  let iter = 0;
  let nfree = n;
  let nenter = 0;
  let ileave = 0;
  let nfev = 0;
  let nit = 0;

  const xOut = (): Float64Array => x.slice(1);
  const evaluate = (): number => {
    const r0 = fg(x.slice(1));
    nfev++;
    const gg = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) gg[i] = r0.g[i - 1]!;
    g = gg;
    return r0.f;
  };
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 1; i <= n; i++) s += a[i]! * b[i]!;
    return s;
  };

  // active: project x into the box and initialise iwhere (all variables bounded: 0, or 3 if l = u).
  let cnstnd = false;
  let boxed = true;
  for (let i = 1; i <= n; i++) {
    if (nbd[i] !== 2) boxed = false;
    if (nbd[i] === 0) iwhere[i] = -1;
    else {
      cnstnd = true;
      iwhere[i] = nbd[i] === 2 && u[i]! - l[i]! <= 0 ? 3 : 0;
    }
  }

  const projgr = (): number => {
    let norm = 0;
    for (let i = 1; i <= n; i++) {
      let gi = g[i]!;
      if (nbd[i] !== 0) {
        if (gi < 0) {
          if (nbd[i]! >= 2) gi = Math.max(x[i]! - u[i]!, gi);
        } else if (nbd[i]! <= 2) gi = Math.min(x[i]! - l[i]!, gi);
      }
      norm = Math.max(norm, Math.abs(gi));
    }
    return norm;
  };

  /** bmv: product of the 2col×2col middle matrix with v (at wa offset vo), into p (offset po). */
  const bmv = (v: Float64Array, vo: number, p: Float64Array, po: number): number => {
    if (col === 0) return 0;
    p[po + col + 1] = v[vo + col + 1]!;
    for (let i = 2; i <= col; i++) {
      const i2 = col + i;
      let sum = 0;
      for (let k = 1; k <= i - 1; k++) sum += (sy.g(i, k) * v[vo + k]!) / sy.g(k, k);
      p[po + i2] = v[vo + i2]! + sum;
    }
    let info = dtrsl(wt, col, p, po + col, 11);
    if (info !== 0) return info;
    for (let i = 1; i <= col; i++) p[po + i] = v[vo + i]! / Math.sqrt(sy.g(i, i));
    info = dtrsl(wt, col, p, po + col, 1);
    if (info !== 0) return info;
    for (let i = 1; i <= col; i++) p[po + i] = -p[po + i]! / Math.sqrt(sy.g(i, i));
    for (let i = 1; i <= col; i++) {
      let sum = 0;
      for (let k = i + 1; k <= col; k++) sum += (sy.g(k, i) * p[po + col + k]!) / sy.g(i, i);
      p[po + i] = p[po + i]! + sum;
    }
    return 0;
  };

  /** The generalized Cauchy point into z; wa(1..) = p, wa(2m+1..) = c, wa(4m+1..) = wbp, wa(6m+1..) = v. */
  const cauchy = (): { info: number; nseg: number } => {
    const pO = 0;
    const cO = 2 * m;
    const wbpO = 4 * m;
    const vO = 6 * m;
    const iorder = indx2;
    if (sbgnrm <= 0) {
      for (let i = 1; i <= n; i++) z[i] = x[i]!;
      return { info: 0, nseg: 0 };
    }
    let bnded = true;
    let nfreeC = n + 1;
    let nbreak = 0;
    let ibkmin = 0;
    let bkmin = 0;
    const col2 = 2 * col;
    let f1 = 0;
    for (let i = 1; i <= col2; i++) wa[pO + i] = 0;
    for (let i = 1; i <= n; i++) {
      const neggi = -g[i]!;
      let tl = 0;
      let tu = 0;
      if (iwhere[i] !== 3 && iwhere[i] !== -1) {
        if (nbd[i]! <= 2) tl = x[i]! - l[i]!;
        if (nbd[i]! >= 2) tu = u[i]! - x[i]!;
        const xlower = nbd[i]! <= 2 && tl <= 0;
        const xupper = nbd[i]! >= 2 && tu <= 0;
        iwhere[i] = 0;
        if (xlower) {
          if (neggi <= 0) iwhere[i] = 1;
        } else if (xupper) {
          if (neggi >= 0) iwhere[i] = 2;
        } else if (Math.abs(neggi) <= 0) iwhere[i] = -3;
      }
      let pointr = head;
      if (iwhere[i] !== 0 && iwhere[i] !== -1) d[i] = 0;
      else {
        d[i] = neggi;
        f1 -= neggi * neggi;
        for (let j = 1; j <= col; j++) {
          wa[pO + j] = wa[pO + j]! + wy.g(i, pointr) * neggi;
          wa[pO + col + j] = wa[pO + col + j]! + ws.g(i, pointr) * neggi;
          pointr = (pointr % m) + 1;
        }
        if (nbd[i]! <= 2 && nbd[i] !== 0 && neggi < 0) {
          nbreak++;
          iorder[nbreak] = i;
          t[nbreak] = tl / -neggi;
          if (nbreak === 1 || t[nbreak]! < bkmin) {
            bkmin = t[nbreak]!;
            ibkmin = nbreak;
          }
        } else if (nbd[i]! >= 2 && neggi > 0) {
          nbreak++;
          iorder[nbreak] = i;
          t[nbreak] = tu / neggi;
          if (nbreak === 1 || t[nbreak]! < bkmin) {
            bkmin = t[nbreak]!;
            ibkmin = nbreak;
          }
        } else {
          nfreeC--;
          iorder[nfreeC] = i;
          if (Math.abs(neggi) > 0) bnded = false;
        }
      }
    }
    if (theta !== 1) for (let j = 1; j <= col; j++) wa[pO + col + j] = wa[pO + col + j]! * theta;
    for (let i = 1; i <= n; i++) z[i] = x[i]!;
    if (nbreak === 0 && nfreeC === n + 1) return { info: 0, nseg: 0 };
    for (let j = 1; j <= col2; j++) wa[cO + j] = 0;
    let f2 = -theta * f1;
    const f2org = f2;
    if (col > 0) {
      const info = bmv(wa, pO, wa, vO);
      if (info !== 0) return { info, nseg: 0 };
      let s = 0;
      for (let j = 1; j <= col2; j++) s += wa[vO + j]! * wa[pO + j]!;
      f2 -= s;
    }
    let dtm = -f1 / f2;
    let tsum = 0;
    let nseg = 1;
    let skipToEnd = false;
    if (nbreak > 0) {
      let nleft = nbreak;
      let it = 1;
      let tj = 0;
      for (;;) {
        const tj0 = tj;
        let ibp: number;
        if (it === 1) {
          tj = bkmin;
          ibp = iorder[ibkmin]!;
        } else {
          if (it === 2 && ibkmin !== nbreak) {
            t[ibkmin] = t[nbreak]!;
            iorder[ibkmin] = iorder[nbreak]!;
          }
          hpsolb(nleft, t, iorder, it - 2);
          tj = t[nleft]!;
          ibp = iorder[nleft]!;
        }
        const dt = tj - tj0;
        if (dtm < dt) break;
        tsum += dt;
        nleft--;
        it++;
        const dibp = d[ibp]!;
        d[ibp] = 0;
        let zibp: number;
        if (dibp > 0) {
          zibp = u[ibp]! - x[ibp]!;
          z[ibp] = u[ibp]!;
          iwhere[ibp] = 2;
        } else {
          zibp = l[ibp]! - x[ibp]!;
          z[ibp] = l[ibp]!;
          iwhere[ibp] = 1;
        }
        if (nleft === 0 && nbreak === n) {
          dtm = dt;
          skipToEnd = true;
          break;
        }
        nseg++;
        const dibp2 = dibp * dibp;
        f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
        f2 = f2 - theta * dibp2;
        if (col > 0) {
          for (let j = 1; j <= col2; j++) wa[cO + j] = wa[cO + j]! + dt * wa[pO + j]!;
          let pointr = head;
          for (let j = 1; j <= col; j++) {
            wa[wbpO + j] = wy.g(ibp, pointr);
            wa[wbpO + col + j] = theta * ws.g(ibp, pointr);
            pointr = (pointr % m) + 1;
          }
          const info = bmv(wa, wbpO, wa, vO);
          if (info !== 0) return { info, nseg };
          let wmc = 0;
          let wmp = 0;
          let wmw = 0;
          for (let j = 1; j <= col2; j++) {
            wmc += wa[cO + j]! * wa[vO + j]!;
            wmp += wa[pO + j]! * wa[vO + j]!;
            wmw += wa[wbpO + j]! * wa[vO + j]!;
          }
          for (let j = 1; j <= col2; j++) wa[pO + j] = wa[pO + j]! - dibp * wa[wbpO + j]!;
          f1 += dibp * wmc;
          f2 = f2 + 2.0 * dibp * wmp - dibp2 * wmw;
        }
        f2 = Math.max(EPSMCH * f2org, f2);
        if (nleft > 0) {
          dtm = -f1 / f2;
          continue;
        } else if (bnded) {
          f1 = 0;
          f2 = 0;
          dtm = 0;
        } else dtm = -f1 / f2;
        break;
      }
    }
    if (!skipToEnd) {
      if (dtm <= 0) dtm = 0;
      tsum += dtm;
      for (let i = 1; i <= n; i++) z[i] = z[i]! + tsum * d[i]!;
    }
    if (col > 0) for (let j = 1; j <= col2; j++) wa[cO + j] = wa[cO + j]! + dtm * wa[pO + j]!;
    return { info: 0, nseg };
  };

  /** freev: entering/leaving variables and the free/active index sets at the GCP. Returns wrk. */
  const freev = (): boolean => {
    nenter = 0;
    ileave = n + 1;
    if (iter > 0 && cnstnd) {
      for (let i = 1; i <= nfree; i++) {
        const k = index[i]!;
        if (iwhere[k]! > 0) {
          ileave--;
          indx2[ileave] = k;
        }
      }
      for (let i = 1 + nfree; i <= n; i++) {
        const k = index[i]!;
        if (iwhere[k]! <= 0) {
          nenter++;
          indx2[nenter] = k;
        }
      }
    }
    const wrk = ileave < n + 1 || nenter > 0 || updatd;
    nfree = 0;
    let iact = n + 1;
    for (let i = 1; i <= n; i++) {
      if (iwhere[i]! <= 0) {
        nfree++;
        index[nfree] = i;
      } else {
        iact--;
        index[iact] = i;
      }
    }
    return wrk;
  };

  /** formk: the LELᵀ factorisation of the 2col×2col matrix K (stored in wn; wn1 = snd persists). */
  const formk = (): number => {
    const wn1 = snd;
    const nsub = nfree;
    const ind = index;
    let upcl: number;
    if (updatd) {
      if (iupdat > m) {
        for (let jy = 1; jy <= m - 1; jy++) {
          const js = m + jy;
          for (let q = 0; q < m - jy; q++) wn1.s(jy + q, jy, wn1.g(jy + 1 + q, jy + 1));
          for (let q = 0; q < m - jy; q++) wn1.s(js + q, js, wn1.g(js + 1 + q, js + 1));
          for (let q = 0; q < m - 1; q++) wn1.s(m + 1 + q, jy, wn1.g(m + 2 + q, jy + 1));
        }
      }
      const pbegin = 1;
      const pend = nsub;
      const dbegin = nsub + 1;
      const dend = n;
      const iy = col;
      const is = m + col;
      let ipntr = head + col - 1;
      if (ipntr > m) ipntr -= m;
      let jpntr = head;
      for (let jy = 1; jy <= col; jy++) {
        const js = m + jy;
        let temp1 = 0;
        let temp2 = 0;
        let temp3 = 0;
        for (let k = pbegin; k <= pend; k++) {
          const k1 = ind[k]!;
          temp1 += wy.g(k1, ipntr) * wy.g(k1, jpntr);
        }
        for (let k = dbegin; k <= dend; k++) {
          const k1 = ind[k]!;
          temp2 += ws.g(k1, ipntr) * ws.g(k1, jpntr);
          temp3 += ws.g(k1, ipntr) * wy.g(k1, jpntr);
        }
        wn1.s(iy, jy, temp1);
        wn1.s(is, js, temp2);
        wn1.s(is, jy, temp3);
        jpntr = (jpntr % m) + 1;
      }
      const jy = col;
      jpntr = head + col - 1;
      if (jpntr > m) jpntr -= m;
      ipntr = head;
      for (let i = 1; i <= col; i++) {
        const is2 = m + i;
        let temp3 = 0;
        for (let k = pbegin; k <= pend; k++) {
          const k1 = ind[k]!;
          temp3 += ws.g(k1, ipntr) * wy.g(k1, jpntr);
        }
        ipntr = (ipntr % m) + 1;
        wn1.s(is2, jy, temp3);
      }
      upcl = col - 1;
    } else upcl = col;
    let ipntr = head;
    for (let iy = 1; iy <= upcl; iy++) {
      const is = m + iy;
      let jpntr = head;
      for (let jy = 1; jy <= iy; jy++) {
        const js = m + jy;
        let temp1 = 0;
        let temp2 = 0;
        let temp3 = 0;
        let temp4 = 0;
        for (let k = 1; k <= nenter; k++) {
          const k1 = indx2[k]!;
          temp1 += wy.g(k1, ipntr) * wy.g(k1, jpntr);
          temp2 += ws.g(k1, ipntr) * ws.g(k1, jpntr);
        }
        for (let k = ileave; k <= n; k++) {
          const k1 = indx2[k]!;
          temp3 += wy.g(k1, ipntr) * wy.g(k1, jpntr);
          temp4 += ws.g(k1, ipntr) * ws.g(k1, jpntr);
        }
        wn1.s(iy, jy, wn1.g(iy, jy) + temp1 - temp3);
        wn1.s(is, js, wn1.g(is, js) - temp2 + temp4);
        jpntr = (jpntr % m) + 1;
      }
      ipntr = (ipntr % m) + 1;
    }
    ipntr = head;
    for (let is = m + 1; is <= m + upcl; is++) {
      let jpntr = head;
      for (let jy = 1; jy <= upcl; jy++) {
        let temp1 = 0;
        let temp3 = 0;
        for (let k = 1; k <= nenter; k++) {
          const k1 = indx2[k]!;
          temp1 += ws.g(k1, ipntr) * wy.g(k1, jpntr);
        }
        for (let k = ileave; k <= n; k++) {
          const k1 = indx2[k]!;
          temp3 += ws.g(k1, ipntr) * wy.g(k1, jpntr);
        }
        if (is <= jy + m) wn1.s(is, jy, wn1.g(is, jy) + temp1 - temp3);
        else wn1.s(is, jy, wn1.g(is, jy) - temp1 + temp3);
        jpntr = (jpntr % m) + 1;
      }
      ipntr = (ipntr % m) + 1;
    }
    for (let iy = 1; iy <= col; iy++) {
      const is = col + iy;
      const is1 = m + iy;
      for (let jy = 1; jy <= iy; jy++) {
        const js = col + jy;
        const js1 = m + jy;
        wn.s(jy, iy, wn1.g(iy, jy) / theta);
        wn.s(js, is, wn1.g(is1, js1) * theta);
      }
      for (let jy = 1; jy <= iy - 1; jy++) wn.s(jy, is, -wn1.g(is1, jy));
      for (let jy = iy; jy <= col; jy++) wn.s(jy, is, wn1.g(is1, jy));
      wn.s(iy, iy, wn.g(iy, iy) + sy.g(iy, iy));
    }
    let info = dpofa(wn, col);
    if (info !== 0) return -1;
    const col2 = 2 * col;
    for (let js = col + 1; js <= col2; js++) {
      // dtrsl on column js of wn (rows 1…col), as a vector view.
      const colv = new Float64Array(col + 1);
      for (let i = 1; i <= col; i++) colv[i] = wn.g(i, js);
      dtrsl(wn, col, colv, 0, 11);
      for (let i = 1; i <= col; i++) wn.s(i, js, colv[i]!);
    }
    for (let is = col + 1; is <= col2; is++) {
      for (let js = is; js <= col2; js++) wn.s(is, js, wn.g(is, js) + colDot(col, wn, is, wn, js));
    }
    info = dpofa(wn.at(col + 1, col + 1), col);
    if (info !== 0) return -2;
    return 0;
  };

  /** cmprlb: r = −Zᵀ(B(xcp − x) + g) for the free variables. */
  const cmprlb = (): number => {
    for (let i = 1; i <= nfree; i++) {
      const k = index[i]!;
      r[i] = -theta * (z[k]! - x[k]!) - g[k]!;
    }
    const info = bmv(wa, 2 * m, wa, 0);
    if (info !== 0) return -8;
    let pointr = head;
    for (let j = 1; j <= col; j++) {
      const a1 = wa[j]!;
      const a2 = theta * wa[col + j]!;
      for (let i = 1; i <= nfree; i++) {
        const k = index[i]!;
        r[i] = r[i]! + wy.g(k, pointr) * a1 + ws.g(k, pointr) * a2;
      }
      pointr = (pointr % m) + 1;
    }
    return 0;
  };

  /** subsm: subspace minimisation over the free variables, with the projection/backtracking step. */
  const subsm = (): number => {
    const nsub = nfree;
    const ind = index;
    if (nsub <= 0) return 0;
    let pointr = head;
    for (let i = 1; i <= col; i++) {
      let temp1 = 0;
      let temp2 = 0;
      for (let j = 1; j <= nsub; j++) {
        const k = ind[j]!;
        temp1 += wy.g(k, pointr) * r[j]!;
        temp2 += ws.g(k, pointr) * r[j]!;
      }
      wa[i] = temp1;
      wa[col + i] = theta * temp2;
      pointr = (pointr % m) + 1;
    }
    const col2 = 2 * col;
    let info = dtrsl(wn, col2, wa, 0, 11);
    if (info !== 0) return info;
    for (let i = 1; i <= col; i++) wa[i] = -wa[i]!;
    info = dtrsl(wn, col2, wa, 0, 1);
    if (info !== 0) return info;
    pointr = head;
    for (let jy = 1; jy <= col; jy++) {
      const js = col + jy;
      for (let i = 1; i <= nsub; i++) {
        const k = ind[i]!;
        r[i] = r[i]! + (wy.g(k, pointr) * wa[jy]!) / theta + ws.g(k, pointr) * wa[js]!;
      }
      pointr = (pointr % m) + 1;
    }
    for (let i = 1; i <= nsub; i++) r[i] = r[i]! * (1 / theta);
    // Projection of the Newton point; backtrack if it is not a descent direction.
    let iword = 0;
    for (let i = 1; i <= n; i++) xp[i] = z[i]!;
    for (let i = 1; i <= nsub; i++) {
      const k = ind[i]!;
      const dk = r[i]!;
      const xk = z[k]!;
      if (nbd[k] !== 0) {
        const v = Math.max(l[k]!, xk + dk);
        z[k] = Math.min(u[k]!, v);
        if (z[k] === l[k] || z[k] === u[k]) iword = 1;
      } else z[k] = xk + dk;
    }
    if (iword === 0) return 0;
    let ddP = 0;
    for (let i = 1; i <= n; i++) ddP += (z[i]! - x[i]!) * g[i]!;
    if (!(ddP > 0)) return 0;
    for (let i = 1; i <= n; i++) z[i] = xp[i]!;
    let alpha = 1;
    let temp1 = alpha;
    let ibd = 0;
    for (let i = 1; i <= nsub; i++) {
      const k = ind[i]!;
      const dk = r[i]!;
      if (nbd[k] !== 0) {
        if (dk < 0 && nbd[k]! <= 2) {
          const temp2 = l[k]! - z[k]!;
          if (temp2 >= 0) temp1 = 0;
          else if (dk * alpha < temp2) temp1 = temp2 / dk;
        } else if (dk > 0 && nbd[k]! >= 2) {
          const temp2 = u[k]! - z[k]!;
          if (temp2 <= 0) temp1 = 0;
          else if (dk * alpha > temp2) temp1 = temp2 / dk;
        }
        if (temp1 < alpha) {
          alpha = temp1;
          ibd = i;
        }
      }
    }
    if (alpha < 1) {
      const dk = r[ibd]!;
      const k = ind[ibd]!;
      if (dk > 0) {
        z[k] = u[k]!;
        r[ibd] = 0;
      } else if (dk < 0) {
        z[k] = l[k]!;
        r[ibd] = 0;
      }
    }
    for (let i = 1; i <= nsub; i++) {
      const k = ind[i]!;
      z[k] = z[k]! + alpha * r[i]!;
    }
    return 0;
  };

  const matupd = (rr: number, dr: number): void => {
    if (iupdat <= m) {
      col = iupdat;
      itail = ((head + iupdat - 2) % m) + 1;
    } else {
      itail = (itail % m) + 1;
      head = (head % m) + 1;
    }
    for (let i = 1; i <= n; i++) {
      ws.s(i, itail, d[i]!);
      wy.s(i, itail, r[i]!);
    }
    theta = rr / dr;
    if (iupdat > m) {
      for (let j = 1; j <= col - 1; j++) {
        for (let q = 0; q < j; q++) ss.s(1 + q, j, ss.g(2 + q, j + 1));
        for (let q = 0; q < col - j; q++) sy.s(j + q, j, sy.g(j + 1 + q, j + 1));
      }
    }
    let pointr = head;
    for (let j = 1; j <= col - 1; j++) {
      let s1 = 0;
      let s2 = 0;
      for (let i = 1; i <= n; i++) {
        s1 += d[i]! * wy.g(i, pointr);
        s2 += ws.g(i, pointr) * d[i]!;
      }
      sy.s(col, j, s1);
      ss.s(j, col, s2);
      pointr = (pointr % m) + 1;
    }
    ss.s(col, col, stp === 1 ? dtd : stp * stp * dtd);
    sy.s(col, col, dr);
  };

  const formt = (): number => {
    for (let j = 1; j <= col; j++) wt.s(1, j, theta * ss.g(1, j));
    for (let i = 2; i <= col; i++) {
      for (let j = i; j <= col; j++) {
        const k1 = Math.min(i, j) - 1;
        let ddum = 0;
        for (let k = 1; k <= k1; k++) ddum += (sy.g(i, k) * sy.g(j, k)) / sy.g(k, k);
        wt.s(i, j, ddum + theta * ss.g(i, j));
      }
    }
    return dpofa(wt, col) !== 0 ? -3 : 0;
  };

  const refresh = (): void => {
    col = 0;
    head = 1;
    theta = 1;
    iupdat = 0;
    updatd = false;
  };

  let f = evaluate();
  sbgnrm = projgr();
  if (sbgnrm <= pgtol) return { x: xOut(), f, nit, nfev, message: 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL' };

  for (;;) {
    // 222: one iteration.
    let wrk = false;
    let info = 0;
    if (!cnstnd && col > 0) {
      for (let i = 1; i <= n; i++) z[i] = x[i]!;
      wrk = updatd;
    } else {
      const c = cauchy();
      if (c.info !== 0) {
        refresh();
        continue;
      }
      wrk = freev();
    }
    if (nfree !== 0 && col !== 0) {
      if (wrk) info = formk();
      if (info !== 0) {
        refresh();
        continue;
      }
      info = cmprlb();
      if (info === 0) info = subsm();
      if (info !== 0) {
        refresh();
        continue;
      }
    }
    for (let i = 1; i <= n; i++) d[i] = z[i]! - x[i]!;

    // lnsrlb
    dtd = dot(d, d);
    dnorm = Math.sqrt(dtd);
    stpmx = 1e10;
    if (cnstnd) {
      if (iter === 0) stpmx = 1;
      else {
        for (let i = 1; i <= n; i++) {
          const a1 = d[i]!;
          if (nbd[i] !== 0) {
            if (a1 < 0 && nbd[i]! <= 2) {
              const a2 = l[i]! - x[i]!;
              if (a2 >= 0) stpmx = 0;
              else if (a1 * stpmx < a2) stpmx = a2 / a1;
            } else if (a1 > 0 && nbd[i]! >= 2) {
              const a2 = u[i]! - x[i]!;
              if (a2 <= 0) stpmx = 0;
              else if (a1 * stpmx > a2) stpmx = a2 / a1;
            }
          }
        }
      }
    }
    stp = iter === 0 && !boxed ? Math.min(1 / dnorm, stpmx) : 1;
    for (let i = 1; i <= n; i++) {
      t[i] = x[i]!;
      r[i] = g[i]!;
    }
    fold = f;
    let ifun = 0;
    let iback = 0;
    const ls = new LineSearch(1e-3, 0.9, 0.1, 0, stpmx);
    let restart = false;
    for (;;) {
      gd = dot(g, d);
      let lsInfo = 0;
      let newX = false;
      if (ifun === 0) {
        gdold = gd;
        if (gd >= 0) lsInfo = -4;
      }
      if (lsInfo === 0) {
        stp = ls.step(f, gd, stp);
        if (!ls.task.startsWith('CONV') && !ls.task.startsWith('WARN')) {
          ifun++;
          iback = ifun - 1;
          if (stp === 1) for (let i = 1; i <= n; i++) x[i] = z[i]!;
          else for (let i = 1; i <= n; i++) x[i] = stp * d[i]! + t[i]!;
        } else newX = true;
      }
      if (lsInfo !== 0 || iback >= maxls) {
        for (let i = 1; i <= n; i++) {
          x[i] = t[i]!;
          g[i] = r[i]!;
        }
        f = fold;
        if (col === 0) {
          nit = iter + 1;
          return { x: xOut(), f, nit: iter + 1, nfev, message: 'ABNORMAL_TERMINATION_IN_LNSRCH' };
        }
        refresh();
        restart = true;
        break;
      }
      if (newX) {
        iter++;
        sbgnrm = projgr();
        break;
      }
      if (nfev >= maxfun + 1) return { x: xOut(), f, nit: iter, nfev, message: 'STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT' };
      f = evaluate();
    }
    if (restart) continue;
    nit = iter;
    if (nit >= maxiter) return { x: xOut(), f, nit, nfev, message: 'STOP: TOTAL NO. of ITERATIONS REACHED LIMIT' };
    // 777: termination tests.
    if (sbgnrm <= pgtol) return { x: xOut(), f, nit, nfev, message: 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL' };
    const ddum0 = Math.max(Math.abs(fold), Math.abs(f), 1);
    if (fold - f <= tol * ddum0) return { x: xOut(), f, nit, nfev, message: 'CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH' };
    for (let i = 1; i <= n; i++) r[i] = g[i]! - r[i]!;
    const rr = dot(r, r);
    let dr: number;
    let ddum: number;
    if (stp === 1) {
      dr = gd - gdold;
      ddum = -gdold;
    } else {
      dr = (gd - gdold) * stp;
      for (let i = 1; i <= n; i++) d[i] = d[i]! * stp;
      ddum = -gdold * stp;
    }
    if (dr <= EPSMCH * ddum) {
      updatd = false;
      continue;
    }
    updatd = true;
    iupdat++;
    matupd(rr, dr);
    if (formt() !== 0) refresh();
  }
}
