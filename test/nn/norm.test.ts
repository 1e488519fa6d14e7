import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { LayerNorm, RMSNorm, BatchNorm1d } from '../../src/nn/norm.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, fixtures, fx, loadState, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const F = fixtures();

test('LayerNorm: PyTorch names, defaults, count; matches torch over two normalized dims', () => {
  const ln = new LayerNorm([3, 4]);
  assert.deepEqual([...ln.stateDict().keys()], ['weight', 'bias']);
  assert.equal(ln.numParameters(), 24);
  assert.deepEqual(Array.from(ln.weight!.dataSync()), new Array(12).fill(1));
  assert.deepEqual(Array.from(ln.bias!.dataSync()), new Array(12).fill(0));
  loadState(ln, F.layerNorm.state);
  const x = fx(F.layerNorm.x);
  const y = ln.forward(x);
  assert.deepEqual(y.shape, [2, 5, 3, 4]);
  assertClose(y, F.layerNorm.y, 2e-5, 1e-4, 'LayerNorm');
  assert.throws(() => ln.forward(tf.zeros([2, 4, 3])), /normalized shape/);
  assert.equal(new LayerNorm(5, { elementwiseAffine: false }).numParameters(), 0);
  assert.equal(new LayerNorm(5, { bias: false }).numParameters(), 5);
  tf.dispose([x, y]);
  ln.dispose();
});

test('LayerNorm: gradient check over weight, bias and input', () => {
  const rng = new Rng(11);
  const ln = new LayerNorm(5);
  loadState(ln, { weight: { shape: [5], data: Array.from(rng.uniformArray(5, 0.5, 1.5)) }, bias: { shape: [5], data: Array.from(rng.uniformArray(5, -1, 1)) } });
  const x = tf.variable(rand(rng, [3, 5], -2, 2));
  const R = rand(rng, [3, 5]);
  expectGradOk(() => tf.sum(tf.mul(tf.sin(ln.forward(x)), R)) as tf.Scalar, [...ln.namedParameters(), ['x', x]]);
  tf.dispose([x, R]);
  ln.dispose();
});

test('RMSNorm: matches the formula (torch), fixed normalising width, gradient check', () => {
  const f = F.rmsNorm;
  const norm = new RMSNorm(6);
  assert.deepEqual([...norm.stateDict().keys()], ['weight']);
  assert.equal(norm.numParameters(), 6);
  loadState(norm, f.state);
  const x = fx(f.x);
  assertClose(norm.forward(x), f.y, 1e-5, 1e-4, 'RMSNorm');
  const wide = new RMSNorm(6, { normalizedWidth: 8 });
  loadState(wide, f.state);
  assertClose(wide.forward(x), f.yWidth8, 1e-5, 1e-4, 'RMSNorm width 8');
  const rng = new Rng(12);
  const xv = tf.variable(rand(rng, [2, 6]));
  const R = rand(rng, [2, 6]);
  expectGradOk(() => tf.sum(tf.mul(norm.forward(xv), R)) as tf.Scalar, [...norm.namedParameters(), ['x', xv]]);
  tf.dispose([x, xv, R]);
  norm.dispose();
  wide.dispose();
});

test('BatchNorm1d [N, C, L]: train steps update running stats as torch; eval uses them', () => {
  const f = F.batchNorm.rank3;
  const bn = new BatchNorm1d(3);
  assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  assert.equal(bn.numParameters(), 6);
  const init = { ...f.init, num_batches_tracked: { shape: [], data: [0] } };
  loadState(bn, init);
  bn.train();
  assertClose(bn.forward(fx(f.x1)), f.y1, 2e-5, 1e-4, 'train step 1');
  assertClose(bn.forward(fx(f.x2)), f.y2, 2e-5, 1e-4, 'train step 2');
  assertClose(bn.runningMean!, f.final.running_mean, 1e-6, 1e-5, 'running_mean');
  assertClose(bn.runningVar!, f.final.running_var, 1e-6, 1e-5, 'running_var');
  assert.equal(bn.numBatchesTracked!.dataSync()[0], f.final.num_batches_tracked);
  bn.eval();
  const y3 = bn.forward(fx(f.x3));
  assertClose(y3, f.y3, 2e-5, 1e-4, 'eval');
  // Eval must not move the statistics.
  assertClose(bn.runningMean!, f.final.running_mean, 1e-6, 1e-5, 'running_mean after eval');
  assert.equal(bn.numBatchesTracked!.dataSync()[0], 2);
  bn.dispose();
});

test('BatchNorm1d [N, C] with momentum null: cumulative average as torch', () => {
  const f = F.batchNorm.rank2Cumulative;
  const bn = new BatchNorm1d(3, { momentum: null });
  for (let i = 0; i < 3; i++) assertClose(bn.forward(fx(f.xs[i])), f.ys[i], 2e-5, 1e-4, `step ${i}`);
  assertClose(bn.runningMean!, f.final.running_mean, 1e-5, 1e-5, 'running_mean');
  assertClose(bn.runningVar!, f.final.running_var, 1e-5, 1e-5, 'running_var');
  bn.eval();
  assertClose(bn.forward(fx(f.xe)), f.ye, 2e-5, 1e-4, 'eval');
  assert.throws(() => new BatchNorm1d(3).forward(tf.zeros([1, 3])), /more than 1 value/);
  assert.throws(() => bn.forward(tf.zeros([2, 4])), /expected/);
  const noStats = new BatchNorm1d(3, { trackRunningStats: false, affine: false });
  assert.equal(noStats.stateDict().size, 0);
  bn.dispose();
});

test('BatchNorm1d: gradient check in training (batch statistics) and eval mode', () => {
  const rng = new Rng(13);
  const bn = new BatchNorm1d(3);
  loadState(bn, {
    weight: { shape: [3], data: [1.2, 0.7, -0.5] },
    bias: { shape: [3], data: [0.1, -0.3, 0.2] },
    running_mean: { shape: [3], data: [0.1, 0.2, -0.1] },
    running_var: { shape: [3], data: [0.9, 1.3, 0.6] },
    num_batches_tracked: { shape: [], data: [0] },
  });
  const x = tf.variable(rand(rng, [4, 3, 2], -2, 2));
  const R = rand(rng, [4, 3, 2]);
  const loss = (): tf.Scalar => tf.sum(tf.mul(tf.sin(bn.forward(x)), R)) as tf.Scalar;
  expectGradOk(loss, [...bn.namedParameters(), ['x', x]]);
  bn.eval();
  expectGradOk(loss, [...bn.namedParameters(), ['x', x]]);
  tf.dispose([x, R]);
  bn.dispose();
});

test('BatchNorm1d [N, C] training (the analytic-gradient path): gradient check over x, γ, β; running stats as the taped path', () => {
  const rng = new Rng(91);
  const bn = new BatchNorm1d(4);
  bn.weight!.assign(rand(rng, [4], 0.5, 1.5) as tf.Tensor1D);
  bn.bias!.assign(rand(rng, [4]) as tf.Tensor1D);
  const x = tf.variable(rand(rng, [6, 4]));
  const R = rand(rng, [6, 4]);
  bn.train();
  expectGradOk(() => tf.sum(tf.mul(tf.sin(bn.forward(x)), R)) as tf.Scalar, [...bn.namedTrainable(), ['x', x]]);
  // Outputs equal the [N, C, 1] path (the taped formula) on the same batch.
  const a = new BatchNorm1d(4);
  const b = new BatchNorm1d(4);
  const ya = a.forward(x);
  const yb = tf.squeeze(b.forward(tf.expandDims(x, 2)), [2]);
  assertClose(ya, yb, 1e-6, 1e-5, 'output');
  assertClose(a.runningVar!, b.runningVar!, 1e-6, 1e-5, 'running var');
  assertClose(a.runningMean!, b.runningMean!, 1e-6, 1e-5, 'running mean');
  tf.dispose([x, R, ya, yb]);
  bn.dispose();
  a.dispose();
  b.dispose();
});
