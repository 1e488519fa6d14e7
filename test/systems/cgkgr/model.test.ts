import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { gradCheck } from '../../../src/nn/gradcheck.js';
import { Rng } from '../../../src/util/random.js';
import { Adam } from '../../../src/optim/optimizers.js';
import { CgkgrNet, bceWithLogits } from '../../../src/systems/cgkgr/model.js';
import { multiHeadAttention, tfXavierUniform } from '../../../src/systems/cgkgr/aggregators.js';
import { resolveConfig, type AggregatorType, type ReprType } from '../../../src/systems/cgkgr/config.js';
import type { SampleTensors } from '../../../src/systems/cgkgr/sampling.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

interface FixtureCase {
  config: { name: string; agg: AggregatorType; repr: ReprType; a: number; n_layer: number; n_head: number };
  params: Record<string, { shape: number[]; data: number[] }>;
  user_repr: number[];
  item_repr: number[];
  logits: number[];
  bce: number;
  l2: number;
  loss: number;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/cgkgr/official_forward.json', import.meta.url), 'utf8')) as {
  sizes: { n_user: number; n_item: number; n_entity: number; n_relation: number; dim: number; sample_size: number; batch: number; l2_weight: number };
  inputs: Record<string, number[]>;
  cases: FixtureCase[];
};

function fixtureSample(): SampleTensors {
  const { sizes: z, inputs } = fixture;
  const S = z.sample_size;
  return {
    adjU2I: tf.tensor2d(inputs['adj_u2i']!, [z.n_user, S], 'int32'),
    adjI2U: tf.tensor2d(inputs['adj_i2u']!, [z.n_item, S], 'int32'),
    adjE2E: tf.tensor2d(inputs['adj_e2e']!, [z.n_entity, S], 'int32'),
    adjRel: tf.tensor2d(inputs['adj_rel']!, [z.n_entity, S], 'int32'),
    userHas: tf.ones([z.n_user]) as tf.Tensor1D,
    itemHas: tf.ones([z.n_item]) as tf.Tensor1D,
  };
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(Math.abs(actual[k]! - expected[k]!) <= tol, `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
  }
}

test('parameter counts equal the official logs (Last.FM allocated; Book and ML-20M by shape)', () => {
  const music = resolveConfig({}, 'music');
  const m = new CgkgrNet(music, { nUser: 1872, nEntity: 9366, nRelation: 60 }, 1);
  assert.equal(m.numParameters(), 197_792);
  assert.equal(CgkgrNet.parameterCount(music, { nUser: 1872, nEntity: 9366, nRelation: 60 }), 197_792);
  m.dispose();
  assert.equal(CgkgrNet.parameterCount(resolveConfig({}, 'book'), { nUser: 17_860, nEntity: 77_903, nRelation: 25 }), 6_272_448);
  assert.equal(CgkgrNet.parameterCount(resolveConfig({}, 'movie'), { nUser: 138_159, nEntity: 102_569, nRelation: 32 }), 15_562_560);
  // Every allocated shape matches the shape table (same names, same sizes).
  const small = resolveConfig({ nodeDim: 8, nHead: 2, nLayer: 2, aggType: 'ngh' });
  const sm = new CgkgrNet(small, { nUser: 3, nEntity: 7, nRelation: 2 }, 1);
  const table = CgkgrNet.parameterShapes(small, { nUser: 3, nEntity: 7, nRelation: 2 });
  assert.deepEqual(Object.fromEntries(sm.namedParameters().map(([n, v]) => [n, v.shape])), table);
  sm.dispose();
});

test('TF xavier init: limit from fans that include the leading dims', () => {
  const w = tfXavierUniform(new Rng(1), [5, 4, 4]);
  const lim = Math.sqrt(6 / (4 * 5 + 4 * 5));
  const v = w.dataSync();
  assert.ok(Math.max(...v) <= lim && Math.min(...v) >= -lim);
  assert.ok(Math.max(...v) > 0.8 * lim, 'uses the range');
  w.dispose();
});

for (const c of fixture.cases) {
  test(`forward agrees with the numpy transcription of the official graph: ${c.config.name}`, () => {
    const z = fixture.sizes;
    const cfg = resolveConfig({
      nodeDim: z.dim,
      sampleSize: z.sample_size,
      nLayer: c.config.n_layer,
      nHead: c.config.n_head,
      aggType: c.config.agg,
      reprType: c.config.repr,
      a: c.config.a,
      l2Weight: z.l2_weight,
    });
    const m = new CgkgrNet(cfg, { nUser: z.n_user, nEntity: z.n_entity, nRelation: z.n_relation }, 1);
    const dict = new Map(Object.entries(c.params).map(([n, p]) => [n, tf.tensor(p.data, p.shape)]));
    m.loadStateDict(dict);
    tf.dispose([...dict.values()]);
    const s = fixtureSample();
    const users = tf.tensor1d(fixture.inputs['users']!, 'int32');
    const items = tf.tensor1d(fixture.inputs['items']!, 'int32');
    const labels = tf.tensor1d(fixture.inputs['labels']!);
    const us = m.userSide(users, s);
    const side = m.itemSide(items, s);
    const rep = m.itemRepresentation(items, us.uPrime, side, s);
    closeTo(us.uPrime.dataSync(), c.user_repr, 1e-4, "u'");
    closeTo(rep.iPrime.dataSync(), c.item_repr, 1e-4, "i'");
    const logits = m.forward(users, items, s);
    closeTo(logits.dataSync(), c.logits, 1e-4, 'logits');
    const { total, bce } = m.loss(users, items, labels, s);
    const l2 = m.l2Loss();
    assert.ok(Math.abs(bce.dataSync()[0]! - c.bce) < 1e-4, `bce ${bce.dataSync()[0]} vs ${c.bce}`);
    assert.ok(Math.abs(l2.dataSync()[0]! - c.l2) < 1e-3 * Math.max(1, c.l2), `l2 ${l2.dataSync()[0]} vs ${c.l2}`);
    assert.ok(Math.abs(total.dataSync()[0]! - c.loss) < 1e-4, `loss ${total.dataSync()[0]} vs ${c.loss}`);
    tf.dispose([us.uPrime, us.userItems, us.alpha, side.eI, side.egoIU, side.alpha, side.itemUsers, rep.iPrime, ...rep.entities, ...rep.relations, logits, total, bce, l2, users, items, labels]);
    tf.dispose(Object.values(s));
    m.dispose();
  });
}

test('every attention row sums to 1 over the S neighbours (user, item and KG sides)', () => {
  const z = fixture.sizes;
  const cfg = resolveConfig({ nodeDim: 8, sampleSize: z.sample_size, nLayer: 2, nHead: 4 });
  const m = new CgkgrNet(cfg, { nUser: z.n_user, nEntity: z.n_entity, nRelation: z.n_relation }, 5);
  const s = fixtureSample();
  const users = tf.tensor1d(fixture.inputs['users']!, 'int32');
  const items = tf.tensor1d(fixture.inputs['items']!, 'int32');
  const { logits, attention: a } = m.explain(users, items, s);
  const check = (alpha: tf.Tensor, axis: number, what: string): void => {
    const sums = tf.sum(alpha, axis);
    for (const v of sums.dataSync()) assert.ok(Math.abs(v - 1) < 1e-5, `${what}: row sums to ${v}`);
    const mn = tf.min(alpha).dataSync()[0]!;
    assert.ok(mn >= 0, `${what}: negative weight`);
    sums.dispose();
  };
  check(a.userAlpha, 1, 'user side');
  check(a.itemAlpha, 1, 'item side');
  assert.equal(a.kgAlpha.length, 2);
  assert.equal(a.kgAlpha[0]!.length, 2); // layer 0 aggregates hops 0 and 1
  assert.equal(a.kgAlpha[1]!.length, 1); // the final layer only the item
  for (const layer of a.kgAlpha) for (const al of layer) check(al, 2, 'KG');
  assert.deepEqual(a.kgAlpha[0]![1]!.shape, [z.batch, z.sample_size, z.sample_size, 4]);
  tf.dispose([logits, a.userItems, a.userAlpha, a.itemUsers, a.itemAlpha, ...a.kgAlpha.flat(), ...a.entities, ...a.relations, users, items]);
  tf.dispose(Object.values(s));
  m.dispose();
});

test('multi-head attention by hand: two heads, two neighbours', () => {
  // key (1,0 | 0,2), values v1 = (1,1 | 1,0), v2 = (0,0 | 0,1); dh = 2, scale √2.
  const keys = tf.tensor3d([[[1, 0, 0, 2]]]);
  const values = tf.tensor3d([
    [
      [1, 1, 1, 0],
      [0, 0, 0, 1],
    ],
  ]);
  const { out, alpha } = multiHeadAttention(keys, values, 2);
  const s = Math.SQRT2;
  // head 0: scores 1/√2, 0; head 1: scores 0, 2/√2
  const a0 = 1 / (1 + Math.exp(-1 / s));
  const a1 = 1 / (1 + Math.exp(2 / s));
  closeTo(alpha.dataSync(), [a0, a1, 1 - a0, 1 - a1], 1e-6, 'alpha');
  closeTo(out.dataSync(), [a0, a0, a1, 1 - a1], 1e-6, 'out');
  tf.dispose([keys, values, out, alpha]);
});

test('the relation transform is W_r·(s ⊙ e_h) per sampled edge (hand-checked against explicit matrices)', () => {
  const cfg = resolveConfig({ nodeDim: 4, nHead: 1, sampleSize: 2, nLayer: 1 });
  const m = new CgkgrNet(cfg, { nUser: 2, nEntity: 4, nRelation: 2 }, 3);
  const agg = m.entityAggregators.at(0);
  const Wrel = tf.tensor3d([
    [
      [1, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 3, 0],
      [0, 0, 0, 4],
    ],
    [
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [1, 0, 0, 0],
    ],
  ]);
  const s = tf.tensor2d([[1, 1, 2, 2]]);
  const selfV = tf.tensor3d([[[1, 2, 3, 4]]]);
  // Neighbour values chosen so the scores are readable: t0 = e_0, t1 = e_2.
  const ngh = tf.tensor4d([
    [
      [
        [1, 0, 0, 0],
        [0, 0, 1, 0],
      ],
    ],
  ]);
  const rels = tf.tensor3d([[[0, 1]]], undefined, 'int32');
  const { ego, alpha } = agg.entityEgo(s, selfV, ngh, rels, Wrel);
  // x = s ⊙ e_h = (1,2,6,8); key0 = W_0 x = (1,4,18,32) → score 1/√4; key1 = W_1 x = (2,6,8,1) → score 8/√4
  // (W_1ᵀx = (8,1,2,6) would give 2/√4: the test tells W from Wᵀ).
  const a0 = 1 / (1 + Math.exp(4 - 0.5));
  closeTo(alpha.dataSync(), [a0, 1 - a0], 1e-6, 'alpha');
  closeTo(ego.dataSync(), [a0, 0, 1 - a0, 0], 1e-6, 'ego');
  tf.dispose([Wrel, s, selfV, ngh, rels, ego, alpha]);
  m.dispose();
});

test('gradient check through the whole model (2 layers, sum aggregator, combine signal)', () => {
  const z = fixture.sizes;
  const cfg = resolveConfig({ nodeDim: 8, sampleSize: z.sample_size, nLayer: 2, nHead: 2, aggType: 'sum', reprType: 'combine', a: 0.7, l2Weight: 0.01 });
  const m = new CgkgrNet(cfg, { nUser: z.n_user, nEntity: z.n_entity, nRelation: z.n_relation }, 11);
  const s = fixtureSample();
  const users = tf.tensor1d(fixture.inputs['users']!, 'int32');
  const items = tf.tensor1d(fixture.inputs['items']!, 'int32');
  const labels = tf.tensor1d(fixture.inputs['labels']!);
  const loss = (): tf.Scalar => tf.tidy(() => tf.mul(m.loss(users, items, labels, s).total, 10) as tf.Scalar);
  const r = gradCheck(loss, m.namedParameters(), { eps: 1e-2, rtol: 5e-2, atol: 5e-3, maxPerVariable: 12, rng: new Rng(4) });
  assert.deepEqual(r.failures, [], `max error ${r.maxError}`);
  assert.ok(r.checked > 100);
  tf.dispose([users, items, labels]);
  tf.dispose(Object.values(s));
  m.dispose();
});

test('a tiny model overfits a tiny batch, and training steps do not leak tensors', () => {
  const z = fixture.sizes;
  const cfg = resolveConfig({ nodeDim: 8, sampleSize: z.sample_size, nLayer: 1, nHead: 2, l2Weight: 0 });
  const m = new CgkgrNet(cfg, { nUser: z.n_user, nEntity: z.n_entity, nRelation: z.n_relation }, 2);
  const s = fixtureSample();
  const users = tf.tensor1d(fixture.inputs['users']!, 'int32');
  const items = tf.tensor1d(fixture.inputs['items']!, 'int32');
  const labels = tf.tensor1d(fixture.inputs['labels']!);
  const opt = new Adam(m.namedTrainable(), { lr: 0.05 });
  const vars = opt.variables();
  const step = (): number => {
    const { value, grads } = tf.variableGrads(() => m.loss(users, items, labels, s).total, vars);
    opt.step(grads);
    const v = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return v;
  };
  const first = step();
  step();
  const before = tf.memory().numTensors;
  let last = first;
  for (let k = 0; k < 120; k++) last = step();
  assert.equal(tf.memory().numTensors, before, 'tensor count grows across steps');
  assert.ok(last < 0.05, `loss ${first} → ${last}`);
  // BCE by hand for one logit.
  const b = bceWithLogits(tf.tensor1d([2]), tf.tensor1d([0]));
  assert.ok(Math.abs(b.dataSync()[0]! - Math.log(1 + Math.exp(2))) < 1e-6);
  tf.dispose([users, items, labels, b]);
  tf.dispose(Object.values(s));
  m.dispose();
});
