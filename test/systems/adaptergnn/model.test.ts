/**
 * AdapterGNN's networks: exact trainable/total counts per mode (the official parameter groups,
 * docs/research/graph.md §1a), frozen parameters untouched by training and given no gradient,
 * the masked BCE, pre-training's masking and negative sampling, and a model that overfits a
 * tiny batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { buildNetwork, maskedBce, parameterCounts } from '../../../src/systems/adaptergnn/model.js';
import { resolveConfig } from '../../../src/systems/adaptergnn/config.js';
import { maskAtoms, negativeEdges, NUM_ATOM_TYPES } from '../../../src/systems/adaptergnn/pretrain.js';
import { collate } from '../../../src/nn/graph/batch.js';
import { Adam } from '../../../src/optim/optimizers.js';
import { trainStep } from '../../../src/train/step.js';
import { Rng } from '../../../src/util/random.js';
import type { MolGraph } from '../../../src/data/chem/index.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

/** A chain of `n` atoms of the given types with single bonds (both directions, official edge order). */
function chain(types: number[]): MolGraph {
  const n = types.length;
  const src: number[] = [];
  const dst: number[] = [];
  const attr: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    src.push(i, i + 1);
    dst.push(i + 1, i);
    attr.push(0, 0, 0, 0);
  }
  return { numNodes: n, src: Int32Array.from(src), dst: Int32Array.from(dst), x: Int32Array.from(types.flatMap((t) => [t, 0])), edgeAttr: Int32Array.from(attr) };
}

test('parameter counts: adapter 106 961 of 1 957 361 (5 × 300), 22 945 of 115 617 (5 × 64); full, linear, scratch', () => {
  const cases: Array<[Parameters<typeof resolveConfig>[0], number, number]> = [
    [{ mode: 'adapter' }, 106_961, 1_957_361],
    [{ mode: 'adapter', embDim: 64 }, 22_945, 115_617],
    [{ mode: 'full' }, 1_858_201, 1_858_201],
    [{ mode: 'scratch', embDim: 64 }, 94_337, 94_337],
    [{ mode: 'linear' }, 301, 1_858_201],
  ];
  for (const [c, trainable, total] of cases) {
    const net = buildNetwork(resolveConfig(c), 1, 0);
    assert.deepEqual(parameterCounts(net), { trainable, total }, JSON.stringify(c));
    net.dispose();
  }
});

test('lora mode: rank-5 biased factors on both GIN-MLP linears + BatchNorms + MLP biases + head (the official variant)', () => {
  const net = buildNetwork(resolveConfig({ mode: 'lora', embDim: 64 }), 1, 0);
  const names = net.namedTrainable().map(([n]) => n);
  assert.ok(names.includes('gnn.gnns.0.mlp.0.lora_A') && names.includes('gnn.gnns.4.mlp.2.lora_B'));
  assert.ok(!names.some((n) => n.endsWith('mlp.0.weight') || n.includes('x_embedding') || n.includes('edge_embedding')));
  assert.ok(names.includes('gnn.gnns.0.mlp.0.lora_A_bias') && names.includes('gnn.gnns.0.mlp.0.lora_B_bias'));
  // LoRA: 5 layers × ((64·5 + 5) + (5·128 + 128) + (128·5 + 5) + (5·64 + 64)) = 10 610; BN 5 × 128; biases 5 × (128 + 64); head 65.
  assert.equal(net.numParameters(true), 10_610 + 640 + 960 + 65);
  assert.equal(net.numParameters(), 104_947, 'the official LoRA model’s total');
  net.dispose();
});

test('masked BCE averages over known labels only', () => {
  const logits = tf.tensor2d([
    [0.3, -1.2],
    [2.0, 0.5],
  ]);
  const labels = tf.tensor2d([
    [1, 0],
    [-1, 1],
  ]);
  const bce = (z: number, y: number) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
  const want = (bce(0.3, 1) + bce(2.0, 0) + bce(0.5, 1)) / 3;
  const got = maskedBce(logits, labels);
  assert.ok(Math.abs(got.dataSync()[0]! - want) < 1e-6);
  tf.dispose([logits, labels, got]);
});

test('adapter mode: frozen backbone weights do not move and get no gradient; trained ones do', () => {
  const net = buildNetwork(resolveConfig({ mode: 'adapter', numLayer: 2, embDim: 16, bottleneck: 3, dropRatio: 0 }), 1, 3);
  const b = collate([chain([5, 6, 7]), chain([5, 5, 7, 15])], { xDtype: 'int32', edgeAttrDtype: 'int32' });
  const y = tf.tensor2d([[1], [-1]]);
  const params = new Map(net.namedParameters());
  const frozen = params.get('gnn.gnns.0.mlp.0.weight')!;
  const trained = params.get('gnn.batch_norms.0.weight')!;
  const before = { frozen: frozen.dataSync().slice(), trained: trained.dataSync().slice() };
  const opt = new Adam(net.namedTrainable(), { lr: 1e-2 });
  const vars = opt.variables();
  assert.ok(!vars.includes(frozen), 'a frozen weight is not in the optimiser');
  const { grads, value } = tf.variableGrads(() => maskedBce(net.forwardBatch(b), y), vars);
  assert.equal(Object.keys(grads).length, vars.length, 'gradients only for the trained parameters');
  tf.dispose([value, ...Object.values(grads)]);
  for (let i = 0; i < 3; i++) trainStep({ optimizer: opt, loss: () => maskedBce(net.forwardBatch(b), y) });
  assert.deepEqual(Array.from(frozen.dataSync()), Array.from(before.frozen));
  assert.notDeepEqual(Array.from(trained.dataSync()), Array.from(before.trained));
  opt.dispose();
  b.dispose();
  y.dispose();
  net.dispose();
});

test('full fine-tuning overfits a tiny batch', () => {
  const net = buildNetwork(resolveConfig({ mode: 'full', numLayer: 2, embDim: 16, dropRatio: 0 }), 1, 4);
  const graphs = [chain([5, 6, 7]), chain([5, 5, 5, 5]), chain([7, 7]), chain([5, 7, 5, 7, 15]), chain([15, 5]), chain([5, 5, 6])];
  const b = collate(graphs, { xDtype: 'int32', edgeAttrDtype: 'int32' });
  const y = tf.tensor2d([[1], [-1], [1], [-1], [1], [-1]]);
  const opt = new Adam(net.namedTrainable(), { lr: 1e-2 });
  let loss = NaN;
  for (let i = 0; i < 150; i++) loss = trainStep({ optimizer: opt, loss: () => maskedBce(net.forwardBatch(b), y) });
  net.eval();
  const final = tf.tidy(() => maskedBce(net.forwardBatch(b), y).dataSync()[0]!);
  assert.ok(loss < 0.05 && final < 0.1, `train BCE ${loss}, eval BCE ${final}`);
  opt.dispose();
  b.dispose();
  y.dispose();
  net.dispose();
});

test('attribute masking: ⌊0.15·n + 1⌋ distinct atoms per molecule get [119, 0]; targets are their types', () => {
  const graphs = [chain([5, 6, 7, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 7]), chain([7, 15])];
  const m = maskAtoms(graphs, 0.15, new Rng(1));
  assert.equal(m.masked!.nodes.length, Math.floor(14 * 0.15 + 1) + Math.floor(2 * 0.15 + 1));
  assert.equal(new Set(m.masked!.nodes).size, m.masked!.nodes.length);
  for (const [k, node] of m.masked!.nodes.entries()) {
    const g = node < 14 ? 0 : 1;
    const a = node - (g === 0 ? 0 : 14);
    assert.equal(m.graphs[g]!.x[2 * a], NUM_ATOM_TYPES);
    assert.equal(m.graphs[g]!.x[2 * a + 1], 0);
    assert.equal(m.masked!.types[k], graphs[g]!.x[2 * a]);
  }
  assert.equal(graphs[0]!.x[0], 5, 'the input graphs are not modified');
});

test('negative edges: non-bonded, distinct, no self-pairs, E/2 per molecule; positives are every other directed edge', () => {
  const graphs = [chain([5, 5, 5, 5, 5, 5, 5, 5]), chain([5, 5, 5])];
  const p = negativeEdges(graphs, new Rng(2)).pairs!;
  assert.equal(p.posSrc.length, 7 + 2);
  const keys = new Set<string>();
  for (let i = 0; i < p.negSrc.length; i++) {
    const a = p.negSrc[i]!;
    const b = p.negDst[i]!;
    assert.notEqual(a, b);
    assert.ok(Math.abs(a - b) !== 1 || a < 8 !== b < 8, `pair ${a}-${b} is bonded`);
    assert.ok(a < 8 === b < 8, 'pairs stay inside one molecule');
    keys.add(`${a},${b}`);
  }
  assert.equal(keys.size, p.negSrc.length);
  assert.ok(p.negSrc.filter((a) => a < 8).length <= 7);
});
