/**
 * Kernel parity against the tfjs `cpu` backend with the native kernel pack on and off: forward
 * values and gradients agree to 1e-5 (relative to max(1, |reference|)) for every native kernel and
 * every transpose / batch / broadcast form of BatchMatMul, on each GEMM micro-kernel this CPU can
 * run. Also: no tensor leaks, and a stop-gradient that stops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { stopGradient } from '../../src/engine/ops.js';
import { nativeAddon } from '../../src/node/native/index.js';
import { Rng } from '../../src/util/random.js';
import { GRU } from '../../src/nn/gru.js';
import '../../src/node/setup.js';
import { Adam, RMSprop } from '../../src/optim/optimizers.js';

const rng = new Rng(11);
type Data = { shape: number[]; data: Float32Array };
function rand(shape: number[], lo = -1, hi = 1): Data {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape, data: rng.uniformArray(n, lo, hi) };
}
const T = (d: Data) => tf.tensor(d.data, d.shape);

type Mode = 'on' | 'off';
const addon = nativeAddon();
const modes: Mode[] = addon ? ['on', 'off'] : ['off'];

async function run(backend: 'wasm' | 'cpu', mode: Mode, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initEngine({ backend, native: mode });
  const before = tf.memory().numTensors;
  const r = tf.tidy(fn);
  const list = Array.isArray(r) ? r : [r];
  const vals = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  assert.equal(tf.memory().numTensors, before, `${backend}/${mode}: tensors leaked`);
  return vals;
}

function close(a: Float32Array[], b: Float32Array[], what: string, tol = 1e-5): void {
  assert.equal(a.length, b.length, `${what}: output count`);
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i]!.length, b[i]!.length, `${what}: output ${i} length`);
    let scale = 1;
    for (const v of b[i]!) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < a[i]!.length; j++) {
      const x = a[i]![j]!;
      const y = b[i]![j]!;
      if (Number.isNaN(y) && Number.isNaN(x)) continue;
      if (x === y) continue; // also ±Infinity
      assert.ok(Math.abs(x - y) <= tol * scale, `${what}: output ${i}[${j}] ${x} vs cpu ${y}`);
    }
  }
}

/** Check `fn` on wasm (native pack on and off) against cpu. */
async function parity(what: string, fn: () => tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const ref = await run('cpu', 'off', fn);
  for (const m of modes) close(await run('wasm', m, fn), ref, `${what} [native ${m}]`, tol);
}

function matmulGrads(A: Data, B: Data, ta: boolean, tb: boolean) {
  return () => {
    const a = T(A);
    const b = T(B);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(tf.matMul(x, y, ta, tb)));
    return [tf.matMul(a, b, ta, tb), ...tf.grads(f)([a, b])];
  };
}

const matmulCases: Array<[number[], number[], boolean, boolean]> = [
  [[37, 41], [41, 29], false, false],
  [[41, 37], [41, 29], true, false],
  [[37, 41], [29, 41], false, true],
  [[41, 37], [29, 41], true, true],
  [[130, 70], [70, 200], false, false], // several tiles each way, edge tiles on both sides
  [[70, 130], [200, 70], true, true],
  [[3, 5, 40, 50], [50, 60], false, false], // batch of a folded into rows
  [[3, 50, 40], [50, 60], true, false], // transposed a over a shared b: batch loop, b stride 0
  [[6, 40, 50], [6, 50, 60], false, false],
  [[6, 50, 40], [6, 60, 50], true, true],
  [[40, 50], [6, 50, 60], false, false], // a broadcast over b's batch
  [[40, 50], [6, 60, 50], false, true],
  [[6, 4, 5], [6, 5, 3], false, false],
  [[300, 16], [16, 1], false, false], // GEMV shapes (N = 1, M = 1) in every layout
  [[16, 300], [16, 1], true, false],
  [[300, 16], [1, 16], false, true],
  [[1, 64], [64, 90], false, false],
  [[64, 1], [90, 64], true, true],
  [[300, 1], [1, 16], false, false], // K = 1: outer products
  [[1, 300], [16, 1], true, true],
  [[5, 600], [600, 7], false, false], // K over one KC block
  [[4, 0], [0, 3], false, false], // empty K: zeros
];

for (const [sa, sb, ta, tb] of matmulCases) {
  test(`native BatchMatMul ${sa} x ${sb} tA=${ta} tB=${tb}`, async () => {
    await parity(`matmul ${sa}x${sb}`, matmulGrads(rand(sa), rand(sb), ta, tb));
  });
}

test('BatchMatMul with a general batch broadcast matches cpu on explicitly tiled operands (native on and off)', async () => {
  // tfjs's cpu kernel does not broadcast [2,1,…] against [1,3,…]; the reference tiles first.
  for (const [sa, sb, ta, tb] of [
    [[2, 1, 9, 7], [1, 3, 7, 5], false, false],
    [[2, 1, 7, 9], [3, 5, 7], true, true],
    [[2, 1, 3, 4], [1, 3, 4, 2], false, false], // small: below the per-batch split threshold
  ] as Array<[number[], number[], boolean, boolean]>) {
    const A = rand(sa);
    const B = rand(sb);
    const full = [2, 3];
    const want = await run('cpu', 'off', () => {
      const a = tf.tile(tf.reshape(T(A), [2, 1, ...sa.slice(-2)]), [1, 3, 1, 1]);
      const b = tf.tile(tf.reshape(T(B), [1, 3, ...sb.slice(-2)]), [2, 1, 1, 1]);
      return [tf.matMul(a, b, ta, tb)];
    });
    // Stock tfjs-wasm gets this form wrong; the JS kernel pack (native off) handles it itself.
    for (const mode of modes) {
      const got = await run('wasm', mode, () => [tf.reshape(tf.matMul(T(A), T(B), ta, tb), [...full, -1])]);
      close([got[0]!], [want[0]!], `broadcast ${sa}x${sb} [native ${mode}]`);
    }
  }
});

test('every GEMM micro-kernel this CPU runs (avx512 8×32 and 12×32, avx2, generic) matches cpu, 1 and 2 threads', async (t) => {
  if (!addon) return t.skip('native addon not built');
  const initial = addon.arch().name;
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[130, 70], [70, 200], false, false],
    [[70, 130], [200, 70], true, true],
    [[200, 300], [150, 300], false, true], // large enough to split over two threads
    [[3, 7, 9], [3, 7, 40], true, false],
  ];
  try {
    for (const arch of ['avx512', 'avx512-12', 'avx2', 'generic']) {
      if (!addon.setArch(arch)) continue;
      for (const threads of [1, 2]) {
        for (const [sa, sb, ta, tb] of cases) {
          const A = rand(sa);
          const B = rand(sb);
          const fn = matmulGrads(A, B, ta, tb);
          const want = await run('cpu', 'off', fn);
          await initEngine({ backend: 'wasm', native: 'off' });
          // Re-install with this thread count (initEngine installs with the engine's threads).
          const mod = await import('../../src/node/native/index.js');
          mod.uninstallNativeKernels();
          mod.installNativeKernels({ threads });
          const before = tf.memory().numTensors;
          const got = tf.tidy(fn).map((x) => Float32Array.from(x.dataSync()));
          tf.disposeVariables();
          assert.ok(tf.memory().numTensors >= before);
          close(got, want, `${arch} threads ${threads} ${sa}x${sb}`);
          mod.uninstallNativeKernels();
        }
      }
    }
  } finally {
    addon.setArch(initial);
    await initEngine({ backend: 'wasm', native: 'auto' });
  }
});

test('activations and their gradients: tanh, sigmoid, exp, leakyRelu, relu, elu', async () => {
  // Wide range: the tanh polynomial/exponential switch (|x| = 0.55), saturation and exp clamping.
  const X = rand([7, 301], -12, 12);
  X.data[0] = 0;
  X.data[1] = 1e-7;
  X.data[2] = -0.55;
  X.data[3] = 100;
  X.data[4] = -100;
  const D = rand([7, 301]);
  await parity('activations', () => {
    const x = T(X);
    const dy = T(D);
    const fns: Array<(v: tf.Tensor) => tf.Tensor> = [tf.tanh, tf.sigmoid, (v) => tf.exp(tf.clipByValue(v, -80, 80)), (v) => tf.leakyRelu(v, 0.2), (v) => tf.leakyRelu(v, 0.01), tf.relu, tf.elu];
    const out: tf.Tensor[] = [];
    for (const f of fns) {
      out.push(f(x));
      out.push(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(x));
    }
    return out;
  });
});

test('binary ops with every broadcast form, and their gradients', async () => {
  const A = rand([6, 5, 7]);
  const shapes = [[6, 5, 7], [7], [5, 1], [6, 1, 7], [1], [], [6, 5, 1], [1, 5, 1]];
  const Bs = shapes.map((s) => rand(s, 0.5, 2));
  await parity('binary', () => {
    const a = T(A);
    const out: tf.Tensor[] = [];
    for (const B of Bs) {
      const b = B.shape.length === 0 ? tf.scalar(B.data[0]!) : T(B);
      out.push(tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.sub(b, a), tf.div(b, a));
      out.push(...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.sin(tf.div(tf.mul(tf.add(x, y), y), tf.add(y, 3)))))([a, b]));
    }
    return out;
  });
});

test('reductions over contiguous and non-contiguous axes, keepDims, and the bias-gradient form', async () => {
  const X = rand([4, 5, 6, 7]);
  await parity('reductions', () => {
    const x = T(X);
    const out: tf.Tensor[] = [];
    for (const axis of [0, 1, 3, [0, 1], [1, 2], [2, 3], [0, 1, 2, 3], [0, 2], -1]) {
      out.push(tf.sum(x, axis), tf.max(x, axis), tf.min(x, axis), tf.sum(x, axis, true));
    }
    const b = tf.variable(tf.zeros([7]));
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.add(tf.reshape(v, [120, 7]), b))))(x);
    b.dispose();
    out.push(g, tf.sum(tf.reshape(x, [120, 7]), 0));
    return out;
  });
});

test('slice, split, unstack, concat, tile, transpose (float32, int32, bool) with gradients', async () => {
  const X = rand([5, 7, 9]);
  const I = Int32Array.from({ length: 5 * 7 * 9 }, (_, i) => (i * 7919) % 1000);
  await parity('copies', () => {
    const x = T(X);
    const xi = tf.tensor(I, [5, 7, 9], 'int32');
    const xb = tf.greater(x, 0);
    const out: tf.Tensor[] = [
      tf.slice(x, [1, 2, 3], [3, 4, 5]),
      tf.slice(x, [0, 3, 0], [5, 2, 9]),
      tf.slice(x, [0, 0, 4], [5, 7, 1]),
      tf.cast(tf.slice(xi, [2, 1, 1], [2, 5, 6]), 'float32'),
      tf.cast(tf.slice(xb, [1, 0, 2], [3, 7, 3]), 'float32'),
      ...tf.split(x, [2, 3, 4], 2),
      ...tf.split(x, 5, 0),
      ...tf.unstack(x, 1),
      tf.concat([x, tf.slice(x, [0, 0, 0], [5, 7, 2])], 2),
      tf.concat([x, x], 0),
      tf.concat([tf.slice(x, [0, 1, 0], [5, 2, 9]), x], 1),
      tf.cast(tf.concat([xi, xi], 1), 'float32'),
      tf.cast(tf.concat([xb, xb], 2), 'float32'),
      tf.tile(x, [1, 1, 3]),
      tf.tile(x, [2, 1, 2]),
      tf.tile(tf.reshape(x, [5, 63]), [3, 1]),
      tf.cast(tf.tile(xi, [1, 2, 1]), 'float32'),
      tf.transpose(x, [2, 0, 1]),
      tf.transpose(x, [1, 0, 2]),
      tf.cast(tf.transpose(xi, [2, 1, 0]), 'float32'),
      tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.slice(v, [1, 1, 1], [2, 3, 4]))))(x),
      tf.grad((v: tf.Tensor) => tf.sum(tf.sin(tf.concat([v, tf.mul(v, 2)], 1))))(x),
      tf.grad((v: tf.Tensor) => tf.sum(tf.sin(tf.tile(v, [2, 1, 3]))))(x),
      tf.grad((v: tf.Tensor) => tf.sum(tf.sin(tf.transpose(v, [2, 0, 1]))))(x),
    ];
    return out;
  });
});

test('the MTAD-GAT decoder map (tile of expandDims) and its reshape+sum gradient', async () => {
  const H = rand([8, 15]);
  await parity('decoder tile', () => {
    const h = T(H);
    const f = (v: tf.Tensor) => tf.reshape(tf.tile(tf.expandDims(v, 2), [1, 1, 6]), [8, 6, 15]);
    return [f(h), tf.grad((v: tf.Tensor) => tf.sum(tf.sin(f(v))))(h)];
  });
});

test('gather rows and its gradient (UnsortedSegmentSum); bool/int32 rows', async () => {
  const E = rand([50, 8]);
  const idx = Int32Array.from({ length: 64 }, () => rng.int(50));
  await parity('gather', () => {
    const e = T(E);
    const i = tf.tensor2d(idx, [8, 8], 'int32');
    const y = tf.gather(e, i);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, i), tf.gather(v, i))))(e);
    const gi = tf.cast(tf.gather(tf.cast(tf.mul(e, 100), 'int32'), i), 'float32');
    const ss = tf.unsortedSegmentSum(tf.reshape(y, [64, 8]), tf.tensor1d(idx, 'int32'), 50);
    return [y, g, gi, ss];
  });
  await initEngine({ backend: 'wasm' });
  assert.throws(() => tf.tidy(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32'))), /index value 3/);
});

test('stopGradient shares the buffer and stops backprop before the ops that made its input', async () => {
  const X = rand([6, 9]);
  await parity('stopGradient', () => {
    const x = T(X);
    const softmaxShifted = (v: tf.Tensor) => {
      const e = tf.exp(tf.sub(v, stopGradient(tf.max(v, 1, true))));
      return tf.div(e, tf.sum(e, 1, true));
    };
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(softmaxShifted(v), tf.range(0, 9))))(x);
    return [softmaxShifted(x), g];
  });
  // No Max-gradient kernels (Equal) run in the backward pass.
  await initEngine({ backend: 'wasm' });
  const x = tf.tensor(X.data, X.shape);
  const prof = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(tf.exp(tf.sub(v, stopGradient(tf.max(v, 1, true))))))(x));
  x.dispose();
  assert.ok(!prof.kernelNames.includes('Equal'), `kernels: ${prof.kernelNames.join(',')}`);
});

test('Identity and same-dtype Cast share on wasm; a training step leaks no tensors', async () => {
  await initEngine({ backend: 'wasm' });
  const x = tf.tensor([1, 2, 3]);
  const before = tf.memory().numBytes;
  const y = tf.clone(x);
  const c = tf.cast(x, 'float32');
  assert.equal(tf.memory().numBytes - before, 24); // counted per tensor by tfjs-core…
  assert.equal(tf.engine().backend.numDataIds(), tf.engine().backend.numDataIds()); // …but one buffer
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  x.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]); // still alive after x is gone
  tf.dispose([y, c]);
  for (const m of modes) {
    await initEngine({ backend: 'wasm', native: m });
    const w = tf.variable(tf.randomNormal([20, 30], 0, 0.1, 'float32', 1));
    const b = tf.variable(tf.zeros([30]));
    const inp = tf.randomNormal([64, 20], 0, 1, 'float32', 2);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.tanh(tf.add(tf.matMul(inp, w), b)))) as tf.Scalar, [w, b]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    assert.equal(tf.memory().numTensors, n0, `native ${m}: tensors leaked`);
    tf.dispose([w, b, inp]);
  }
});

test('fused GRU layer (forward and BPTT kernels) matches the per-step composite on cpu', async () => {
  const X = rand([5, 9, 6]);
  const H0 = rand([2, 5, 11]);
  const D = rand([5, 9, 11]);
  await parity('gru', () => {
    const gru = new GRU(6, 11, new Rng(3), { numLayers: 2 });
    const x = T(X);
    const h0 = T(H0);
    const dy = T(D);
    const params = gru.parameters();
    const { value, grads } = tf.variableGrads(() => {
      const { output, hN } = gru.forward(x as tf.Tensor3D, h0 as tf.Tensor3D);
      return tf.add(tf.sum(tf.mul(output, dy)), tf.sum(tf.square(hN))) as tf.Scalar;
    }, params);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gru.forward(v as tf.Tensor3D).output, dy)))(x);
    const out = [value, dx, ...params.map((p) => grads[p.name]!), gru.forward(x as tf.Tensor3D, h0 as tf.Tensor3D).output];
    const kept = out.map((t) => t.clone());
    tf.dispose([...Object.values(grads), value]);
    gru.dispose();
    return kept;
  });
});

test('fused Adam and RMSprop steps match the composite updates on cpu (several steps, slots included)', async () => {
  const W = rand([37, 23]);
  const G = [rand([37, 23]), rand([37, 23]), rand([37, 23])];
  for (const make of [(v: tf.Variable) => new Adam([['w', v]], { lr: 1e-2 }), (v: tf.Variable) => new RMSprop([['w', v]], { lr: 1e-2, eps: 1e-8 })]) {
    await parity('optimizer', () => {
      const w = tf.variable(T(W));
      const opt = make(w);
      for (const g of G) opt.step({ [w.name]: T(g) });
      const out = [w.clone(), ...[...opt.stateDict().tensors.values()]];
      opt.dispose();
      w.dispose();
      return out;
    });
  }
});

// npm ci builds the addon (native/build.mjs); when it cannot, the rest of this file would quietly
// test the WASM kernels only, so say so here. SHEAF_NATIVE=0 runs the suite without it on purpose.
test('the native addon is built and loads', { skip: process.env['SHEAF_NATIVE'] === '0' && 'SHEAF_NATIVE=0' }, async () => {
  const { nativeStatus } = await import('../../src/node/native/index.js');
  assert.ok(addon, `native addon unavailable: ${nativeStatus().detail}`);
  const info = await initEngine({ backend: 'wasm', native: 'auto' });
  assert.ok(info.native, 'the engine reports no native micro-kernel family');
});
