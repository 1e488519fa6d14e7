import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { GINConv, GINEdgeConv, ginMlp } from '../../src/nn/gin.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, expectGradOk, fixtures, fx, loadState, rand } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const F = fixtures();

test('GINConv (PyG form): (1 + eps)·h_i + Σ in-neighbours, names nn.* and eps, count', () => {
  const rng = new Rng(50);
  const conv = new GINConv(ginMlp(3, 6, 2, rng), { eps: 0.25 });
  assert.deepEqual([...conv.stateDict().keys()], ['nn.0.weight', 'nn.0.bias', 'nn.2.weight', 'nn.2.bias', 'eps']);
  assert.equal(conv.numParameters(), 3 * 6 + 6 + 6 * 2 + 2);
  const x = rand(rng, [4, 3]) as tf.Tensor2D;
  // Edges j → i: 0→1, 2→1, 3→0, 1→3, 1→1 (a self edge is an ordinary message here).
  const src = [0, 2, 3, 1, 1];
  const dst = [1, 1, 0, 3, 1];
  const edgeIndex = tf.tensor2d([src, dst], [2, 5], 'int32');
  const agg = conv.mlpInput(x, edgeIndex);
  const xs = x.arraySync();
  const manual = xs.map((row) => row.map((v) => 1.25 * v));
  src.forEach((j, e) => xs[j]!.forEach((v, f) => (manual[dst[e]!]![f]! += v)));
  assertClose(agg, manual.flat(), 1e-6, 1e-5, 'aggregate');
  const y = conv.forward(x, { src: tf.tensor1d(src, 'int32'), dst: tf.tensor1d(dst, 'int32') });
  assert.deepEqual(y.shape, [4, 2]);
  assertClose(y, conv.nn.forward(agg), 1e-6, 1e-5, 'forward = nn(aggregate)');
  const trainable = new GINConv(ginMlp(3, 4, 3, rng), { trainEps: true });
  assert.equal(trainable.numParameters(), 3 * 4 + 4 + 4 * 3 + 3 + 1);
  const xv = tf.variable(x);
  const R = rand(rng, [4, 3]);
  expectGradOk(() => tf.sum(tf.mul(trainable.forward(xv as unknown as tf.Tensor2D, edgeIndex), R)) as tf.Scalar, [...trainable.namedParameters(), ['x', xv]]);
  assert.throws(() => conv.forward(x, tf.zeros([3, 5], 'int32') as tf.Tensor2D), /\[2, E\]/);
  tf.dispose([x, edgeIndex, agg, y, xv, R]);
  conv.dispose();
  trainable.dispose();
});

test('GINEdgeConv (Hu et al.): official names, count, equals torch with explicit self-loop edges', () => {
  const f = F.ginEdge;
  const conv = new GINEdgeConv(4, new Rng(51));
  assert.deepEqual([...conv.stateDict().keys()], ['mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'edge_embedding1.weight', 'edge_embedding2.weight']);
  // D→2D→D MLP plus 6 + 3 edge-embedding rows.
  assert.equal(conv.numParameters(), 4 * 8 + 8 + 8 * 4 + 4 + 9 * 4);
  // Xavier-uniform tables: |w| ≤ √(6/(4+6)) for the 6-row table.
  assert.ok(Math.max(...Array.from(conv.edgeEmbeddings[0]!.weight.dataSync()).map(Math.abs)) <= Math.sqrt(6 / 10));
  loadState(conv, f.state);
  const x = fx(f.x) as tf.Tensor2D;
  const ei = tf.tensor2d([f.src, f.dst], [2, f.src.length], 'int32');
  const attr = fx(f.edgeAttr, 'int32') as tf.Tensor2D;
  assertClose(conv.mlpInput(x, ei, attr), f.aggregate, 1e-5, 1e-4, 'aggregate');
  const y = conv.forward(x, ei, attr);
  assert.deepEqual(y.shape, [5, 4]);
  assertClose(y, f.y, 1e-5, 1e-4, 'output');
  assert.throws(() => conv.forward(x, ei, tf.zeros([7, 3], 'int32') as tf.Tensor2D), /edgeAttr/);
  assert.throws(() => new GINEdgeConv(4, new Rng(1), { edgeVocab: [3], selfLoopAttr: [4] }), /outside/);
  tf.dispose([x, ei, attr, y]);
  conv.dispose();
});

test('GINEdgeConv: gradient check over all parameters and the node input', () => {
  const rng = new Rng(52);
  const conv = new GINEdgeConv(3, rng, { hiddenDim: 4 });
  const x = tf.variable(rand(rng, [4, 3]));
  const ei = tf.tensor2d(
    [
      [0, 1, 2, 3, 2],
      [1, 0, 3, 2, 0],
    ],
    [2, 5],
    'int32',
  );
  const attr = tf.tensor2d(
    [
      [0, 0],
      [0, 1],
      [3, 2],
      [3, 0],
      [1, 1],
    ],
    [5, 2],
    'int32',
  );
  const R = rand(rng, [4, 3]);
  expectGradOk(() => tf.sum(tf.mul(tf.tanh(conv.forward(x as unknown as tf.Tensor2D, ei, attr)), R)) as tf.Scalar, [...conv.namedParameters(), ['x', x]], { eps: 1e-3 });
  tf.dispose([x, ei, attr, R]);
  conv.dispose();
});
