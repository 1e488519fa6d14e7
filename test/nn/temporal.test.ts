import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { MLPTimeEncode, MergeLayer, TemporalAttention, TimeEncode, timeFrequencies } from '../../src/nn/graph/temporal.js';
import { Module } from '../../src/nn/module.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, loadState, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const T = nnFixtures('graph').temporal;

/** The fixture's two modules under one root, named as the generator names them. */
class Pair extends Module {
  readonly time: TimeEncode;
  readonly attn: TemporalAttention;
  constructor(dims: number[], rng: Rng) {
    super();
    const [Dn, De, Dt, H] = dims as [number, number, number, number];
    this.time = this.module('time', new TimeEncode(Dt));
    this.attn = this.module('attn', new TemporalAttention(Dn, De, Dt, rng, { numHeads: H, dropout: 0 }));
  }
}

test('TimeEncode: TGAT names and initial frequencies 1/10^linspace(0, 9, d); cos(t·ω + φ) equals the fixture', () => {
  const te = new TimeEncode(5);
  assert.deepEqual([...te.stateDict().keys()], ['basis_freq', 'phase']);
  assertClose(te.basisFreq, [1, 10 ** -2.25, 10 ** -4.5, 10 ** -6.75, 1e-9], 0, 1e-6, 'frequencies');
  assert.equal(te.numParameters(true), 10);
  assert.equal(new TimeEncode(5, { learnable: false }).numParameters(), 0);
  const tgsl = timeFrequencies(9, 'tgsl'); // a = 3: ω_i = 3^(−i/3)
  assertClose(
    tgsl,
    Array.from({ length: 9 }, (_, i) => 3 ** (-i / 3)),
    0,
    1e-6,
    'tgsl frequencies',
  );
  const p = new Pair(T.dims, new Rng(100));
  loadState(p, T.state);
  const dts = fx(T.dts);
  assertClose(p.time.forward(dts), T.seqTime, 1e-6, 1e-5, 'Φ(Δt)');
  const sine = new TimeEncode(2, { fn: 'sin' });
  assertClose(sine.forward(tf.tensor1d([0.5])), [Math.sin(0.5), Math.sin(0.5e-9)], 1e-7, 1e-6, 'sin');
  const mlp = new MLPTimeEncode(4, new Rng(101));
  assert.deepEqual([...mlp.stateDict().keys()], ['transformation.0.weight', 'transformation.0.bias', 'transformation.2.weight', 'transformation.2.bias', 'w']);
  assert.deepEqual(mlp.forward(tf.zeros([2, 3])).shape, [2, 3, 4]);
  const tv = tf.variable(rand(new Rng(102), [2, 3], 0, 5));
  expectGradOk(() => tf.sum(p.time.forward(tv)) as tf.Scalar, [...p.time.namedParameters(), ['t', tv]], { eps: 1e-3 });
  tf.dispose([dts, tv]);
  p.dispose();
  mlp.dispose();
});

test('TemporalAttention (TGAT AttnModel, prod): official names; output and weights equal torch, with padding and TGSL value weights', () => {
  const p = new Pair(T.dims, new Rng(103));
  assert.deepEqual(
    [...p.attn.stateDict().keys()],
    [
      'merger.fc1.weight',
      'merger.fc1.bias',
      'merger.fc2.weight',
      'merger.fc2.bias',
      'multi_head_target.w_qs.weight',
      'multi_head_target.w_ks.weight',
      'multi_head_target.w_vs.weight',
      'multi_head_target.layer_norm.weight',
      'multi_head_target.layer_norm.bias',
      'multi_head_target.fc.weight',
      'multi_head_target.fc.bias',
    ],
  );
  loadState(p, T.state);
  p.eval();
  const inp = {
    src: fx(T.src) as tf.Tensor2D,
    srcTime: fx(T.srcTime),
    seq: fx(T.seq) as tf.Tensor3D,
    seqTime: fx(T.seqTime) as tf.Tensor3D,
    seqEdge: fx(T.seqEdge) as tf.Tensor3D,
    mask: fx(T.mask, 'int32') as tf.Tensor2D,
  };
  const r = p.attn.forward(inp);
  assert.deepEqual(r.output.shape, [3, 4]);
  assert.deepEqual(r.weights.shape, [3, 2, 4]);
  assertClose(r.output, T.y, 1e-5, 1e-4, 'output');
  assertClose(r.weights, T.weights, 1e-6, 1e-5, 'weights');
  const w = r.weights.arraySync();
  assert.equal(w[0]![0]![2], 0, 'padding gets no weight');
  assertClose(w[1]![1]!, [0.25, 0.25, 0.25, 0.25], 1e-7, 0, 'only padding: uniform, as the official code');
  const rw = p.attn.forward({ ...inp, weight: fx(T.weight) as tf.Tensor2D });
  assertClose(rw.output, T.yWeighted, 1e-5, 1e-4, 'weighted output');
  assertClose(rw.weights, T.weightsWeighted, 1e-6, 1e-5, 'weights unchanged by value weights');
  assertNoLeak('TemporalAttention', () => {
    const o = p.attn.forward(inp);
    return [o.output, o.weights];
  });
  assert.throws(() => p.attn.forward({ ...inp, mask: tf.zeros([3, 5], 'int32') as tf.Tensor2D }), /mask must be/);
  assert.throws(() => new TemporalAttention(4, 2, 1, new Rng(1), { numHeads: 2 }), /not divisible/);
  tf.dispose([r.output, r.weights, rw.output, rw.weights, ...Object.values(inp)]);
  p.dispose();
});

test('TemporalAttention and MergeLayer: gradient check; dropout is training-only', () => {
  const rng = new Rng(104);
  const att = new TemporalAttention(2, 1, 1, rng, { numHeads: 2, dropout: 0 });
  const src = tf.variable(rand(rng, [2, 2]));
  const seq = tf.variable(rand(rng, [2, 3, 2]));
  const inp = {
    srcTime: rand(rng, [2, 1]),
    seqTime: rand(rng, [2, 3, 1]) as tf.Tensor3D,
    seqEdge: rand(rng, [2, 3, 1]) as tf.Tensor3D,
    mask: tf.tensor2d(
      [
        [0, 0, 1],
        [0, 0, 0],
      ],
      [2, 3],
      'int32',
    ),
  };
  const R = rand(rng, [2, 2]);
  const loss = (): tf.Scalar => tf.sum(tf.mul(att.forward({ ...inp, src: src as unknown as tf.Tensor2D, seq: seq as unknown as tf.Tensor3D }).output, R)) as tf.Scalar;
  const pick = att.namedParameters().filter(([n]) => !n.includes('layer_norm'));
  expectGradOk(loss, [...pick, ['src', src], ['seq', seq]], { eps: 1e-3 });
  const merge = new MergeLayer(2, 3, 4, 1, rng);
  assert.deepEqual(merge.fc1.weight.shape, [4, 5]);
  const a = rand(rng, [3, 2]);
  const b = rand(rng, [3, 3]);
  expectGradOk(() => tf.sum(merge.forward(a, b)) as tf.Scalar, merge.namedParameters());
  const drop = new TemporalAttention(2, 1, 1, rng, { numHeads: 1, dropout: 0.5, dropoutRng: rng.fork() });
  const fwd = () => drop.forward({ ...inp, src: src as unknown as tf.Tensor2D, seq: seq as unknown as tf.Tensor3D }).output.dataSync();
  const t1 = fwd();
  const t2 = fwd();
  assert.ok(
    t1.some((v, i) => v !== t2[i]),
    'training: different masks per call',
  );
  drop.eval();
  assert.deepEqual(Array.from(fwd()), Array.from(fwd()));
  assert.throws(() => new TemporalAttention(2, 1, 1, rng, { dropout: 0.1 }), /dropoutRng/);
  tf.dispose([src, seq, R, a, b, ...Object.values(inp)]);
  att.dispose();
  merge.dispose();
  drop.dispose();
});
