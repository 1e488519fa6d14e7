import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { MultiHeadAttention } from '../../src/nn/attention.js';
import { applyRotary } from '../../src/nn/rotary.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, fixtures, fx, loadState, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const F = fixtures();

test('MultiHeadAttention: names, count, shapes; rows of the weights sum to 1', () => {
  const rng = new Rng(30);
  const mha = new MultiHeadAttention(8, 2, rng);
  assert.deepEqual([...mha.stateDict().keys()], ['q_proj.weight', 'q_proj.bias', 'k_proj.weight', 'k_proj.bias', 'v_proj.weight', 'v_proj.bias', 'o_proj.weight', 'o_proj.bias']);
  assert.equal(mha.numParameters(), 4 * (8 * 8 + 8));
  const x = rand(rng, [3, 5, 8]) as tf.Tensor3D;
  const pad = tf.tensor2d(
    [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 1, 1, 1],
    ],
    [3, 5],
    'int32',
  );
  const { output, weights } = mha.forward(x, { keyPaddingMask: pad, causal: true, returnWeights: true });
  assert.deepEqual(output.shape, [3, 5, 8]);
  assert.deepEqual(weights!.shape, [3, 2, 5, 5]);
  assertClose(tf.sum(weights!, -1), new Array(30).fill(1), 1e-6, 0, 'row sums');
  const w = weights!.arraySync();
  // Causal: no weight above the diagonal; padding: nothing on padded keys.
  assert.equal(w[0]![1]![1]![2], 0);
  assert.equal(w[2]![0]![4]![3], 0);
  assert.equal(w[1]![1]![4]![4], 0);
  assert.equal(mha.forward(x).weights, null);
  const noBias = new MultiHeadAttention(8, 4, rng, { bias: false, numKeyValueHeads: 2 });
  assert.deepEqual([...noBias.stateDict().keys()], ['q_proj.weight', 'k_proj.weight', 'v_proj.weight', 'o_proj.weight']);
  assert.deepEqual(noBias.kProj.weight.shape, [4, 8]);
  assert.equal(noBias.numParameters(), 8 * 8 + 4 * 8 + 4 * 8 + 8 * 8);
  assert.throws(() => new MultiHeadAttention(8, 3, rng), /divisible/);
  tf.dispose([x, pad, output, weights!]);
  mha.dispose();
  noBias.dispose();
});

test('MultiHeadAttention equals torch.nn.MultiheadAttention (causal + key padding, and cross-attention)', () => {
  const f = F.mha;
  const mha = new MultiHeadAttention(8, 2, new Rng(31));
  loadState(mha, f.state);
  const x = fx(f.x) as tf.Tensor3D;
  const pad = fx(f.keyPaddingMask, 'int32') as tf.Tensor2D;
  const r = mha.forward(x, { keyPaddingMask: pad, causal: true, returnWeights: true });
  assertClose(r.output, f.y, 2e-5, 1e-4, 'output');
  assertClose(r.weights!, f.weights, 1e-6, 1e-4, 'weights');
  const q = fx(f.query) as tf.Tensor3D;
  const c = mha.forward(q, { key: x, value: x, returnWeights: true });
  assert.deepEqual(c.output.shape, [2, 3, 8]);
  assertClose(c.output, f.yCross, 2e-5, 1e-4, 'cross output');
  assertClose(c.weights!, f.weightsCross, 1e-6, 1e-4, 'cross weights');
  tf.dispose([x, pad, q, r.output, r.weights!, c.output, c.weights!]);
  mha.dispose();
});

test('applyRotary: half-split (NeoX/LLaMA) convention as torch, partial rotation, norm preserved', () => {
  const f = F.rotary;
  const x = fx(f.x);
  const y = applyRotary(x, f.positions, 10000);
  assertClose(y, f.y, 2e-6, 1e-5, 'rope');
  assertClose(applyRotary(x, tf.tensor1d(f.positions, 'int32'), 1e5, { rotaryDim: 4 }), f.yPartialBase1e5, 2e-6, 1e-5, 'partial rope');
  // A rotation keeps each head vector's length.
  assertClose(tf.norm(y, 'euclidean', -1), tf.norm(x, 'euclidean', -1), 1e-5, 1e-5, 'norm');
  // Position 0 is the identity.
  assertClose(applyRotary(x, [0, 0, 0, 0]), x, 0, 0, 'identity at 0');
  assert.throws(() => applyRotary(x, [0, 1]), /positions/);
  const rng = new Rng(32);
  const xv = tf.variable(rand(rng, [2, 3, 4]));
  const R = rand(rng, [2, 3, 4]);
  expectGradOk(() => tf.sum(tf.mul(applyRotary(xv, [1, 2, 7]), R)) as tf.Scalar, [['x', xv]]);
  tf.dispose([x, y, xv, R]);
});

test('MultiHeadAttention with RoPE, grouped-query heads, head mask: equals the LLaMA formula in torch', () => {
  const f = F.mhaRotaryGqa;
  const mha = new MultiHeadAttention(16, 4, new Rng(33), { numKeyValueHeads: 2, bias: false, rotary: true, causal: true });
  loadState(mha, f.state);
  const x = fx(f.x) as tf.Tensor3D;
  const hm = fx(f.headMask);
  const r = mha.forward(x, { headMask: hm, returnWeights: true });
  assertClose(r.output, f.y, 2e-5, 1e-4, 'output');
  assertClose(r.weights!, f.weights, 1e-6, 1e-4, 'weights');
  tf.dispose([x, hm, r.output, r.weights!]);
  mha.dispose();
});

test('MultiHeadAttention: gradient check over all parameters and the input (RoPE, GQA, causal, padding)', () => {
  const rng = new Rng(34);
  const mha = new MultiHeadAttention(8, 4, rng, { numKeyValueHeads: 2, rotary: { base: 100 }, causal: true });
  const x = tf.variable(rand(rng, [2, 4, 8]));
  const pad = tf.tensor2d(
    [
      [0, 0, 0, 0],
      [0, 0, 0, 1],
    ],
    [2, 4],
    'int32',
  );
  const R = rand(rng, [2, 4, 8]);
  expectGradOk(() => tf.sum(tf.mul(mha.forward(x as unknown as tf.Tensor3D, { keyPaddingMask: pad }).output, R)) as tf.Scalar, [...mha.namedParameters(), ['x', x]], { rng, maxPerVariable: 10 });
  // Dropout on the weights is active only in training and repeatable with its seed.
  const drop = new MultiHeadAttention(8, 2, new Rng(1), { dropout: 0.5, dropoutRng: new Rng(2) });
  const a = drop.forward(x as unknown as tf.Tensor3D).output;
  drop.eval();
  const b = drop.forward(x as unknown as tf.Tensor3D).output;
  assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! > 1e-4);
  tf.dispose([x, pad, R, a, b]);
  mha.dispose();
  drop.dispose();
});
