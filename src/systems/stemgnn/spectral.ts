/**
 * The discrete Fourier transforms of StemGNN's Spe-Seq cell as products with constant matrices.
 *
 * The official code calls `torch.rfft(x, 1, onesided=False)` (a full, two-sided, unnormalised
 * DFT along time) and `torch.irfft(z, 1, onesided=False)` (a Hermitian "complex-to-real" inverse
 * that reads only bins 0…⌊n/2⌋ and divides by n). tfjs-core has no gradient for its FFT ops and
 * the WASM backend has no FFT kernels, so both are written as matmuls (docs/research/timeseries.md §1.4); the
 * matrices are built in float64 and cast once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dftMatrices } from '../../engine/index.js';

/**
 * Forward DFT matrix [n, 2n] = [C | S] with C[t, f] = cos(2πtf/n), S[t, f] = −sin(2πtf/n):
 * for signals in the rows of x [R, n], `x · F` = [Re X | Im X] [R, 2n], all n bins (two-sided).
 */
export function forwardDftMatrix(n: number): tf.Tensor2D {
  return tf.tidy(() => {
    // The engine's matrices are indexed [k, t]; they are symmetric, so [t, f] is the same array.
    const { cos, sin } = dftMatrices(n);
    return tf.concat([cos, sin], 1) as tf.Tensor2D;
  });
}

/**
 * Weights and values of the Hermitian inverse, in float64: A[k, t] = w_k cos(2πkt/n)/n and
 * B[k, t] = −w_k sin(2πkt/n)/n with w_0 = 1, w_k = 2 for 0 < k < n/2, w_{n/2} = 1 (n even) and
 * w_k = 0 above n/2. Row-major [n, n] each. `x = Re·A + Im·B` is `irfft(Re + i·Im, n)`; the
 * imaginary parts of bin 0 and of the Nyquist bin drop out because sin vanishes there.
 */
export function hermitianInverseDftValues(n: number): { a: Float64Array; b: Float64Array } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`inverse DFT length must be a positive integer, got ${n}`);
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * n);
  for (let k = 0; k <= Math.floor(n / 2); k++) {
    const w = k === 0 || 2 * k === n ? 1 : 2;
    for (let t = 0; t < n; t++) {
      const ang = (2 * Math.PI * ((k * t) % n)) / n;
      a[k * n + t] = (w * Math.cos(ang)) / n;
      b[k * n + t] = (-w * Math.sin(ang)) / n;
    }
  }
  return { a, b };
}

/**
 * Hermitian inverse DFT matrix [2n, n] = [A; B] (see {@link hermitianInverseDftValues}): for
 * spectra in the rows of [Re | Im] [R, 2n], the product is the real signal [R, n], exactly
 * `torch.irfft(·, 1, onesided=False)` / `torch.fft.irfft(·, n)`.
 */
export function hermitianInverseDftMatrix(n: number): tf.Tensor2D {
  const { a, b } = hermitianInverseDftValues(n);
  const m = new Float32Array(2 * n * n);
  m.set(a, 0);
  m.set(b, n * n);
  return tf.tensor2d(m, [2 * n, n]);
}
