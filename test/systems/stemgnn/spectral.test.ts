/** DFT / Hermitian inverse DFT matrices against a naive complex transform. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { forwardDftMatrix, hermitianInverseDftMatrix, hermitianInverseDftValues } from '../../../src/systems/stemgnn/spectral.js';
import { Rng } from '../../../src/util/random.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

/** Naive X[f] = Σ_t x[t]·e^{−2πi·f·t/n}. */
function naiveDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let f = 0; f < n; f++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < n; t++) {
      a += x[t]! * Math.cos((2 * Math.PI * f * t) / n);
      b -= x[t]! * Math.sin((2 * Math.PI * f * t) / n);
    }
    re.push(a);
    im.push(b);
  }
  return { re, im };
}

/**
 * Naive c2r inverse as torch.fft.irfft(z, n) defines it: keep bins 0…⌊n/2⌋, drop the imaginary
 * part of bin 0 (and of bin n/2 for even n), rebuild the Hermitian spectrum and take the real
 * inverse transform with 1/n.
 */
function naiveHermitianInverse(re: number[], im: number[]): number[] {
  const n = re.length;
  const R = new Array<number>(n);
  const I = new Array<number>(n);
  for (let k = 0; k <= Math.floor(n / 2); k++) {
    R[k] = re[k]!;
    I[k] = k === 0 || 2 * k === n ? 0 : im[k]!;
  }
  for (let k = Math.floor(n / 2) + 1; k < n; k++) {
    R[k] = R[n - k]!;
    I[k] = -I[n - k]!;
  }
  const out: number[] = [];
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const ang = (2 * Math.PI * k * t) / n;
      s += R[k]! * Math.cos(ang) - I[k]! * Math.sin(ang); // real part of (R + iI)·e^{+iθ}
    }
    out.push(s / n);
  }
  return out;
}

for (const n of [1, 2, 7, 12, 60]) {
  test(`forward DFT matrix (n=${n}) equals the naive complex DFT to 1e-5`, () => {
    const rng = new Rng(n);
    const rows = 3;
    const x = Array.from({ length: rows }, () => Array.from(rng.normalArray(n)));
    const F = forwardDftMatrix(n);
    const y = tf.matMul(tf.tensor2d(x), F);
    const got = y.arraySync() as number[][];
    tf.dispose([F, y]);
    for (let r = 0; r < rows; r++) {
      const { re, im } = naiveDft(x[r]!);
      const scale = Math.max(1, ...re.map(Math.abs), ...im.map(Math.abs));
      for (let f = 0; f < n; f++) {
        assert.ok(Math.abs(got[r]![f]! - re[f]!) <= 1e-5 * scale, `Re bin ${f}: ${got[r]![f]} vs ${re[f]}`);
        assert.ok(Math.abs(got[r]![n + f]! - im[f]!) <= 1e-5 * scale, `Im bin ${f}: ${got[r]![n + f]} vs ${im[f]}`);
      }
    }
  });

  test(`Hermitian inverse DFT matrix (n=${n}) equals the naive c2r inverse on arbitrary spectra`, () => {
    const rng = new Rng(100 + n);
    // Arbitrary (non-Hermitian) spectra, as the GLUs produce them.
    const re = Array.from(rng.normalArray(n));
    const im = Array.from(rng.normalArray(n));
    const want = naiveHermitianInverse(re, im);
    const { a, b } = hermitianInverseDftValues(n);
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += re[k]! * a[k * n + t]! + im[k]! * b[k * n + t]!;
      assert.ok(Math.abs(s - want[t]!) < 1e-12, `float64 t=${t}: ${s} vs ${want[t]}`);
    }
    const M = hermitianInverseDftMatrix(n);
    const y = tf.matMul(tf.tensor2d([[...re, ...im]]), M);
    const got = y.dataSync();
    tf.dispose([M, y]);
    for (let t = 0; t < n; t++) assert.ok(Math.abs(got[t]! - want[t]!) < 1e-5, `float32 t=${t}: ${got[t]} vs ${want[t]}`);
  });
}

test('inverse of the forward DFT gives the signal back (n = 12)', () => {
  const x = Array.from(new Rng(3).normalArray(12));
  const F = forwardDftMatrix(12);
  const M = hermitianInverseDftMatrix(12);
  const y = tf.matMul(tf.matMul(tf.tensor2d([x]), F), M);
  const got = y.dataSync();
  tf.dispose([F, M, y]);
  for (let t = 0; t < 12; t++) assert.ok(Math.abs(got[t]! - x[t]!) < 1e-5);
});

test('the inverse ignores bins above n/2 and the imaginary part of bins 0 and n/2', () => {
  const n = 8;
  const { a, b } = hermitianInverseDftValues(n);
  for (let t = 0; t < n; t++) {
    for (let k = 5; k < n; k++) assert.equal(a[k * n + t], 0);
    assert.ok(Math.abs(b[0 * n + t]!) < 1e-15 && Math.abs(b[4 * n + t]!) < 1e-12);
  }
});
