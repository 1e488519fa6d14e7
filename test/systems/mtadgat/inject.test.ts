/** The anomaly-injection generator and the Spectral-Residual cleaner (paper variant). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectAnomalies } from '../../../src/systems/mtadgat/inject.js';
import { cleanWithSpectralResidual, dft, spectralResidualScores } from '../../../src/systems/mtadgat/spectral_residual.js';
import { UsageError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';

const K = 5;
const ROWS = 1400;
const names = ['a', 'b', 'c', 'd', 'e'];
const rng = new Rng(4);
const base = Float32Array.from({ length: ROWS * K }, (_, i) => {
  const t = Math.floor(i / K);
  const c = i % K;
  return 10 + c + Math.sin((2 * Math.PI * t) / 7 + c) * (1 + c / 2) + 0.1 * rng.normal();
});
const series = { data: base, rows: ROWS, cols: K };

test('injection is seeded, leaves the training rows untouched and labels exactly the changed events', () => {
  const a = injectAnomalies(series, names, { seed: 3, trainRows: 600, testRows: 780 });
  const b = injectAnomalies(series, names, { seed: 3, trainRows: 600, testRows: 780 });
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(Array.from(a.test.data), Array.from(b.test.data));
  assert.notDeepEqual(injectAnomalies(series, names, { seed: 4, trainRows: 600, testRows: 780 }).events, a.events);
  assert.deepEqual(Array.from(a.train.data), Array.from(base.subarray(0, 600 * K)));
  assert.equal(a.test.rows, 780);
  assert.equal(a.events.length, 16);
  // Every kind appears; events are ordered, separated by ≥ 30 normal steps, and labelled exactly.
  assert.deepEqual(new Set(a.events.map((e) => e.kind)), new Set(['spike', 'level_shift', 'correlation_break', 'flatline']));
  const want = new Uint8Array(780);
  let prevEnd = -1;
  for (const e of a.events) {
    assert.ok(e.start - prevEnd - 1 >= 30, `gap before ${e.kind}@${e.start}`);
    prevEnd = e.end;
    for (let t = e.start; t <= e.end; t++) want[t] = 1;
  }
  assert.deepEqual(Array.from(a.labels), Array.from(want));
  // Unlabelled rows are the original values.
  const clean = base.subarray(600 * K, 1380 * K);
  for (let t = 0; t < 780; t++) if (!a.labels[t]) for (let c = 0; c < K; c++) assert.equal(a.test.data[t * K + c], clean[t * K + c]);
});

test('each kind does what it says', () => {
  const a = injectAnomalies(series, names, { seed: 9, trainRows: 600, testRows: 780 });
  const clean = base.subarray(600 * K, 1380 * K);
  const col = (n: string): number => names.indexOf(n);
  for (const e of a.events) {
    const cs = e.features.map(col);
    if (e.kind === 'flatline') {
      for (const c of cs) for (let t = e.start; t <= e.end; t++) assert.equal(a.test.data[t * K + c], clean[e.start * K + c]);
    } else if (e.kind === 'spike' || e.kind === 'level_shift') {
      cs.forEach((c, i) => {
        const d = a.test.data[e.start * K + c]! - clean[e.start * K + c]!;
        assert.ok(Math.sign(d) === Math.sign(e.magnitude![i]!) && Math.abs(e.magnitude![i]!) >= (e.kind === 'spike' ? 4 : 1.5));
      });
    } else {
      assert.equal(cs.length, 1);
      assert.ok(e.source !== undefined && e.source !== e.features[0]);
      let changed = 0;
      for (let t = e.start; t <= e.end; t++) changed += a.test.data[t * K + cs[0]!] !== clean[t * K + cs[0]!] ? 1 : 0;
      assert.ok(changed >= e.end - e.start, 'the broken feature follows another series');
    }
  }
});

test('too many events for the test rows is a usage error', () => {
  assert.throws(() => injectAnomalies(series, names, { seed: 0, trainRows: 600, testRows: 200, count: 16 }), UsageError);
  assert.throws(() => injectAnomalies(series, names, { seed: 0, trainRows: 1300, testRows: 200 }), UsageError);
});

test('DFT of any length matches the direct sum', () => {
  for (const n of [7, 16, 45]) {
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + i / n);
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.4));
    const f = dft(re, im, -1);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
        si += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
      }
      assert.ok(Math.abs(f.re[k]! - sr) < 1e-9 && Math.abs(f.im[k]! - si) < 1e-9, `n=${n} k=${k}`);
    }
  }
});

test('Spectral Residual flags an isolated spike and cleaning replaces it with nearby values', () => {
  const n = 400;
  const x = Float32Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * t) / 25));
  x[200] = 6;
  const s = spectralResidualScores(x);
  let argmax = 0;
  for (let i = 0; i < n; i++) if (s[i]! > s[argmax]!) argmax = i;
  assert.equal(argmax, 200);
  const { data, replaced } = cleanWithSpectralResidual(x, n, 1, { magWindow: 3, scoreWindow: 40, threshold: 3, context: 5 });
  assert.ok(replaced[0]! >= 1 && replaced[0]! < 10, `replaced ${replaced[0]}`);
  assert.ok(Math.abs(data[200]!) < 1.5, `spike cleaned to ${data[200]}`);
  assert.equal(data[100], x[100]);
});
