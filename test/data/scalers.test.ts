import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ZScoreScaler, MinMaxScaler, fitScaler, scalerFromJSON } from '../../src/data/scalers.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';

before(async () => {
  await tf.setBackend('cpu');
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, msg = ''): void => {
  assert.equal(a.length, b.length, msg);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${msg} [${i}] ${a[i]} vs ${b[i]}`);
};

// 4 rows × 3 cols: col 0 = 1,2,3,4 (mean 2.5, population std √1.25), col 1 constant 7, col 2 = -2,0,0,2 (mean 0, std √2).
const train = Float32Array.from([1, 7, -2, 2, 7, 0, 3, 7, 0, 4, 7, 2]);

test('z-score: population mean/std; a constant column uses std 1 (kept as 0 in the stats)', () => {
  const s = ZScoreScaler.fit(train, 3);
  close(s.mean, [2.5, 7, 0], 1e-12);
  close(s.std, [Math.sqrt(1.25), 0, Math.sqrt(2)], 1e-12);
  const y = s.transform(Float32Array.from([3.5, 9, 1]));
  close(y, [1 / Math.sqrt(1.25), 2, 1 / Math.sqrt(2)], 1e-6);
});

test('z-score: inverse undoes transform; JSON round trip gives the same scaler', () => {
  const rng = new Rng(5);
  const x = rng.normalArray(40 * 3, 3, 10);
  const s = ZScoreScaler.fit(train, 3);
  close(s.inverse(s.transform(x)), x, 1e-4);
  const restored = scalerFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assert.ok(restored instanceof ZScoreScaler);
  assert.deepEqual(restored.toJSON(), s.toJSON());
  assert.deepEqual(restored.transform(x), s.transform(x));
  // In place.
  const copy = x.slice();
  s.transform(copy, copy);
  assert.deepEqual(copy, s.transform(x));
});

test('min-max: StemGNN scale (range + 1e-5), clipping of out-of-range values, inverse with + 1e-8', () => {
  const s = MinMaxScaler.fit(train, 3);
  close(s.min, [1, 7, -2], 0);
  close(s.max, [4, 7, 2], 0);
  const y = s.transform(Float32Array.from([2.5, 7, 10, 0, 8, -3]));
  close(y, [1.5 / (3 + 1e-5), 0, 1, 0, 1, 0], 1e-7);
  // de_normalized: y * (max − min + 1e-8) + min
  const back = s.inverse(Float32Array.from([0.5, 0.5, 1]));
  close(back, [0.5 * (3 + 1e-8) + 1, 0.5 * 1e-8 + 7, 1 * (4 + 1e-8) - 2], 1e-6);
  // The reference's epsilon mismatch: inverse(transform(x)) = min + (x − min)(r + 1e-8)/(r + 1e-5).
  const x = 3;
  const rt = s.inverse(s.transform(Float32Array.from([x, 7, 0])))[0]!;
  close([rt], [1 + ((x - 1) * (3 + 1e-8)) / (3 + 1e-5)], 1e-6);
});

test('min-max without clipping and with equal epsilons inverts exactly (to float32)', () => {
  const s = MinMaxScaler.fit(train, 3, { clip: false, eps: 1e-6, inverseEps: 1e-6 });
  const x = Float32Array.from([10, -5, 3, 0.5, 7, -2]);
  close(s.inverse(s.transform(x)), x, 1e-5);
  const j = JSON.parse(JSON.stringify(s.toJSON()));
  assert.deepEqual(j, { kind: 'min-max', min: [1, 7, -2], max: [4, 7, 2], eps: 1e-6, inverseEps: 1e-6, clip: false });
  assert.deepEqual(scalerFromJSON(j).transform(x), s.transform(x));
});

test('tensor versions broadcast over the last axis and match the array versions', () => {
  const rng = new Rng(9);
  const x = rng.normalArray(2 * 5 * 3, 2, 4);
  for (const s of [fitScaler('z-score', train, 3), fitScaler('min-max', train, 3)]) {
    const xt = tf.tensor3d(x, [2, 5, 3]);
    const yt = s.transformTensor(xt);
    assert.deepEqual(yt.shape, [2, 5, 3]);
    close(yt.dataSync(), s.transform(x), 1e-5, s.kind);
    const zt = s.inverseTensor(yt);
    close(zt.dataSync(), s.inverse(s.transform(x)), 1e-4, s.kind);
    assert.throws(() => s.transformTensor(tf.zeros([2, 4])), RangeError);
    tf.dispose([xt, yt, zt]);
  }
});

test('fitting on data with NaN, or on zero rows, is an InputError naming the column', () => {
  const bad = Float32Array.from([1, 2, 3, NaN]);
  assert.throws(
    () => ZScoreScaler.fit(bad, 2, { header: ['a', 'b'], source: 'd.csv' }),
    (e: unknown) => e instanceof InputError && e.message.startsWith('d.csv, column 2, field "b": training data has a missing (NaN) value at data row 2'),
  );
  assert.throws(() => MinMaxScaler.fit(new Float32Array(0), 2), InputError);
  assert.throws(() => ZScoreScaler.fit(train, 5), RangeError);
});

test('fromJSON validates the saved form', () => {
  const bad = (json: unknown, field: string): void => {
    assert.throws(
      () => scalerFromJSON(json, 'model/scaler.json'),
      (e: unknown) => e instanceof InputError && e.location.file === 'model/scaler.json' && e.location.field === field,
    );
  };
  bad({ kind: 'robust' }, 'kind');
  bad({ kind: 'z-score', mean: [1, 2], std: [1] }, 'std');
  bad({ kind: 'z-score', mean: [1, 'x'], std: [1, 1] }, 'mean');
  bad({ kind: 'z-score', mean: [1], std: [-1] }, 'std');
  bad({ kind: 'min-max', min: [3], max: [1], eps: 1e-5, inverseEps: 1e-8, clip: true }, 'min');
  bad({ kind: 'min-max', min: [0], max: [1], eps: -1, inverseEps: 1e-8, clip: true }, 'eps');
  bad({ kind: 'min-max', min: [0], max: [1], eps: 1e-5, inverseEps: 1e-8 }, 'clip');
  assert.throws(() => scalerFromJSON(null), InputError);
});
