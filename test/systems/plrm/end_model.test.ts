import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { trainEndModel, endModelProba, coveredRows } from '../../../src/systems/plrm/end_model.js';
import { Rng } from '../../../src/util/random.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

/** Three Gaussian blobs in 4-D; soft labels = 0.7 on the true class, 0.15 elsewhere. */
function blobs(n: number, seed: number): { X: Float64Array; y: Int32Array; P: Float64Array } {
  const r = new Rng(seed);
  const X = new Float64Array(n * 4);
  const y = new Int32Array(n);
  const P = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = r.int(3);
    y[i] = c;
    for (let d = 0; d < 4; d++) X[i * 4 + d] = r.normal(d === c ? 3 : 0, 1) * 10 + 50; // unscaled features
    for (let k = 0; k < 3; k++) P[i * 3 + k] = k === c ? 0.7 : 0.15;
  }
  return { X, y, P };
}

for (const kind of ['logreg', 'mlp'] as const) {
  test(`end model (${kind}) learns from soft labels, keeps the best-validation epoch, leaks no tensors`, () => {
    const tr = blobs(300, 1);
    const va = blobs(100, 2);
    const before = tf.memory().numTensors;
    const t = trainEndModel(tr.X, 4, tr.P, 3, { X: va.X, y: va.y }, { kind, epochs: 80, seed: 3 });
    const params = t.model.namedParameters().length;
    assert.equal(tf.memory().numTensors, before + params);
    assert.equal(t.model.numParameters(), kind === 'logreg' ? 4 * 3 + 3 : 4 * 64 + 64 + 64 * 3 + 3);
    const bestAcc = Math.max(...t.history.map((h) => h.validAccuracy!));
    assert.equal(t.history[t.bestEpoch - 1]!.validAccuracy, bestAcc);
    const p = endModelProba(t, va.X, 4);
    let hit = 0;
    for (let i = 0; i < va.y.length; i++) {
      const row = Array.from(p.subarray(i * 3, i * 3 + 3));
      if (row.indexOf(Math.max(...row)) === va.y[i]) hit++;
    }
    assert.ok(hit / va.y.length > 0.9, `accuracy ${hit / va.y.length}`);
    assert.ok(t.history[t.history.length - 1]!.loss < t.history[0]!.loss);
    t.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}

test('covered rows are those with at least one vote', () => {
  assert.deepEqual(coveredRows(Int32Array.from([-1, -1, 3, -1, -1, -1, -1, 4]), 4, 2), [1, 3]);
});
