/**
 * Spectral Residual (Ren et al., KDD 2019), used by the MTAD-GAT paper to clean its training
 * set: per univariate series, the saliency map S = |IFFT(exp(R + iP))| with R = log|A| minus its
 * moving average (window `magWindow`) and P the phase; a point is anomalous when
 * |S − S̄| / S̄ > threshold, S̄ the trailing moving average over `scoreWindow`. Flagged training
 * points are replaced by the mean of the unflagged values within ±`context` steps (the nearest
 * unflagged value when there is none) — the paper says "replaced by nearby normal values";
 * the defaults are TimeEval's (3, 40, 3, 5). The series is extended by 5 points extrapolated from
 * the mean slope of its last 5 (the SR paper's trick, so the last points are not at an edge).
 * Not in the reference implementation (its `--spec_res` flag is unused); a paper variant here.
 */

const EPS = 1e-8;

/** In-place iterative radix-2 FFT of length 2^p (sign −1 forward, +1 inverse, no scaling). */
function fftPow2(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const ar = re[i + k + len / 2]! * cr - im[i + k + len / 2]! * ci;
        const ai = re[i + k + len / 2]! * ci + im[i + k + len / 2]! * cr;
        re[i + k + len / 2] = re[i + k]! - ar;
        im[i + k + len / 2] = im[i + k]! - ai;
        re[i + k] = re[i + k]! + ar;
        im[i + k] = im[i + k]! + ai;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** DFT of any length (Bluestein's chirp-z through power-of-two FFTs); sign −1 forward, +1 inverse, unscaled. */
export function dft(reIn: Float64Array, imIn: Float64Array, sign: 1 | -1): { re: Float64Array; im: Float64Array } {
  const n = reIn.length;
  if (n === 0) return { re: new Float64Array(0), im: new Float64Array(0) };
  if ((n & (n - 1)) === 0) {
    const re = Float64Array.from(reIn);
    const im = Float64Array.from(imIn);
    fftPow2(re, im, sign);
    return { re, im };
  }
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  // Chirp w_k = exp(sign·iπk²/n); k² mod 2n keeps the angle exact for large k.
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = (sign * Math.PI * ((k * k) % (2 * n))) / n;
    cr[k] = Math.cos(a);
    ci[k] = Math.sin(a);
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    // a_k = x_k · w_k
    ar[k] = reIn[k]! * cr[k]! - imIn[k]! * ci[k]!;
    ai[k] = reIn[k]! * ci[k]! + imIn[k]! * cr[k]!;
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  br[0] = cr[0]!;
  bi[0] = -ci[0]!;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = cr[k]!;
    bi[k] = bi[m - k] = -ci[k]!;
  }
  fftPow2(ar, ai, -1);
  fftPow2(br, bi, -1);
  for (let i = 0; i < m; i++) {
    const r = ar[i]! * br[i]! - ai[i]! * bi[i]!;
    ai[i] = ar[i]! * bi[i]! + ai[i]! * br[i]!;
    ar[i] = r;
  }
  fftPow2(ar, ai, 1);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const xr = ar[k]! / m;
    const xi = ai[k]! / m;
    re[k] = xr * cr[k]! - xi * ci[k]!;
    im[k] = xr * ci[k]! + xi * cr[k]!;
  }
  return { re, im };
}

/** Moving average whose first n entries average what is available (the SR paper's filter). */
function averageFilter(v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(v.length);
  let cum = 0;
  const cs = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    cum += v[i]!;
    cs[i] = cum;
  }
  for (let i = 0; i < v.length; i++) out[i] = i < n ? cs[i]! / (i + 1) : (cs[i]! - cs[i - n]!) / n;
  return out;
}

/** Saliency map of a univariate series (length preserved). */
export function saliencyMap(values: ArrayLike<number>, magWindow = 3): Float64Array {
  const n = values.length;
  // Extend with 5 points at the mean slope of the last ones, so the end is not an edge.
  const look = Math.min(5, n - 1);
  let next = values[n - 1]!;
  if (look >= 1) {
    const seg = Array.from({ length: look + 1 }, (_, i) => values[n - 1 - look + i]!);
    const last = seg[seg.length - 1]!;
    let slopes = 0;
    for (let i = 0; i < seg.length - 1; i++) slopes += (last - seg[i]!) / (seg.length - 1 - i);
    next = seg[1]! + slopes;
  }
  const ext = new Float64Array(n + 5);
  for (let i = 0; i < n; i++) ext[i] = values[i]!;
  for (let i = n; i < n + 5; i++) ext[i] = next;
  const { re, im } = dft(ext, new Float64Array(ext.length), -1);
  const N = ext.length;
  const mag = new Float64Array(N);
  const small = new Uint8Array(N);
  const logMag = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    mag[i] = Math.hypot(re[i]!, im[i]!);
    if (mag[i]! <= EPS) {
      small[i] = 1;
      mag[i] = EPS;
    }
    logMag[i] = small[i] ? 0 : Math.log(mag[i]!);
  }
  const avg = averageFilter(logMag, magWindow);
  const sr = new Float64Array(N);
  const si = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    if (small[i]) continue;
    const spectral = Math.exp(logMag[i]! - avg[i]!);
    sr[i] = (re[i]! * spectral) / mag[i]!;
    si[i] = (im[i]! * spectral) / mag[i]!;
  }
  const w = dft(sr, si, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.hypot(w.re[i]! / N, w.im[i]! / N);
  return out;
}

/** SR anomaly score |S − S̄| / S̄ per point. */
export function spectralResidualScores(values: ArrayLike<number>, magWindow = 3, scoreWindow = 40): Float64Array {
  const s = saliencyMap(values, magWindow);
  const avg = averageFilter(s, scoreWindow);
  let maxAvg = EPS;
  for (const v of avg) maxAvg = Math.max(maxAvg, v);
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = Math.abs(s[i]! - avg[i]!) / Math.min(Math.max(avg[i]!, EPS), maxAvg);
  return out;
}

/** Options of {@link cleanWithSpectralResidual}. */
export interface SrOptions {
  magWindow: number;
  scoreWindow: number;
  threshold: number;
  context: number;
}

/**
 * Clean every column of a row-major series (rows × cols) in a copy: SR-flagged points are
 * replaced by nearby normal values. Returns the cleaned data and the number of points replaced per column.
 */
export function cleanWithSpectralResidual(data: Float32Array, rows: number, cols: number, o: SrOptions): { data: Float32Array; replaced: number[] } {
  const out = Float32Array.from(data);
  const replaced: number[] = [];
  const col = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) col[r] = data[r * cols + c]!;
    const score = spectralResidualScores(col, o.magWindow, o.scoreWindow);
    const flag = new Uint8Array(rows);
    let count = 0;
    for (let r = 0; r < rows; r++) if (score[r]! > o.threshold) (flag[r] = 1), count++;
    replaced.push(count);
    if (count === 0 || count === rows) continue;
    for (let r = 0; r < rows; r++) {
      if (!flag[r]) continue;
      let sum = 0;
      let n = 0;
      for (let q = Math.max(0, r - o.context); q <= Math.min(rows - 1, r + o.context); q++) if (!flag[q]) (sum += col[q]!), n++;
      if (n > 0) out[r * cols + c] = sum / n;
      else {
        for (let d = 1; d < rows; d++) {
          if (r - d >= 0 && !flag[r - d]) {
            out[r * cols + c] = col[r - d]!;
            break;
          }
          if (r + d < rows && !flag[r + d]) {
            out[r * cols + c] = col[r + d]!;
            break;
          }
        }
      }
    }
  }
  return { data: out, replaced };
}
