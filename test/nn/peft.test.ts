import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { Linear } from '../../src/nn/linear.js';
import { LoRALinear } from '../../src/nn/lora.js';
import { Adapter } from '../../src/nn/adapter.js';
import { HardConcrete, hardConcreteFromNoise } from '../../src/nn/hard_concrete.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

test('LoRALinear: flat (loralib) names, frozen base, starts equal to the base, init bounds', () => {
  const rng = new Rng(60);
  const base = new Linear(6, 5, rng);
  const x = rand(rng, [2, 3, 6]);
  const before = base.forward(x);
  const lora = new LoRALinear(base, rng, { r: 2, alpha: 4 });
  assert.deepEqual([...lora.stateDict().keys()], ['weight', 'bias', 'lora_A', 'lora_B']);
  assert.deepEqual(lora.loraA.shape, [2, 6]);
  assert.deepEqual(lora.loraB.shape, [5, 2]);
  assert.equal(lora.scaling, 2);
  assert.equal(lora.numParameters(), 30 + 5 + 12 + 10);
  assert.equal(lora.numParameters(true), 12 + 10);
  assert.deepEqual(
    lora.namedTrainable().map(([n]) => n),
    ['lora_A', 'lora_B'],
  );
  // kaiming_uniform(a=√5) on [r, in]: bound 1/√in.
  assert.ok(Math.max(...Array.from(lora.loraA.dataSync()).map(Math.abs)) <= 1 / Math.sqrt(6));
  assert.deepEqual(Array.from(lora.loraB.dataSync()), new Array(10).fill(0));
  const y = lora.forward(x);
  assert.deepEqual(y.shape, [2, 3, 5]);
  assertClose(y, before, 1e-6, 1e-6, 'starts as the base');
  tf.dispose([x, before, y]);
  lora.dispose();
});

test('LoRALinear: forward = base + (alpha/r)·x·Aᵀ·Bᵀ; merge/unmerge; disabled branch; peft layout', () => {
  const rng = new Rng(61);
  const lora = new LoRALinear(new Linear(4, 3, rng), rng, { r: 2, alpha: 1 });
  lora.loraB.assign(rand(rng, [3, 2]) as tf.Tensor2D);
  const x = rand(rng, [5, 4]);
  const W = lora.weight.arraySync();
  const b = lora.bias!.arraySync();
  const A = lora.loraA.arraySync();
  const B = lora.loraB.arraySync();
  const xs = x.arraySync() as number[][];
  const manual = xs.map((row) =>
    W.map((wo, o) => {
      let s = b[o]!;
      for (let i = 0; i < 4; i++) s += wo[i]! * row[i]!;
      for (let k = 0; k < 2; k++) {
        let ax = 0;
        for (let i = 0; i < 4; i++) ax += A[k]![i]! * row[i]!;
        s += 0.5 * B[o]![k]! * ax;
      }
      return s;
    }),
  );
  const y = lora.forward(x);
  assertClose(y, manual.flat(), 1e-5, 1e-5, 'formula');
  lora.merge();
  assert.ok(lora.merged);
  assertClose(lora.forward(x), y, 1e-5, 1e-5, 'merged');
  lora.unmerge();
  assertClose(lora.weight, W.flat(), 1e-6, 1e-6, 'unmerged weight');
  lora.enabled = false;
  assertClose(lora.forward(x), tf.add(tf.matMul(x, lora.weight, false, true), lora.bias!), 1e-6, 1e-6, 'disabled');
  lora.enabled = true;
  const peft = new LoRALinear(new Linear(4, 3, rng), rng, { r: 2, layout: 'peft' });
  assert.deepEqual([...peft.stateDict().keys()], ['base_layer.weight', 'base_layer.bias', 'lora_A.weight', 'lora_B.weight']);
  assert.equal(peft.numParameters(true), 8 + 6);
  tf.dispose([x, y]);
  lora.dispose();
  peft.dispose();
});

test('LoRALinear: gradient check over the trainable parameters and the input; base gets no update', () => {
  const rng = new Rng(62);
  const lora = new LoRALinear(new Linear(3, 2, rng), rng, { r: 2, alpha: 3 });
  lora.loraB.assign(rand(rng, [2, 2]) as tf.Tensor2D);
  const x = tf.variable(rand(rng, [4, 3]));
  const R = rand(rng, [4, 2]);
  const loss = (): tf.Scalar => tf.sum(tf.mul(tf.sin(lora.forward(x)), R)) as tf.Scalar;
  expectGradOk(loss, [...lora.namedTrainable(), ['x', x]]);
  // Frozen parameters are not among what an optimiser sees.
  const { grads } = tf.variableGrads(loss, lora.parameters());
  assert.deepEqual(Object.keys(grads).sort(), [lora.loraA.name, lora.loraB.name].sort());
  // Dropout on the branch input is training-only.
  const d = new LoRALinear(new Linear(3, 2, rng), rng, { r: 1, dropout: 0.5 });
  d.loraB.assign(tf.ones([2, 1]));
  const ones = tf.ones([50, 3]);
  const t1 = d.forward(ones);
  d.eval();
  const t2 = d.forward(ones);
  assert.ok(tf.max(tf.abs(tf.sub(t1, t2))).dataSync()[0]! > 1e-4);
  tf.dispose([x, R, ones, t1, t2, ...Object.values(grads)]);
  lora.dispose();
  d.dispose();
});

test('LoRALinear with biased factors (the AdapterGNN variant): forward = base + (x·Aᵀ + b_A)·Bᵀ + b_B, gradient check, merge folds both biases', () => {
  const rng = new Rng(64);
  const base = new Linear(3, 4, rng);
  const W = base.weight.dataSync().slice();
  const b = base.bias!.dataSync().slice();
  const lora = new LoRALinear(base, rng, { r: 2, bias: true });
  assert.deepEqual(
    lora.namedTrainable().map(([n]) => n),
    ['lora_A', 'lora_B', 'lora_A_bias', 'lora_B_bias'],
  );
  assert.deepEqual(Array.from(lora.loraBBias!.dataSync()), [0, 0, 0, 0], 'b_B starts at zero');
  lora.loraB.assign(rand(rng, [4, 2]) as tf.Tensor2D);
  lora.loraBBias!.assign(rand(rng, [4]) as tf.Tensor1D);
  const x = tf.variable(rand(rng, [5, 3]));
  const want = tf.tidy(() =>
    tf.add(
      tf.add(tf.matMul(x, tf.tensor2d(W, [4, 3]), false, true), tf.tensor1d(b)),
      tf.add(tf.matMul(tf.add(tf.matMul(x, lora.loraA, false, true), lora.loraABias!), lora.loraB, false, true), lora.loraBBias!),
    ),
  );
  const y = lora.forward(x);
  assertClose(y, want, 1e-5, 1e-5, 'forward');
  const R = rand(rng, [5, 4]);
  expectGradOk(() => tf.sum(tf.mul(tf.sin(lora.forward(x)), R)) as tf.Scalar, [...lora.namedTrainable(), ['x', x]]);
  lora.merge();
  const merged = lora.forward(x);
  assertClose(merged, want, 1e-5, 1e-5, 'merged');
  lora.unmerge();
  assertClose(lora.weight, tf.tensor2d(W, [4, 3]), 1e-6, 1e-6, 'unmerged weight');
  tf.dispose([x, want, y, R, merged]);
  lora.dispose();
});

test('Adapter: names, count, identity at start, scale options, gradient check', () => {
  const rng = new Rng(63);
  const ad = new Adapter(6, 2, rng);
  assert.deepEqual([...ad.stateDict().keys()], ['down_proj.weight', 'down_proj.bias', 'up_proj.weight', 'up_proj.bias']);
  assert.equal(ad.numParameters(), 6 * 2 + 2 + 2 * 6 + 6);
  const x = rand(rng, [3, 4, 6]);
  const y0 = ad.forward(x);
  assert.deepEqual(y0.shape, [3, 4, 6]);
  assertClose(y0, x, 0, 0, 'identity residual at init');
  // AdapterGNN form: parallel (no residual), learnable scale 0.01, BatchNorm after up_proj.
  const par = new Adapter(6, 2, rng, { residual: false, scale: { learnable: 0.01 }, norm: 'batchnorm' });
  assert.deepEqual(
    [...par.stateDict().keys()],
    ['scale', 'down_proj.weight', 'down_proj.bias', 'up_proj.weight', 'up_proj.bias', 'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked'],
  );
  assert.equal(par.numParameters(), 6 * 2 + 2 + 2 * 6 + 6 + 12 + 1);
  // Non-trivial up-projection for the gradient check.
  ad.upProj.weight.assign(rand(rng, [6, 2]) as tf.Tensor2D);
  const fixed = new Adapter(6, 2, rng, { scale: 0.5, activation: 'gelu' });
  fixed.upProj.weight.assign(rand(rng, [6, 2]) as tf.Tensor2D);
  const expected = tf.add(
    x,
    tf.mul(
      fixed.upProj.forward(
        tf.tidy(() => {
          const h = fixed.downProj.forward(x);
          return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2))));
        }),
      ),
      0.5,
    ),
  );
  assertClose(fixed.forward(x), expected, 1e-6, 1e-5, 'x + 0.5·f(x)');
  const xv = tf.variable(rand(rng, [5, 6]));
  const R = rand(rng, [5, 6]);
  par.upProj.weight.assign(rand(rng, [6, 2]) as tf.Tensor2D);
  for (const m of [ad, par]) {
    expectGradOk(() => tf.sum(tf.mul(m.forward(xv), R)) as tf.Scalar, [...m.namedParameters(), ['x', xv]], { eps: 1e-3 });
  }
  tf.dispose([x, y0, expected, xv, R]);
  ad.dispose();
  par.dispose();
  fixed.dispose();
});

test('hardConcreteFromNoise: the Louizos sample formula, clamped to [0, 1]', () => {
  const la = [-3, -0.5, 0, 0.7, 4];
  const u = [0.3, 0.9, 0.5, 0.05, 0.6];
  const z = hardConcreteFromNoise(tf.tensor1d(la), tf.tensor1d(u));
  const manual = la.map((a, i) => {
    const s = 1 / (1 + Math.exp(-(Math.log(u[i]!) - Math.log(1 - u[i]!) + a) / (2 / 3)));
    return Math.min(1, Math.max(0, s * 1.2 - 0.1));
  });
  assertClose(z, manual, 1e-6, 1e-5, 'sample');
  assert.equal(z.dataSync()[0], 0);
  assert.equal(z.dataSync()[4], 1);
  z.dispose();
});

test('HardConcrete: parameter, sampling statistics match P(z>0), eval gates, l0Norm and gradients', () => {
  const rng = new Rng(64);
  const g = new HardConcrete([2, 3], rng, { initMean: 1 });
  assert.deepEqual([...g.stateDict().keys()], ['log_alpha']);
  assert.equal(g.numParameters(), 6);
  const mean = tf.mean(g.logAlpha).dataSync()[0]!;
  assert.ok(Math.abs(mean - 1) < 0.02);
  assert.ok(Math.abs(tf.mean(new HardConcrete(100, rng, { droprateInit: 0.2 }).logAlpha).dataSync()[0]! - Math.log(4)) < 0.01);
  g.logAlpha.assign(
    tf.tensor2d([
      [-2, 0, 0.5],
      [1.5, 3, -0.7],
    ]),
  );
  const z = g.forward();
  assert.deepEqual(z.shape, [2, 3]);
  assert.ok(z.dataSync().every((v) => v >= 0 && v <= 1));
  // Empirical P(z > 0) over many samples vs the closed form σ(log α − β log(−l/r)).
  const keep = g.keepProbability().dataSync();
  const la = [-2, 0, 0.5, 1.5, 3, -0.7];
  la.forEach((a, i) => assert.ok(Math.abs(keep[i]! - 1 / (1 + Math.exp(-(a - (2 / 3) * Math.log(0.1 / 1.1))))) < 1e-6));
  const n = 4000;
  const big = new HardConcrete([n, 6], new Rng(65));
  big.logAlpha.assign(tf.tile(tf.tensor2d([la], [1, 6]), [n, 1]));
  const frac = tf.mean(tf.cast(tf.greater(big.forward(), 0), 'float32'), 0).dataSync();
  la.forEach((_, i) => assert.ok(Math.abs(frac[i]! - keep[i]!) < 0.03, `gate ${i}: ${frac[i]} vs ${keep[i]}`));
  // Same seed → same sample.
  assertClose(new HardConcrete(5, new Rng(9)).forward(), new HardConcrete(5, new Rng(9)).forward(), 0, 0, 'repeatable');
  // Eval: Louizos's deterministic gate.
  g.eval();
  const manual = la.map((a) => Math.min(1, Math.max(0, (1 / (1 + Math.exp(-a))) * 1.2 - 0.1)));
  assertClose(g.forward(), manual, 1e-6, 1e-5, 'expected gate');
  assertClose(g.l0Norm(), [Array.from(keep).reduce((s, v) => s + v, 0)], 1e-5, 1e-5, 'l0Norm');
  // Gradients: l0Norm, the expected gate, and a sample with fixed noise.
  const u = tf.tensor2d([
    [0.2, 0.7, 0.4],
    [0.55, 0.3, 0.8],
  ]);
  expectGradOk(() => g.l0Norm(), g.namedParameters());
  expectGradOk(() => tf.sum(tf.square(g.expectedGate())) as tf.Scalar, g.namedParameters(), { eps: 1e-3 });
  expectGradOk(
    () =>
      tf.sum(
        tf.mul(
          hardConcreteFromNoise(g.logAlpha, u),
          tf.tensor2d([
            [1, -2, 3],
            [0.5, 1, -1],
          ]),
        ),
      ) as tf.Scalar,
    g.namedParameters(),
    { eps: 1e-3 },
  );
  g.logAlpha.assign(
    tf.tensor2d([
      [-9, 0, 9],
      [2, 5, -6],
    ]),
  );
  g.clampLogAlpha();
  assertClose(g.logAlpha, [Math.log(0.01), 0, Math.log(100), 2, Math.log(100), Math.log(0.01)], 1e-5, 1e-5, 'clamp');
  tf.dispose([z, u]);
  g.dispose();
  big.dispose();
});

test('HardConcrete.deterministicMask: CoFi rule per row — round(expected zeros) smallest zeroed, soft values kept', () => {
  const g = new HardConcrete([2, 4], new Rng(66), { evalMode: 'cofi' });
  const la = [
    [4, -3, 2, -4],
    [4, 4, 3, -0.5],
  ];
  g.logAlpha.assign(tf.tensor2d(la));
  g.eval();
  const m = g.forward().arraySync() as number[][];
  const beta = 2 / 3;
  la.forEach((row, r) => {
    const keepP = row.map((a) => 1 / (1 + Math.exp(-(a - beta * Math.log(0.1 / 1.1)))));
    const zeros = Math.round(4 - keepP.reduce((s, v) => s + v, 0));
    const soft = row.map((a) => 1 / (1 + Math.exp((-0.8 * a) / beta)));
    const order = [...soft.keys()].sort((i, j) => soft[i]! - soft[j]!);
    const expected = soft.map((s, i) => (order.indexOf(i) < zeros ? 0 : s));
    assertClose(m[r]!, expected, 1e-6, 1e-5, `row ${r}`);
  });
  // Row 0 drops two gates, row 1 none (its expected zero count rounds to 0).
  assert.equal(m[0]!.filter((v) => v === 0).length, 2);
  assert.equal(m[1]!.filter((v) => v === 0).length, 0);
  g.dispose();
});
