import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { GLU, glu } from '../../src/nn/glu.js';
import { Conv1d } from '../../src/nn/conv.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Linear } from '../../src/nn/linear.js';
import { ReLU, Sigmoid, activate, gelu } from '../../src/nn/activations.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, fixtures, fx, loadState, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const F = fixtures();

test('glu: torch.nn.functional.glu along the last dim and dim 1; odd size rejected', () => {
  const x = fx(F.glu.x);
  assertClose(glu(x), F.glu.gluLast, 1e-6, 1e-5, 'glu(-1)');
  assertClose(glu(x, 1), F.glu.gluDim1, 1e-6, 1e-5, 'glu(1)');
  assert.deepEqual(glu(x, 1).shape, [3, 2, 6]);
  assert.throws(() => glu(tf.zeros([2, 3])), /even/);
  const rng = new Rng(20);
  const xv = tf.variable(rand(rng, [2, 4]));
  expectGradOk(() => tf.sum(tf.square(glu(xv))) as tf.Scalar, [['x', xv]]);
  tf.dispose([x, xv]);
});

test('GLU (StemGNN): names linear_left/linear_right, count, torch values, gradient check', () => {
  const rng = new Rng(21);
  const g = new GLU(6, 5, rng);
  assert.deepEqual([...g.stateDict().keys()], ['linear_left.weight', 'linear_left.bias', 'linear_right.weight', 'linear_right.bias']);
  assert.equal(g.numParameters(), 2 * (6 * 5 + 5));
  loadState(g, F.glu.state);
  const x = fx(F.glu.x);
  const y = g.forward(x);
  assert.deepEqual(y.shape, [3, 4, 5]);
  assertClose(y, F.glu.y, 1e-5, 1e-4, 'GLU');
  const xv = tf.variable(rand(rng, [2, 6]));
  const R = rand(rng, [2, 5]);
  expectGradOk(() => tf.sum(tf.mul(g.forward(xv), R)) as tf.Scalar, [...g.namedParameters(), ['x', xv]]);
  tf.dispose([x, y, xv, R]);
  g.dispose();
});

test('Conv1d: PyTorch layout and init bounds; forward and gradients equal torch.nn.Conv1d', () => {
  const rng = new Rng(22);
  for (const c of F.conv1d) {
    const conv = new Conv1d(3, 4, c.kernel, rng, { padding: c.padding, dilation: c.dilation });
    assert.deepEqual(conv.weight.shape, [4, 3, c.kernel]);
    assert.equal(conv.numParameters(), 4 * 3 * c.kernel + 4);
    // Default init: every weight within ±1/√(in·k).
    const bound = 1 / Math.sqrt(3 * c.kernel);
    assert.ok(Math.max(...Array.from(conv.weight.dataSync()).map(Math.abs)) <= bound + 1e-7);
    loadState(conv, c.state);
    const x = tf.variable(fx(c.x));
    const r = fx(c.r);
    const y = conv.forward(x);
    assertClose(y, c.y, 1e-5, 1e-4, `${c.name} forward`);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(conv.forward(x), r)) as tf.Scalar, [conv.weight, conv.bias!, x]);
    assertClose(grads[conv.weight.name]!, c.gradWeight, 1e-4, 1e-4, `${c.name} dW`);
    assertClose(grads[conv.bias!.name]!, c.gradBias, 1e-4, 1e-4, `${c.name} db`);
    assertClose(grads[x.name]!, c.gradX, 1e-4, 1e-4, `${c.name} dx`);
    tf.dispose([x, r, y, ...Object.values(grads)]);
    conv.dispose();
  }
});

test('Conv1d: manual dilated sum, channels-last path, unbatched input, gradient check', () => {
  const rng = new Rng(23);
  const conv = new Conv1d(2, 3, 3, rng, { padding: 2, dilation: 2 });
  const x = rand(rng, [1, 2, 5]);
  const y = conv.forward(x);
  assert.deepEqual(y.shape, [1, 3, 5]); // 5 + 2 + 2 − 2·2
  // y[o, t] = b[o] + Σ_c Σ_k w[o, c, k] · xpad[c, t + 2k], computed by hand.
  const w = conv.weight.arraySync();
  const b = conv.bias!.arraySync();
  const xs = x.arraySync() as number[][][];
  const xpad = (c: number, t: number): number => (t - 2 >= 0 && t - 2 < 5 ? xs[0]![c]![t - 2]! : 0);
  const manual: number[] = [];
  for (let o = 0; o < 3; o++) {
    for (let t = 0; t < 5; t++) {
      let s = b[o]!;
      for (let c = 0; c < 2; c++) for (let k = 0; k < 3; k++) s += w[o]![c]![k]! * xpad(c, t + 2 * k);
      manual.push(s);
    }
  }
  assertClose(y, manual, 1e-5, 1e-4, 'manual');
  const cl = conv.forwardChannelsLast(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D);
  assertClose(tf.transpose(cl, [0, 2, 1]), y, 1e-6, 1e-6, 'channels-last');
  assert.deepEqual(conv.forward(tf.squeeze(x, [0])).shape, [3, 5]);
  assert.throws(() => conv.forward(tf.zeros([1, 3, 5])), /expected/);
  assert.throws(() => new Conv1d(2, 2, 3, rng, { padding: -1 }), /padding/);
  const xv = tf.variable(rand(rng, [2, 2, 6]));
  const R = rand(rng, [2, 3, 6]);
  expectGradOk(() => tf.sum(tf.mul(tf.sin(conv.forward(xv)), R)) as tf.Scalar, [...conv.namedParameters(), ['x', xv]]);
  const noBias = new Conv1d(2, 3, 3, rng, { bias: false, padding: 'same' });
  assert.deepEqual([...noBias.stateDict().keys()], ['weight']);
  tf.dispose([x, y, cl, xv, R]);
  conv.dispose();
  noBias.dispose();
});

test('Sequential + activation modules: PyTorch numbering and values', () => {
  const rng = new Rng(24);
  const seq = new Sequential([new Linear(3, 4, rng), new ReLU(), new Linear(4, 2, rng), new Sigmoid()]);
  assert.deepEqual([...seq.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.equal(seq.numParameters(), 3 * 4 + 4 + 4 * 2 + 2);
  const x = rand(rng, [5, 3]);
  const manual = tf.sigmoid(seq.at(2).forward(tf.relu(seq.at(0).forward(x))));
  assertClose(seq.forward(x), manual, 1e-7, 1e-6, 'sequential');
  // Exact GELU against Φ from erf at a few points: gelu(1) = 0.8413447, gelu(−1) = −0.1586553.
  assertClose(gelu(tf.tensor1d([1, -1, 0])), [0.8413447, -0.1586553, 0], 1e-6, 1e-5, 'gelu');
  assertClose(activate(tf.tensor1d([-2, 3]), 'leaky_relu', 0.2), [-0.4, 3], 1e-7, 0, 'leaky');
  tf.dispose([x, manual]);
  seq.dispose();
});
