import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { LSTM } from '../../src/nn/lstm.js';
import { FeedForwardNet, MLPMixer, expandedWidth } from '../../src/nn/mixer.js';
import type { Module } from '../../src/nn/module.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, loadState, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const F = nnFixtures('lstm_mixer');

/** Gradients of `loss` w.r.t. named input variables and every parameter of `m`, by name. */
function namedGrads(m: Module, inputs: Record<string, tf.Variable>, loss: () => tf.Scalar): { value: number; grads: Map<string, tf.Tensor> } {
  const named: Array<[string, tf.Variable]> = [...Object.entries(inputs), ...m.namedParameters()];
  const { value, grads } = tf.variableGrads(
    loss,
    named.map(([, v]) => v),
  );
  const out = new Map<string, tf.Tensor>();
  for (const [n, v] of named) out.set(n, grads[v.name]!);
  const l = value.dataSync()[0]!;
  value.dispose();
  return { value: l, grads: out };
}

/** The loss and its gradients (everything `variableGrads` returns, so a leak check can dispose it all). */
function allGrads(loss: () => tf.Scalar, m: Module): tf.Tensor[] {
  const { value, grads } = tf.variableGrads(loss, m.parameters());
  return [value, ...Object.values(grads)];
}

test('LSTM: PyTorch names and count; outputs, final states and gradients equal torch.nn.LSTM (seq-first, with and without h0/c0)', () => {
  const L = F.lstm;
  const lstm = new LSTM(L.inputSize, L.hiddenSize, new Rng(1), { numLayers: L.numLayers, batchFirst: false });
  assert.deepEqual([...lstm.stateDict().keys()], Object.keys(L.state));
  // PyTorch: 4H(I + H) + 8H per layer.
  assert.equal(lstm.numParameters(), 4 * 4 * (5 + 4) + 32 + 4 * 4 * (4 + 4) + 32);
  loadState(lstm, L.state);
  const x = tf.variable(fx(L.x) as tf.Tensor3D);
  const h0 = tf.variable(fx(L.h0) as tf.Tensor3D);
  const c0 = tf.variable(fx(L.c0) as tf.Tensor3D);
  const [R, Rh, Rc] = [fx(L.r), fx(L.rH), fx(L.rC)];
  for (const key of ['noState', 'withState'] as const) {
    const ref = L[key];
    const state = key === 'withState' ? { h0, c0 } : null;
    const { output, hN, cN } = lstm.forward(x, state);
    assertClose(output, ref.output, 1e-5, 1e-4, `${key} output`);
    assertClose(hN, ref.hN, 1e-5, 1e-4, `${key} hN`);
    assertClose(cN, ref.cN, 1e-5, 1e-4, `${key} cN`);
    tf.dispose([output, hN, cN]);
    const inputs: Record<string, tf.Variable> = state ? { x, h0, c0 } : { x };
    const loss = () =>
      tf.tidy(() => {
        const o = lstm.forward(x, state);
        return tf.addN([tf.sum(tf.mul(o.output, R)), tf.sum(tf.mul(o.hN, Rh)), tf.sum(tf.mul(o.cN, Rc))]) as tf.Scalar;
      });
    const { value, grads } = namedGrads(lstm, inputs, loss);
    assert.ok(Math.abs(value - ref.loss) < 1e-4, `${key} loss ${value} vs ${ref.loss}`);
    assert.deepEqual([...grads.keys()].sort(), Object.keys(ref.grads).sort());
    for (const [n, g] of grads) assertClose(g, ref.grads[n], 1e-5, 1e-4, `${key} d loss / d ${n}`);
    tf.dispose([...grads.values()]);
  }
  tf.dispose([x, h0, c0, R, Rh, Rc]);
  lstm.dispose();
});

test('LSTM: finite-difference gradient check (inputs, states, every parameter) and no leaks', () => {
  const rng = new Rng(2);
  const lstm = new LSTM(3, 2, rng, { numLayers: 2 });
  const x = tf.variable(rand(rng, [2, 3, 3]) as tf.Tensor3D);
  const h0 = tf.variable(rand(rng, [2, 2, 2], -0.5, 0.5) as tf.Tensor3D);
  const c0 = tf.variable(rand(rng, [2, 2, 2], -0.5, 0.5) as tf.Tensor3D);
  const R = rand(rng, [2, 3, 2]);
  const Rc = rand(rng, [2, 2, 2]);
  const loss = () =>
    tf.tidy(() => {
      const o = lstm.forward(x, { h0, c0 });
      return tf.add(tf.sum(tf.mul(o.output, R)), tf.sum(tf.mul(o.cN, Rc))) as tf.Scalar;
    });
  expectGradOk(loss, [['x', x], ['h0', h0], ['c0', c0], ...lstm.namedParameters()], { eps: 1e-2 });
  assertNoLeak('LSTM forward', () => lstm.forward(x));
  assertNoLeak('LSTM forward with state', () => lstm.forward(x, { h0, c0 }));
  assertNoLeak('LSTM gradients', () => allGrads(loss, lstm));
  assert.throws(() => lstm.forward(tf.zeros([2, 3, 4]) as tf.Tensor3D), /inputSize 3/);
  assert.throws(() => lstm.forward(x, { h0: tf.zeros([1, 2, 2]) as tf.Tensor3D, c0 }), /must be \[2,2,2\]/);
  tf.dispose([x, h0, c0, R, Rc]);
  lstm.dispose();
});

test('LSTM: batchFirst true and false agree; the last output step is the last layer of hN; dropout only in training', () => {
  const rng = new Rng(3);
  const bf = new LSTM(4, 3, rng, { numLayers: 2, batchFirst: true });
  const sf = new LSTM(4, 3, rng, { numLayers: 2, batchFirst: false });
  sf.loadStateDict(bf.stateDict());
  const x = rand(rng, [2, 5, 4]) as tf.Tensor3D; // [B, T, I]
  const h0 = rand(rng, [2, 2, 3]) as tf.Tensor3D;
  const c0 = rand(rng, [2, 2, 3]) as tf.Tensor3D;
  const a = bf.forward(x, { h0, c0 });
  const xt = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
  const b = sf.forward(xt, { h0, c0 });
  assert.deepEqual(a.output.shape, [2, 5, 3]);
  assert.deepEqual(b.output.shape, [5, 2, 3]);
  assertClose(tf.transpose(b.output, [1, 0, 2]), a.output, 1e-6, 1e-6, 'output');
  assertClose(b.hN, a.hN, 1e-6, 1e-6, 'hN');
  assertClose(b.cN, a.cN, 1e-6, 1e-6, 'cN');
  assertClose(tf.slice(a.output, [0, 4, 0], [2, 1, 3]), tf.slice(a.hN, [1, 0, 0], [1, 2, 3]), 0, 0, 'last step');

  const dropped = new LSTM(4, 3, rng, { numLayers: 2, dropout: 0.5 });
  dropped.loadStateDict(bf.stateDict());
  assert.deepEqual([...dropped.stateDict().keys()], [...bf.stateDict().keys()]);
  const train = dropped.forward(x, { h0, c0 }).output;
  assert.ok(tf.max(tf.abs(tf.sub(train, a.output))).dataSync()[0]! > 1e-3, 'dropout between layers changes the training output');
  dropped.eval();
  assertClose(dropped.forward(x, { h0, c0 }).output, a.output, 0, 0, 'eval ignores dropout');
  tf.dispose([x, h0, c0, xt, a.output, a.hN, a.cN, b.output, b.hN, b.cN, train]);
  for (const m of [bf, sf, dropped]) m.dispose();
});

test('MLPMixer: DyGLib state-dict names; output and gradients equal the GraphMixer transcription', () => {
  const M = F.mixer;
  const mixer = new MLPMixer(M.numTokens, M.numChannels, new Rng(4), { tokenDimExpansionFactor: M.tokenDimExpansionFactor, channelDimExpansionFactor: M.channelDimExpansionFactor });
  assert.deepEqual([...mixer.stateDict().keys()], Object.keys(M.state));
  assert.equal(mixer.tokenFeedforward.hiddenDim, 3);
  assert.equal(mixer.channelFeedforward.hiddenDim, 32);
  loadState(mixer, M.state);
  mixer.eval();
  const x = tf.variable(fx(M.x) as tf.Tensor3D);
  const R = fx(M.r);
  const y = mixer.forward(x);
  assertClose(y, M.output, 1e-5, 1e-4, 'output');
  const { value, grads } = namedGrads(mixer, { x }, () => tf.tidy(() => tf.sum(tf.mul(mixer.forward(x), R)) as tf.Scalar));
  assert.ok(Math.abs(value - M.loss) < 1e-4, `loss ${value} vs ${M.loss}`);
  assert.deepEqual([...grads.keys()].sort(), Object.keys(M.grads).sort());
  for (const [n, g] of grads) assertClose(g, M.grads[n], 1e-5, 1e-4, `d loss / d ${n}`);
  tf.dispose([x, R, y, ...grads.values()]);
  mixer.dispose();
});

test("FeedForwardNet / MLPMixer: hidden widths are Python's int(factor·dim); ffn.0 / ffn.3 names; dropout needs an rng", () => {
  for (const [dim, factor, width] of F.widths as Array<[number, number, number]>) assert.equal(expandedWidth(dim, factor), width, `int(${factor} * ${dim})`);
  assert.throws(() => expandedWidth(3, 0.2), /hidden width of 0/);
  const ffn = new FeedForwardNet(5, 1.1, new Rng(5));
  assert.deepEqual(
    [...ffn.stateDict().entries()].map(([k, v]) => [k, v.shape]),
    [
      ['ffn.0.weight', [5, 5]],
      ['ffn.0.bias', [5]],
      ['ffn.3.weight', [5, 5]],
      ['ffn.3.bias', [5]],
    ],
  );
  ffn.dispose();
  assert.throws(() => new FeedForwardNet(4, 2, new Rng(6), { dropout: 0.1 }), /needs dropoutRng/);
  assert.throws(() => new MLPMixer(4, 3, new Rng(6), { dropout: 0.1 }), /needs dropoutRng/);
  const m = new MLPMixer(4, 3, new Rng(7));
  assert.throws(() => m.forward(tf.zeros([2, 3, 4]) as tf.Tensor3D), /must be \[B, 4, 3\]/);
  m.dispose();
});

test('MLPMixer: finite-difference gradient check, no leaks, dropout only in training', () => {
  const rng = new Rng(8);
  const mixer = new MLPMixer(4, 3, rng, { tokenDimExpansionFactor: 0.5, channelDimExpansionFactor: 2 });
  // Move the norms off ones / zeros so their gradients are not a special case.
  const norms: Record<string, tf.Tensor> = {};
  for (const [k, v] of mixer.stateDict()) if (k.includes('norm')) norms[k] = tf.add(v, rand(rng, v.shape, -0.3, 0.3));
  mixer.loadStateDict(norms, { strict: false });
  tf.dispose(Object.values(norms));
  const x = tf.variable(rand(rng, [2, 4, 3]) as tf.Tensor3D);
  const R = rand(rng, [2, 4, 3]);
  const loss = () => tf.tidy(() => tf.sum(tf.mul(mixer.forward(x), R)) as tf.Scalar);
  expectGradOk(loss, [['x', x], ...mixer.namedParameters()], { eps: 1e-2 });
  assertNoLeak('MLPMixer forward', () => mixer.forward(x));
  assertNoLeak('MLPMixer gradients', () => allGrads(loss, mixer));

  const dropped = new MLPMixer(4, 3, rng, { tokenDimExpansionFactor: 0.5, channelDimExpansionFactor: 2, dropout: 0.5, dropoutRng: rng.fork() });
  dropped.loadStateDict(mixer.stateDict());
  const ref = mixer.forward(x);
  const train = dropped.forward(x);
  assert.ok(tf.max(tf.abs(tf.sub(train, ref))).dataSync()[0]! > 1e-3, 'dropout changes the training output');
  dropped.eval();
  assertClose(dropped.forward(x), ref, 0, 0, 'eval ignores dropout');
  tf.dispose([x, R, ref, train]);
  mixer.dispose();
  dropped.dispose();
});
