import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { trainStep } from '../../src/train/step.js';
import { Adam, SGD } from '../../src/optim/optimizers.js';
import { Linear } from '../../src/nn/linear.js';
import { Module } from '../../src/nn/module.js';
import { Rng } from '../../src/util/random.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const fx = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8')) as {
  clip: Array<{ maxNorm: number; grads: number[][]; shapes: number[][]; totalNorm: number; clipped: number[][] }>;
};

for (const c of fx.clip) {
  test(`clipGradNorm(max ${c.maxNorm}) matches torch clip_grad_norm_`, () => {
    const grads: tf.NamedTensorMap = { g0: tf.tensor(c.grads[0]!, c.shapes[0]), g1: tf.tensor(c.grads[1]!, c.shapes[1]) };
    const before = tf.memory().numTensors;
    const { grads: out, totalNorm } = clipGradNorm(grads, c.maxNorm);
    assert.equal(tf.memory().numTensors, before + 2);
    assert.ok(Math.abs(totalNorm - c.totalNorm) < 1e-6, `${totalNorm} vs ${c.totalNorm}`);
    for (const [i, k] of ['g0', 'g1'].entries()) {
      const got = out[k]!.dataSync();
      c.clipped[i]!.forEach((w, j) => assert.ok(Math.abs(got[j]! - w) < 1e-6, `${k}[${j}] ${got[j]} vs ${w}`));
    }
    tf.dispose([...Object.values(grads), ...Object.values(out)]);
  });
}

test('clipGradNorm drops null gradients and handles an empty map', () => {
  const g = tf.tensor1d([3, 4]);
  const { grads, totalNorm } = clipGradNorm({ a: g, b: null as unknown as tf.Tensor }, 1);
  assert.deepEqual(Object.keys(grads), ['a']);
  assert.ok(Math.abs(totalNorm - 5) < 1e-6);
  assert.deepEqual(clipGradNorm({}, 1), { grads: {}, totalNorm: 0 });
  assert.throws(() => clipGradNorm({ a: g }, 0), /maxNorm/);
  tf.dispose([g, grads['a']!]);
});

class MLP extends Module {
  readonly l1: Linear;
  readonly l2: Linear;
  constructor(rng: Rng) {
    super();
    this.l1 = this.module('l1', new Linear(4, 16, rng));
    this.l2 = this.module('l2', new Linear(16, 1, rng));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.l2.forward(tf.relu(this.l1.forward(x))));
  }
}

test('200 Adam steps of an MLP: loss falls, tensor count stays flat', () => {
  const rng = new Rng(7);
  const model = new MLP(rng);
  const x = tf.tensor2d(rng.normalArray(64 * 4), [64, 4]);
  const y = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([1, -2, 0.5, 3])), 1, true));
  const opt = new Adam(model.namedTrainable(), { lr: 0.01 });
  const loss = (): tf.Scalar => tf.losses.meanSquaredError(y, model.forward(x)) as tf.Scalar;
  const first = trainStep({ params: model.parameters(), optimizer: opt, loss, clipNorm: 5 });
  const base = tf.memory().numTensors;
  let last = first;
  for (let i = 1; i < 200; i++) {
    last = trainStep({ params: model.parameters(), optimizer: opt, loss, clipNorm: i % 2 ? 5 : undefined });
    if (i % 50 === 0) assert.equal(tf.memory().numTensors, base, `after ${i} steps`);
  }
  assert.equal(tf.memory().numTensors, base);
  assert.ok(last < first * 0.1, `loss ${first} → ${last}`);
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
});

test('trainStep: frozen parameters stay put, non-finite loss skips the update', () => {
  const rng = new Rng(3);
  const model = new MLP(rng);
  model.freeze('l1');
  const w1 = Array.from(model.l1.weight.dataSync());
  const w2 = Array.from(model.l2.weight.dataSync());
  const x = tf.ones([2, 4]);
  // The optimiser was built before freezing would matter: it holds all params, frozen ones are skipped.
  const opt = new SGD(model.namedParameters(), { lr: 0.1 });
  const l = trainStep({ params: model.namedParameters().map(([, v]) => v), optimizer: opt, loss: () => tf.mean(model.forward(x)) as tf.Scalar });
  assert.ok(Number.isFinite(l));
  assert.deepEqual(Array.from(model.l1.weight.dataSync()), w1);
  assert.notDeepEqual(Array.from(model.l2.weight.dataSync()), w2);
  const after = Array.from(model.l2.weight.dataSync());
  const nan = trainStep({ optimizer: opt, loss: () => tf.mul(tf.mean(model.forward(x)), NaN) as tf.Scalar });
  assert.ok(Number.isNaN(nan));
  assert.deepEqual(Array.from(model.l2.weight.dataSync()), after);
  opt.dispose();
  model.dispose();
  x.dispose();
});
