/** MTAD-GAT model: parameter counts (docs/research/timeseries.md §2.6), decoder index map, gradients, overfitting, no leaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { gradCheck } from '../../../src/nn/gradcheck.js';
import { Adam } from '../../../src/optim/optimizers.js';
import { Rng } from '../../../src/util/random.js';
import { MtadGatNet, expectedParameterCount } from '../../../src/systems/mtadgat/model.js';
import { decoderInputSequence, FeatureAttentionLayer, TemporalAttentionLayer } from '../../../src/systems/mtadgat/layers.js';
import { batchLosses, trainModel, windowArrays } from '../../../src/systems/mtadgat/train.js';
import { computeErrors, featureScores } from '../../../src/systems/mtadgat/scores.js';
import type { ModelConfig } from '../../../src/systems/mtadgat/config.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

test('parameter counts match docs/research/timeseries.md §2.6', () => {
  const cases: Array<[Partial<ModelConfig> & { nFeatures: number }, number]> = [
    [{ nFeatures: 8, lookback: 100 }, 336674],
    [{ nFeatures: 8, lookback: 50 }, 298974],
    [{ nFeatures: 38, lookback: 100 }, 402944],
    [{ nFeatures: 25, lookback: 100, targetDims: [0] }, 364327],
    [{ nFeatures: 55, lookback: 100, targetDims: [0] }, 433777],
    [{ nFeatures: 8, lookback: 100, useGatv2: false }, 306374],
  ];
  for (const [cfg, want] of cases) {
    const m = new MtadGatNet(cfg);
    assert.equal(m.numParameters(), want, JSON.stringify(cfg));
    m.dispose();
  }
  // Per-part breakdown of the k = 8, n = 100 model (§2.6: 456 / 40 464 / 10 288 / 79 200 / 69 158 / 137 108).
  const m = new MtadGatNet({ nFeatures: 8, lookback: 100 });
  const part = (prefix: string): number =>
    m
      .namedParameters()
      .filter(([n]) => n.startsWith(prefix))
      .reduce((s, [, v]) => s + v.size, 0);
  assert.deepEqual(['conv.', 'feature_gat.', 'temporal_gat.', 'gru.', 'forecasting_model.', 'recon_model.'].map(part), [456, 40464, 10288, 79200, 69158, 137108]);
  m.dispose();
});

test('the closed-form count also covers embeddings, deeper GRUs and the VAE variant', () => {
  for (const cfg of [
    { nFeatures: 5, lookback: 12, featGatEmbedDim: 7, timeGatEmbedDim: 3, gruNLayers: 2, reconNLayers: 3, fcNLayers: 1 },
    { nFeatures: 5, lookback: 12, useGatv2: false, featGatEmbedDim: 4 },
    { nFeatures: 6, lookback: 9, recon: 'vae' as const, reconHidDim: 11, vaeLatentDim: 5, targetDims: [1, 4] },
  ]) {
    const m = new MtadGatNet(cfg);
    assert.equal(m.numParameters(), expectedParameterCount(m.config), JSON.stringify(cfg));
    m.dispose();
  }
});

test('reference decoder input: row t holds h[⌊(150t + j)/100⌋] (repeat_interleave + view); tiled: h per step', () => {
  const H = 150;
  const n = 100;
  const h = tf.tensor2d(
    Float32Array.from({ length: 2 * H }, (_, i) => i),
    [2, H],
  );
  const ref = decoderInputSequence(h, n, 'reference').arraySync() as number[][][];
  const tiled = decoderInputSequence(h, n, 'tiled').arraySync() as number[][][];
  for (let b = 0; b < 2; b++) {
    for (let t = 0; t < n; t++) {
      for (let j = 0; j < H; j++) {
        assert.equal(ref[b]![t]![j], b * H + Math.floor((H * t + j) / n));
        assert.equal(tiled[b]![t]![j], b * H + j);
      }
    }
  }
  // Row 0 sees h[0], h[1]; the last row sees h[148], h[149].
  assert.deepEqual([...new Set(ref[0]![0])], [0, 1]);
  assert.deepEqual([...new Set(ref[0]![n - 1])], [148, 149]);
  h.dispose();
});

test('forward shapes; attention rows sum to 1; eval mode is deterministic', () => {
  const m = new MtadGatNet({ nFeatures: 4, lookback: 9, gruHidDim: 12, fcHidDim: 10, reconHidDim: 8, targetDims: [0, 2] });
  m.eval();
  const x = tf.randomUniform([3, 9, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
  const o = m.forward(x, { attention: true });
  assert.deepEqual(o.forecast.shape, [3, 2]);
  assert.deepEqual(o.recon.shape, [3, 9, 2]);
  assert.deepEqual(o.featureAttention!.shape, [3, 4, 4]);
  assert.deepEqual(o.temporalAttention!.shape, [3, 9, 9]);
  for (const a of [o.featureAttention!, o.temporalAttention!]) {
    const sums = tf.sum(a, -1).dataSync();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `attention row sums to ${s}`);
  }
  const o2 = m.forward(x);
  assert.deepEqual(Array.from(o2.forecast.dataSync()), Array.from(o.forecast.dataSync()));
  tf.dispose([x, o.forecast, o.recon, o.featureAttention!, o.temporalAttention!, o2.forecast, o2.recon]);
  m.dispose();
});

test('gradient check: the whole model (GATv2 and GAT, reference decoder map) against finite differences', () => {
  for (const useGatv2 of [true, false]) {
    const rng = new Rng(7);
    const m = new MtadGatNet({ nFeatures: 3, lookback: 6, kernelSize: 3, gruHidDim: 4, fcHidDim: 4, fcNLayers: 1, reconHidDim: 4, dropout: 0, useGatv2 }, rng);
    // Non-zero attention biases so their gradient path is exercised.
    for (const [name, v] of m.namedParameters()) if (name.endsWith('gat.bias')) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 5));
    m.train();
    const x = tf.randomUniform([2, 6, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
    const y = tf.randomUniform([2, 3], 0, 1, 'float32', 3) as tf.Tensor2D;
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const o = m.forward(x);
        const l = batchLosses(m, o, y, x);
        return tf.add(l.forecast, l.recon) as tf.Scalar;
      });
    const r = gradCheck(loss, m.namedParameters(), { eps: 1e-2, rtol: 5e-2, atol: 2e-3, maxPerVariable: 6, rng: new Rng(1) });
    assert.deepEqual(r.failures, [], `GATv2=${useGatv2}: ${JSON.stringify(r.failures.slice(0, 3))}`);
    assert.ok(r.checked > 100);
    tf.dispose([x, y]);
    m.dispose();
  }
});

test('gradient check: attention layers with an embedding size of their own', () => {
  // LeakyReLU has a kink at 0: with slope 0.2 a large finite-difference step can cross it, so the
  // step is small there; with slope 1 the layer is smooth and a larger step is checked too.
  for (const useGatv2 of [true, false]) {
    for (const [alpha, eps] of [
      [0.2, 1e-3],
      [1, 1e-2],
    ] as const) {
      const rng = new Rng(3);
      const f = new FeatureAttentionLayer(3, 5, 0, alpha, 2, useGatv2, rng);
      const t = new TemporalAttentionLayer(3, 5, 0, alpha, 4, useGatv2, rng);
      for (const l of [f, t]) l.bias.assign(tf.randomNormal(l.bias.shape, 0, 0.5, 'float32', 9));
      const x = tf.randomUniform([2, 5, 3], -1, 1, 'float32', 4) as tf.Tensor3D;
      const w = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 8);
      const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(tf.add(f.forward(x).h, tf.square(t.forward(x).h)), w)) as tf.Scalar);
      const r = gradCheck(loss, [...f.namedParameters('f.'), ...t.namedParameters('t.')], { eps, rtol: 5e-2, atol: 1e-3 });
      assert.deepEqual(r.failures, [], `GATv2=${useGatv2} slope ${alpha}: ${JSON.stringify(r.failures.slice(0, 3))}`);
      tf.dispose([x, w]);
      f.dispose();
      t.dispose();
    }
  }
});

test('a tiny model overfits a tiny batch', () => {
  const rng = new Rng(0);
  const m = new MtadGatNet({ nFeatures: 3, lookback: 8, gruHidDim: 24, fcHidDim: 24, fcNLayers: 1, reconHidDim: 24, dropout: 0, decoderInput: 'tiled' }, rng);
  const rows = 20;
  const data = Float32Array.from({ length: rows * 3 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.7 + (i % 3)));
  const a = windowArrays(
    { data, rows, cols: 3 },
    Int32Array.from({ length: 8 }, (_, i) => i),
    8,
    [0, 1, 2],
  );
  const x = tf.tensor3d(a.x, [8, 8, 3]);
  const y = tf.tensor2d(a.y, [8, 3]);
  const named = m.namedTrainable();
  const opt = new Adam(named, { lr: 1e-2 });
  const vars = named.map(([, v]) => v);
  const losses: number[] = [];
  for (let step = 0; step < 150; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const l = batchLosses(m, m.forward(x), y, x);
      return tf.add(l.forecast, l.recon) as tf.Scalar;
    }, vars);
    losses.push(value.dataSync()[0]!);
    opt.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  assert.ok(losses.at(-1)! < 0.15 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
  tf.dispose([x, y]);
  opt.dispose();
  m.dispose();
});

test('training and scoring leave no tensors behind; the VAE variant trains and gives the paper score', async () => {
  const rows = 60;
  const cols = 3;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => 0.5 + 0.3 * Math.sin(i * 0.31) + 0.05 * Math.cos(i * 1.7));
  const series = { data, rows, cols };
  const before = tf.memory().numTensors;
  for (const recon of ['gru', 'vae'] as const) {
    const r = await trainModel({
      series,
      model: { lookback: 6, gruHidDim: 8, fcHidDim: 8, fcNLayers: 1, reconHidDim: 8, recon },
      train: { epochs: 2, batchSize: 16 },
      seed: 1,
    });
    assert.equal(r.history.length, 2);
    assert.ok(r.history.every((h) => Number.isFinite(h.trainTotal) && Number.isFinite(h.valTotal!)));
    const mid = tf.memory().numTensors;
    const { errors } = computeErrors(r.model, series, { batchSize: 16 });
    assert.equal(tf.memory().numTensors, mid, 'scoring leaks tensors');
    assert.equal(errors.steps, rows - 6);
    if (recon === 'vae') {
      assert.ok(errors.reconImprob !== null);
      const s = featureScores(errors, { gamma: 0.8, score: 'paper', scaleScores: false });
      for (let i = 0; i < s.length; i++) {
        const want = (errors.forecastErr[i]! ** 2 + 0.8 * errors.reconImprob![i]!) / 1.8;
        assert.ok(Math.abs(s[i]! - want) < 1e-6);
        assert.ok(errors.reconImprob![i]! >= 0 && errors.reconImprob![i]! <= 1);
      }
    }
    r.model.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'training leaks tensors');
});
