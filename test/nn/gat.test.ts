import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { GATLayer, GATv2Layer } from '../../src/nn/gat.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, fixtures, fx, loadState, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const F = fixtures();

test('GATv2Layer (ML4ITS feature/temporal attention form): names, count, equals the pair-tensor formula', () => {
  const f = F.gat;
  const rng = new Rng(40);
  const layer = new GATv2Layer(3, rng, { numNodes: 5 });
  assert.deepEqual([...layer.stateDict().keys()], ['a', 'bias', 'lin.weight', 'lin.bias']);
  // lin 2F → 2F with bias, a [2F, 1], bias [N, N]
  assert.equal(layer.numParameters(), 6 * 6 + 6 + 6 + 25);
  assert.deepEqual(layer.a.shape, [6, 1]);
  // Xavier-uniform gain 1.414 on [6, 1]: |a| ≤ 1.414·√(6/7); score bias starts at zero.
  assert.ok(Math.max(...Array.from(layer.a.dataSync()).map(Math.abs)) <= 1.414 * Math.sqrt(6 / 7));
  assert.deepEqual(Array.from(layer.bias!.dataSync()), new Array(25).fill(0));
  loadState(layer, f.v2.state);
  const x = fx(f.x) as tf.Tensor3D;
  const { output, weights } = layer.forward(x, { returnWeights: true });
  assert.deepEqual(output.shape, [2, 5, 3]);
  assertClose(output, f.v2.y, 1e-5, 1e-4, 'GATv2 output');
  assertClose(weights!, f.v2.weights, 1e-6, 1e-4, 'GATv2 weights');
  assertClose(tf.sum(weights!, -1), new Array(10).fill(1), 1e-6, 0, 'row sums');
  assert.throws(() => layer.forward(tf.zeros([2, 4, 3]) as tf.Tensor3D), /5 nodes/);
  tf.dispose([x, output, weights!]);
  layer.dispose();
});

test('GATLayer (Veličković score): adjacency mask, raw-input and projected aggregation equal torch', () => {
  const f = F.gat;
  const x = fx(f.x) as tf.Tensor3D;
  const adj = fx(f.v1.adjacency, 'int32');
  const ml4its = new GATLayer(3, new Rng(41), { embedDim: 4 });
  assert.deepEqual([...ml4its.stateDict().keys()], ['a', 'lin.weight', 'lin.bias']);
  assert.equal(ml4its.numParameters(), 3 * 4 + 4 + 8);
  loadState(ml4its, f.v1.state);
  const r = ml4its.forward(x, { adjacency: adj, returnWeights: true });
  assertClose(r.output, f.v1.yInputSigmoid, 1e-5, 1e-4, 'input/sigmoid');
  assertClose(r.weights!, f.v1.weights, 1e-6, 1e-4, 'weights');
  // Masked pairs get exactly zero weight.
  const a = adj.dataSync();
  const w = r.weights!.dataSync();
  for (let b = 0; b < 2; b++) for (let k = 0; k < 25; k++) if (a[k] === 0) assert.equal(w[b * 25 + k], 0);
  const paper = new GATLayer(3, new Rng(42), { embedDim: 4, aggregate: 'projected', activation: 'elu' });
  loadState(paper, f.v1.state);
  const p = paper.forward(x, { adjacency: adj });
  assert.deepEqual(p.output.shape, [2, 5, 4]);
  assertClose(p.output, f.v1.yProjectedElu, 1e-5, 1e-4, 'projected/elu');
  tf.dispose([x, adj, r.output, r.weights!, p.output]);
  ml4its.dispose();
  paper.dispose();
});

test('GATv2Layer and GATLayer: analytic gradients equal torch autograd', () => {
  const f = F.gat;
  const cases: Array<[GATLayer | GATv2Layer, any, any, any]> = [
    [new GATv2Layer(3, new Rng(1), { numNodes: 5 }), f.v2.state, f.v2.r, f.v2.grads],
    [new GATLayer(3, new Rng(2), { embedDim: 4, aggregate: 'projected', activation: 'elu' }), f.v1.state, f.v1.rProjected, f.v1.gradsProjected],
  ];
  for (const [layer, state, r, expected] of cases) {
    loadState(layer, state);
    const x = tf.variable(fx(f.x));
    const R = fx(r);
    const adj = layer instanceof GATLayer ? fx(f.v1.adjacency, 'int32') : undefined;
    const vars = [...layer.namedParameters(), ['x', x]] as Array<[string, tf.Variable]>;
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.forward(x as unknown as tf.Tensor3D, { adjacency: adj }).output, R)) as tf.Scalar,
      vars.map(([, v]) => v),
    );
    for (const [name, v] of vars) assertClose(grads[v.name]!, expected[name], 1e-5, 1e-4, `d/d ${name}`);
    tf.dispose([x, R, ...(adj ? [adj] : []), ...Object.values(grads)]);
    layer.dispose();
  }
});

test('GATLayer and GATv2Layer: gradient check over all parameters and the input', () => {
  const rng = new Rng(48);
  const x = tf.variable(rand(rng, [2, 4, 3]));
  const adj = tf.tensor2d(
    [
      [1, 1, 0, 1],
      [1, 1, 1, 0],
      [0, 1, 1, 1],
      [1, 0, 1, 1],
    ],
    [4, 4],
    'int32',
  );
  for (const layer of [
    new GATLayer(3, rng, { numNodes: 4 }),
    new GATv2Layer(3, rng, { numNodes: 4, embedDim: 5 }),
    new GATv2Layer(3, rng, { aggregate: 'projected', activation: 'identity', linearBias: false }),
  ]) {
    // A nonzero score bias so its gradient path is exercised away from the all-zero start.
    if (layer.bias) layer.bias.assign(rand(rng, [4, 4], -0.5, 0.5) as tf.Tensor2D);
    const R = rand(rng, layer.aggregate === 'input' ? [2, 4, 3] : [2, 4, layer.embedDim]);
    expectGradOk(
      () => tf.sum(tf.mul(layer.forward(x as unknown as tf.Tensor3D, { adjacency: adj }).output, R)) as tf.Scalar,
      [...layer.namedParameters(), ['x', x]],
      // A small step: LeakyReLU kinks make 1e-2 differences cross zero for some pairs, and
      // this seed's draw has no pre-activation within 1e-3 of one. The exact comparison with
      // torch autograd is the test above.
      { rng, maxPerVariable: 12, eps: 1e-3 },
    );
    R.dispose();
    layer.dispose();
  }
  tf.dispose([x, adj]);
});

test('dense GAT used as MTAD-GAT feature and temporal attention: shapes, dropout only in training', () => {
  const rng = new Rng(44);
  const [b, n, k] = [2, 6, 3];
  const x = rand(rng, [b, n, k]) as tf.Tensor3D;
  // Feature attention: k nodes, each its n-step series.
  const feat = new GATv2Layer(n, rng, { numNodes: k, dropout: 0.3, dropoutRng: rng.fork() });
  const hf = tf.transpose(feat.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D).output, [0, 2, 1]);
  assert.deepEqual(hf.shape, [b, n, k]);
  // Temporal attention: n nodes, each a k-vector.
  const temp = new GATv2Layer(k, rng, { numNodes: n });
  assert.deepEqual(temp.forward(x).output.shape, [b, n, k]);
  assert.equal(temp.numParameters(), 2 * k * 2 * k + 2 * k + 2 * k + n * n);
  // Sigmoid output lies in (0, 1).
  const vals = hf.dataSync();
  assert.ok(vals.every((v) => v > 0 && v < 1));
  const again = feat.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D).output;
  feat.eval();
  const e1 = feat.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D).output;
  const e2 = feat.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D).output;
  assertClose(e1, e2, 0, 0, 'eval is deterministic');
  assert.ok(tf.max(tf.abs(tf.sub(again, e1))).dataSync()[0]! > 1e-5, 'training output differs from eval (dropout)');
  feat.dispose();
  temp.dispose();
});
