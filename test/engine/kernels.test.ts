/**
 * The kernel pack against the stock CPU backend: forward values and gradients agree to 1e-5
 * on transposed, batched, broadcast and sliced shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { conv1d, dftMatrices } from '../../src/engine/ops.js';
import { segmentMean, segmentSoftmax } from '../../src/nn/graph/scatter.js';
import { Rng } from '../../src/util/random.js';
import '../../src/node/setup.js';

const rng = new Rng(7);
function rand(shape: number[]): { shape: number[]; data: Float32Array } {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape, data: rng.uniformArray(n, -1, 1) };
}

/** Run `fn` on both backends with the same inputs; return [wasm, cpu] values as flat arrays. */
async function onBoth(fn: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const out: Float32Array[][] = [];
  for (const b of ['wasm', 'cpu'] as const) {
    await initEngine({ backend: b });
    const r = tf.tidy(fn);
    const list = Array.isArray(r) ? r : [r];
    out.push(list.map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a)));
    tf.dispose(list);
  }
  return [out[0]!, out[1]!];
}

function close(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i]!.length, b[i]!.length, `output ${i} length`);
    let maxAbs = 0;
    let scale = 1;
    for (let j = 0; j < a[i]!.length; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(a[i]![j]! - b[i]![j]!));
      scale = Math.max(scale, Math.abs(b[i]![j]!));
    }
    assert.ok(maxAbs <= tol * scale, `output ${i}: max |Δ| ${maxAbs} > ${tol * scale}`);
  }
}

const matmulCases: Array<[number[], number[], boolean, boolean]> = [
  [[37, 41], [41, 29], false, false],
  [[41, 37], [41, 29], true, false],
  [[37, 41], [29, 41], false, true],
  [[41, 37], [29, 41], true, true],
  [[3, 5, 40, 50], [50, 60], false, false], // broadcast batch folded into rows
  [[6, 40, 50], [6, 50, 60], false, false], // true batch, split
  [[6, 50, 40], [6, 60, 50], true, true],
  [[40, 50], [6, 50, 60], false, false], // a broadcast over b's batch
  [[6, 4, 5], [6, 5, 3], false, false], // small batch stays on the stock path
];

for (const [sa, sb, ta, tb] of matmulCases) {
  test(`BatchMatMul ${sa} x ${sb} tA=${ta} tB=${tb}: value and gradients match cpu`, async () => {
    const A = rand(sa);
    const B = rand(sb);
    const [w, c] = await onBoth(() => {
      const a = tf.tensor(A.data, A.shape);
      const b = tf.tensor(B.data, B.shape);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(tf.matMul(x, y, ta, tb)));
      const y = tf.matMul(a, b, ta, tb);
      const g = tf.grads(f)([a, b]);
      return [y, ...g];
    });
    close(w, c);
  });
}

test('Slice, split and unstack match cpu, with gradients', async () => {
  const X = rand([5, 7, 9]);
  const [w, c] = await onBoth(() => {
    const x = tf.tensor(X.data, X.shape);
    const s1 = tf.slice(x, [1, 2, 3], [3, 4, 5]);
    const s2 = tf.slice(x, [2, 0, 0], [1, 7, 9]);
    const s3 = tf.slice(x, [0, 3, 0], [5, 2, 9]);
    const parts = tf.split(x, [2, 3, 4], 2);
    const rows = tf.unstack(x, 1);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.slice(v, [1, 1, 1], [2, 3, 4]))))(x);
    return [s1, s2, s3, ...parts, ...rows, g];
  });
  close(w, c);
});

test('gather along axis 0 and its gradient (UnsortedSegmentSum) match cpu', async () => {
  const E = rand([50, 8]);
  const idx = Int32Array.from({ length: 64 }, () => rng.int(50));
  const [w, c] = await onBoth(() => {
    const e = tf.tensor(E.data, E.shape);
    const i = tf.tensor2d(idx, [8, 8], 'int32');
    const y = tf.gather(e, i);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, i), tf.gather(v, i))))(e);
    return [y, g];
  });
  close(w, c);
});

test('gather rejects an out-of-range index', async () => {
  await initEngine({ backend: 'wasm' });
  assert.throws(() => tf.tidy(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32'))), /index value 3/);
});

test('segment ops: sum/mean/softmax agree with a hand computation', async () => {
  for (const b of ['wasm', 'cpu'] as const) {
    await initEngine({ backend: b });
    const [sm, mean] = tf.tidy(() => {
      const scores = tf.tensor1d([1, 2, 3, 0.5, 10]);
      const ids = tf.tensor1d([0, 0, 1, 1, 1], 'int32');
      return [segmentSoftmax(scores, ids, 3), segmentMean(tf.tensor2d([[1], [3], [2], [4], [6]]), ids, 3)];
    });
    const s = sm!.dataSync();
    const e1 = Math.exp(1),
      e2 = Math.exp(2);
    assert.ok(Math.abs(s[0]! - e1 / (e1 + e2)) < 1e-6);
    const z = Math.exp(3) + Math.exp(0.5) + Math.exp(10);
    assert.ok(Math.abs(s[4]! - Math.exp(10) / z) < 1e-6);
    assert.deepEqual(Array.from(mean!.dataSync()), [2, 4, 0]);
    tf.dispose([sm!, mean!]);
  }
});

test('conv1d (im2col) matches tf.conv1d on cpu, gradients included', async () => {
  const X = rand([2, 11, 3]);
  const W = rand([5, 3, 4]);
  await initEngine({ backend: 'cpu' });
  const ref = tf.tidy(() => {
    const x = tf.tensor3d(X.data, X.shape as [number, number, number]);
    const w = tf.tensor3d(W.data, W.shape as [number, number, number]);
    return [tf.conv1d(x, w, 1, 'same'), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, 'same'))))([x, w])];
  });
  const refVals = ref.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(ref);
  const [w] = await onBoth(() => {
    const x = tf.tensor3d(X.data, X.shape as [number, number, number]);
    const wt = tf.tensor3d(W.data, W.shape as [number, number, number]);
    return [conv1d(x, wt, 'same'), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 'same'))))([x, wt])];
  });
  close(w, refVals);
});

test('DFT matrices equal a naive complex transform', async () => {
  await initEngine({ backend: 'wasm' });
  const T = 12;
  const x = rng.uniformArray(T, -1, 1);
  const { cos, sin } = dftMatrices(T);
  const re = tf.tidy(() => tf.matMul(cos, tf.tensor2d(x, [T, 1]))).dataSync();
  const im = tf.tidy(() => tf.matMul(sin, tf.tensor2d(x, [T, 1]))).dataSync();
  for (let k = 0; k < T; k++) {
    let r = 0,
      i = 0;
    for (let t = 0; t < T; t++) {
      r += x[t]! * Math.cos((2 * Math.PI * k * t) / T);
      i -= x[t]! * Math.sin((2 * Math.PI * k * t) / T);
    }
    assert.ok(Math.abs(re[k]! - r) < 1e-5 && Math.abs(im[k]! - i) < 1e-5, `bin ${k}`);
  }
  tf.dispose([cos, sin]);
});
