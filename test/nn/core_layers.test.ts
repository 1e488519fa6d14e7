import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { Linear } from '../../src/nn/linear.js';
import { Embedding } from '../../src/nn/embedding.js';
import { Dropout } from '../../src/nn/dropout.js';
import { GRU } from '../../src/nn/gru.js';
import { ModuleList } from '../../src/nn/module.js';
import { gradCheck } from '../../src/nn/gradcheck.js';
import { Rng } from '../../src/util/random.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function weightsFor(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(
    rng.uniformArray(
      shape.reduce((a, b) => a * b, 1),
      -1,
      1,
    ),
    shape,
  );
}

test('Linear: shapes, PyTorch names, parameter count, gradient check', () => {
  const rng = new Rng(1);
  const lin = new Linear(5, 3, rng);
  assert.deepEqual([...lin.stateDict().keys()], ['weight', 'bias']);
  assert.deepEqual(lin.weight.shape, [3, 5]);
  assert.equal(lin.numParameters(), 18);
  const x = weightsFor(rng, [2, 4, 5]);
  const R = weightsFor(rng, [2, 4, 3]);
  const y = lin.forward(x);
  assert.deepEqual(y.shape, [2, 4, 3]);
  const res = gradCheck(() => tf.sum(tf.mul(tf.sin(lin.forward(x)), R)) as tf.Scalar, lin.namedParameters());
  assert.equal(res.failures.length, 0, JSON.stringify(res.failures.slice(0, 3)));
  assert.equal(res.checked, 18);
  tf.dispose([x, R, y]);
  lin.dispose();
});

test('Linear without bias; ModuleList naming; freeze by pattern', () => {
  const rng = new Rng(2);
  const list = new ModuleList([new Linear(4, 4, rng), new Linear(4, 2, rng, { bias: false })]);
  assert.deepEqual([...list.stateDict().keys()], ['0.weight', '0.bias', '1.weight']);
  assert.equal(list.freeze('0'), 2);
  assert.equal(list.numParameters(true), 8);
  assert.equal(list.parameters().length, 1);
  assert.equal(list.unfreeze(/bias$/), 1);
  assert.equal(list.numParameters(true), 12);
  list.dispose();
});

test('Embedding: lookup and gradient check (gather + segment sum on WASM)', () => {
  const rng = new Rng(3);
  const emb = new Embedding(10, 4, rng);
  const ids = tf.tensor2d(
    [
      [1, 2, 2],
      [9, 0, 1],
    ],
    [2, 3],
    'int32',
  );
  const R = weightsFor(rng, [2, 3, 4]);
  assert.deepEqual(emb.forward(ids).shape, [2, 3, 4]);
  const res = gradCheck(() => tf.sum(tf.mul(tf.square(emb.forward(ids)), R)) as tf.Scalar, emb.namedParameters());
  assert.equal(res.failures.length, 0, JSON.stringify(res.failures.slice(0, 3)));
  emb.dispose();
  tf.dispose([ids, R]);
});

test('Dropout: identity in eval, keeps the expectation in training, repeatable with a seed', () => {
  const x = tf.ones([2000]);
  const d = new Dropout(0.3, new Rng(4));
  const y = d.forward(x);
  const vals = y.dataSync();
  const zeros = vals.filter((v) => v === 0).length;
  assert.ok(zeros > 500 && zeros < 700, `dropped ${zeros} of 2000`);
  assert.ok(Math.abs(tf.mean(y).dataSync()[0]! - 1) < 0.08);
  const again = new Dropout(0.3, new Rng(4)).forward(x).dataSync();
  assert.deepEqual(Array.from(again), Array.from(vals));
  d.eval();
  assert.equal(d.forward(x), x);
});

test('GRU: PyTorch parameter names and count, gradient check, h0 and layout', () => {
  const rng = new Rng(5);
  const gru = new GRU(3, 4, rng, { numLayers: 2 });
  assert.deepEqual([...gru.stateDict().keys()], ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
  // PyTorch: 3H(I+H) + 6H per layer.
  assert.equal(gru.numParameters(), 3 * 4 * (3 + 4) + 24 + 3 * 4 * (4 + 4) + 24);
  const x = weightsFor(rng, [2, 5, 3]) as tf.Tensor3D;
  const R = weightsFor(rng, [2, 5, 4]);
  const { output, hN } = gru.forward(x);
  assert.deepEqual(output.shape, [2, 5, 4]);
  assert.deepEqual(hN.shape, [2, 2, 4]);
  // The last output step is the last layer's final state.
  const last = tf.squeeze(tf.slice(output, [0, 4, 0], [2, 1, 4]), [1]).dataSync();
  assert.deepEqual(Array.from(last), Array.from(tf.squeeze(tf.slice(hN, [1, 0, 0], [1, 2, 4]), [0]).dataSync()));
  const res = gradCheck(
    () => {
      const o = gru.forward(x).output;
      return tf.sum(tf.mul(o, R)) as tf.Scalar;
    },
    gru.namedParameters(),
    { rng, maxPerVariable: 12 },
  );
  assert.equal(res.failures.length, 0, JSON.stringify(res.failures.slice(0, 3)));
  gru.dispose();
});

test('gradCheck catches a wrong gradient', () => {
  const rng = new Rng(6);
  const v = tf.variable(weightsFor(rng, [4]));
  // A custom op whose declared gradient is deliberately wrong (2x instead of cos).
  const bad = tf.customGrad(((a: tf.Tensor) => ({ value: tf.sin(a), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 2) })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const res = gradCheck(() => tf.sum(bad(v) as tf.Tensor) as tf.Scalar, [['v', v]]);
  assert.ok(res.failures.length > 0);
});
