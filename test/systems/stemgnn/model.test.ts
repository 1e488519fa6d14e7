/**
 * StemGNNNet model: parameter counts, Chebyshev stack, attention, parity with the official PyTorch
 * code (forward and gradients, fixtures made by scripts/stemgnn/make_fixtures.py), paper
 * variants, tensor leaks, and overfitting a tiny series.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { loadSafetensorsFile as loadSafetensors } from '../../../src/node/safetensors.js';
import { RMSprop } from '../../../src/optim/optimizers.js';
import { trainStep } from '../../../src/train/step.js';
import { StemGNNNet, officialParameterCount } from '../../../src/systems/stemgnn/model.js';
import { additiveAttention, batchGraphLaplacian, chebyshevStack } from '../../../src/systems/stemgnn/latent-correlation.js';
import { Rng } from '../../../src/util/random.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'stemgnn');

interface Flat {
  shape: number[];
  data: number[];
}
interface Fixture {
  config: { nodes: number; window: number; multiLayer: number; horizon: number };
  x: Flat;
  y?: Flat;
  forecast: Flat;
  attention: Flat;
  mulL?: Flat;
  loss?: number;
  noGrad?: string[];
  numParameters: number;
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIX, `${name}.json`), 'utf8')) as Fixture;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function loadFixtureModel(name: string): { model: StemGNNNet; fx: Fixture } {
  const fx = fixture(name);
  const model = new StemGNNNet({ ...fx.config });
  const sd = loadSafetensors(join(FIX, `${name}.safetensors`));
  model.loadStateDict(sd); // strict: names and shapes must be the official ones
  tf.dispose([...sd.values()]);
  model.eval();
  return { model, fx };
}

test('parameter counts match the official code (docs/research/timeseries.md §1.6)', () => {
  const cases: Array<[number, number, number, number, number]> = [
    [20, 12, 5, 3, 1_060_423],
    [20, 12, 2, 3, 195_919],
    [12, 12, 5, 3, 1_059_303],
    [4, 12, 5, 3, 1_058_567],
    [140, 12, 5, 3, 1_123_303],
    [25, 28, 5, 28, 5_748_347],
  ];
  for (const [N, T, m, H, want] of cases) {
    assert.equal(officialParameterCount(N, T, m, H), want, `formula N=${N} T=${T} m=${m} H=${H}`);
    const model = new StemGNNNet({ nodes: N, window: T, multiLayer: m, horizon: H });
    assert.equal(model.numParameters(), want, `model N=${N} T=${T} m=${m} H=${H}`);
    model.dispose();
  }
});

test('state dict names are the official ones', () => {
  const model = new StemGNNNet({ nodes: 5, window: 12, multiLayer: 1, horizon: 3 });
  const names = [...model.stateDict().keys()];
  for (const n of [
    'weight_key',
    'weight_query',
    'GRU.weight_ih_l0',
    'GRU.bias_hh_l0',
    'stock_block.0.weight',
    'stock_block.0.backcast.weight',
    'stock_block.1.backcast_short_cut.bias',
    'stock_block.1.GLUs.5.linear_right.weight',
    'fc.0.weight',
    'fc.2.bias',
  ]) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
  assert.ok(!names.includes('stock_block.1.backcast.weight'), 'block 1 has no backcast in the official code');
  assert.equal(model.stateDict().get('stock_block.0.weight')!.shape.join(), '1,4,1,12,12');
  model.dispose();
});

test('Chebyshev stack: T0 = 0, T1 = L, T2 = 2L², T3 = 4L³ − L', () => {
  const rng = new Rng(5);
  const N = 6;
  const L = Array.from({ length: N }, () => Array.from(rng.normalArray(N)));
  const mm = (a: number[][], b: number[][]) => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  const L2 = mm(L, L);
  const L3 = mm(L2, L);
  const stack = chebyshevStack(tf.tensor2d(L));
  const got = stack.arraySync() as number[][][];
  stack.dispose();
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      assert.equal(got[0]![i]![j], 0);
      assert.ok(Math.abs(got[1]![i]![j]! - L[i]![j]!) < 1e-6);
      assert.ok(Math.abs(got[2]![i]![j]! - 2 * L2[i]![j]!) < 1e-4);
      assert.ok(Math.abs(got[3]![i]![j]! - (4 * L3[i]![j]! - L[i]![j]!)) < 1e-3);
    }
  }
});

test('Laplacian uses degrees of the unsymmetrised batch-mean attention', () => {
  // Two samples of a 3-node attention whose rows do not sum to 1, so d ≠ row sums of (A + Aᵀ)/2.
  const att = tf.tensor3d([
    [
      [0.2, 0.5, 0.1],
      [0.3, 0.3, 0.3],
      [0.9, 0.0, 0.4],
    ],
    [
      [0.4, 0.1, 0.3],
      [0.1, 0.5, 0.1],
      [0.1, 0.2, 0.2],
    ],
  ]);
  const { laplacian, graph } = batchGraphLaplacian(att);
  const A = [
    [0.3, 0.3, 0.2],
    [0.2, 0.4, 0.2],
    [0.5, 0.1, 0.3],
  ];
  const d = A.map((r) => r[0]! + r[1]! + r[2]!);
  const L = laplacian.arraySync() as number[][];
  const G = graph.arraySync() as number[][];
  tf.dispose([att, laplacian, graph]);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const s = (A[i]![j]! + A[j]![i]!) / 2;
      const want = ((i === j ? d[i]! : 0) - s) / ((Math.sqrt(d[i]!) + 1e-7) * (Math.sqrt(d[j]!) + 1e-7));
      assert.ok(Math.abs(G[i]![j]! - s) < 1e-6);
      assert.ok(Math.abs(L[i]![j]! - want) < 1e-5, `L[${i}][${j}] ${L[i]![j]} vs ${want}`);
    }
  }
});

test('attention rows sum to 1 in eval mode, and dropout perturbs them in training', () => {
  const model = new StemGNNNet({ nodes: 6, window: 12, multiLayer: 1, horizon: 3 }, 3);
  const x = tf.randomNormal([8, 12, 6], 0, 1, 'float32', 1) as tf.Tensor3D;
  const states = model.gru.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D).output;
  const att = additiveAttention(states, model.weightKey, model.weightQuery, 0.2);
  const sums = tf.sum(att, -1).dataSync();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `row sum ${s}`);
  // Eval mode: the model's graph comes from rows summing to 1, so diag(L) = (1 − A_s[i,i]) / (1 + 1e-7)².
  model.eval();
  const { mulL, attention } = model.latentCorrelation(x);
  const L = tf.slice(mulL, [1, 0, 0], [1, 6, 6]).arraySync() as number[][][];
  const As = attention.arraySync() as number[][];
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(L[0]![i]![i]! - (1 - As[i]![i]!) / (1 + 1e-7) ** 2) < 1e-5);
  const total = tf.sum(attention).dataSync()[0]!;
  assert.ok(Math.abs(total - 6) < 1e-4, `A_s sums to N in eval, got ${total}`);
  // Training mode: attention dropout (p = 0.5) changes the graph.
  model.train();
  const trainGraph = model.latentCorrelation(x).attention;
  const diff = tf.max(tf.abs(tf.sub(trainGraph, attention))).dataSync()[0]!;
  assert.ok(diff > 1e-3, 'dropout should perturb the graph in training');
  tf.dispose([x, states, att, mulL, attention, trainGraph]);
  model.dispose();
});

for (const name of ['tiny', 'odd']) {
  test(`official weights (${name} fixture) give the official forecast and graph to 1e-4`, () => {
    const { model, fx } = loadFixtureModel(name);
    assert.equal(model.numParameters(), fx.numParameters);
    const x = tf.tensor3d(fx.x.data, fx.x.shape as [number, number, number]);
    const { forecast, attention } = model.forward(x);
    assert.deepEqual(forecast.shape, fx.forecast.shape);
    const df = maxAbsDiff(forecast.dataSync(), fx.forecast.data);
    const da = maxAbsDiff(attention.dataSync(), fx.attention.data);
    assert.ok(df <= 1e-4, `forecast differs by ${df}`);
    assert.ok(da <= 1e-4, `attention differs by ${da}`);
    if (fx.mulL) {
      const { mulL } = model.latentCorrelation(x);
      const dl = maxAbsDiff(mulL.dataSync(), fx.mulL.data);
      assert.ok(dl <= 1e-4, `Chebyshev stack differs by ${dl}`);
      mulL.dispose();
    }
    tf.dispose([x, forecast, attention]);
    model.dispose();
  });
}

test('gradients of the MSE loss agree with PyTorch (eval mode, tiny fixture)', () => {
  const { model, fx } = loadFixtureModel('tiny');
  const want = loadSafetensors(join(FIX, 'tiny_grads.safetensors'));
  const x = tf.tensor3d(fx.x.data, fx.x.shape as [number, number, number]);
  const y = tf.tensor3d(fx.y!.data, fx.y!.shape as [number, number, number]);
  const named = model.namedParameters();
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(y, model.forward(x).forecast) as tf.Scalar,
    named.map(([, v]) => v),
  );
  assert.ok(Math.abs(value.dataSync()[0]! - fx.loss!) < 1e-5, `loss ${value.dataSync()[0]} vs ${fx.loss}`);
  let checked = 0;
  for (const [name, v] of named) {
    const g = grads[v.name];
    if (fx.noGrad!.includes(name)) {
      // The official block 1 never uses backcast_short_cut: no gradient (or an all-zero one).
      if (g) assert.equal(tf.max(tf.abs(g)).dataSync()[0], 0, name);
      continue;
    }
    const w = want.get(name);
    assert.ok(w && g, `gradient of ${name}`);
    const scale = Math.max(1e-4, tf.max(tf.abs(w)).dataSync()[0]!);
    const d = maxAbsDiff(g.dataSync(), w.dataSync());
    assert.ok(d <= 1e-4 * scale, `${name}: gradient differs by ${d} (scale ${scale})`);
    checked++;
  }
  assert.equal(checked, want.size);
  tf.dispose([x, y, value, ...Object.values(grads), ...want.values()]);
  model.dispose();
});

test('paper variants are named options, off by default', () => {
  const base = { nodes: 5, window: 12, multiLayer: 1, horizon: 3 };
  const official = new StemGNNNet(base, 1);
  const conv = new StemGNNNet({ ...base, speSeqConv: 3 }, 1);
  const residual = new StemGNNNet({ ...base, residualBackcast: true }, 1);
  // Two 4→4 channel convolutions of kernel 3 per block (weights + biases).
  assert.equal(conv.numParameters() - official.numParameters(), 2 * 2 * (4 * 4 * 3 + 4));
  assert.ok([...conv.stateDict().keys()].includes('stock_block.0.conv_real.weight'));
  assert.equal(residual.numParameters(), official.numParameters());
  assert.equal(official.config.speSeqConv, 0);
  assert.equal(official.config.residualBackcast, false);
  // Same weights, different backcast rule → different forecasts.
  residual.loadStateDict(official.stateDict());
  official.eval();
  residual.eval();
  conv.eval();
  const x = tf.randomNormal([4, 12, 5], 0, 1, 'float32', 2) as tf.Tensor3D;
  const a = official.forward(x).forecast;
  const b = residual.forward(x).forecast;
  const c = conv.forward(x).forecast;
  assert.deepEqual(c.shape, [4, 3, 5]);
  assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! > 1e-4);
  tf.dispose([x, a, b, c]);
  for (const m of [official, conv, residual]) m.dispose();
});

test('training steps leak no tensors, and a tiny model overfits a tiny series', () => {
  const N = 3;
  const T = 8;
  const H = 2;
  // 64 windows of a noiseless 3-series periodic signal (normalised scale).
  const rows = 74;
  const series = new Float32Array(rows * N);
  for (let t = 0; t < rows; t++) for (let c = 0; c < N; c++) series[t * N + c] = Math.sin((2 * Math.PI * t) / 6 + c) + 0.5 * Math.cos((2 * Math.PI * t) / 4 + 2 * c);
  const B = rows - T - H + 1;
  const xs = new Float32Array(B * T * N);
  const ys = new Float32Array(B * H * N);
  for (let b = 0; b < B; b++) {
    xs.set(series.subarray(b * N, (b + T) * N), b * T * N);
    ys.set(series.subarray((b + T) * N, (b + T + H) * N), b * H * N);
  }
  const x = tf.tensor3d(xs, [B, T, N]);
  const y = tf.tensor3d(ys, [B, H, N]);
  const model = new StemGNNNet({ nodes: N, window: T, multiLayer: 1, horizon: H, attentionDropout: 0 }, 4);
  const opt = new RMSprop(model.namedTrainable(), { lr: 3e-3 });
  const loss = () => tf.losses.meanSquaredError(y, model.forward(x).forecast) as tf.Scalar;
  const first = trainStep({ optimizer: opt, loss });
  trainStep({ optimizer: opt, loss });
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 300; i++) last = trainStep({ optimizer: opt, loss });
  assert.equal(tf.memory().numTensors, before, 'tensor count must stay flat across steps');
  assert.ok(first > 0.3, `initial loss ${first}`);
  assert.ok(last < 0.03, `a tiny model should overfit the tiny series: loss ${first} → ${last}`);
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
});
