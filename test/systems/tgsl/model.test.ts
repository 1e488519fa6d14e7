/**
 * TGSL's structure learner (src/systems/tgsl/model.ts) on a small synthetic graph: k = ⌊ratio·C⌋
 * learned edges per node for every candidate type, t* < t_max and weights in (0, 1), gradients
 * that reach the LSTM / ψ / ET-GNN only through the augmented graph, the EMA key encoder and the
 * MoCo queue, padding weight 0, seeded repeatable inference, a backbone that overfits one batch,
 * no tensor leaks, and the baselines and metrics of evaluate.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import '../../../src/node/setup.js';
import { nodeStorage } from '../../../src/node/storage.js';
import { candidatesPerNode, configSchema, dataSchema, resolveConfig, type ResolvedTGSLConfig, type TGSLConfigInput } from '../../../src/systems/tgsl/config.js';
import { buildContext, disposeContext, loadTemporalData, type RunContext } from '../../../src/systems/tgsl/data.js';
import { TGSLNet, batchNodes, candidates, edgeEmbeddingTable, infoNce, l2normalize, linkBce, pairLogits, plainView, refine } from '../../../src/systems/tgsl/model.js';
import { baselineScores, drawQueries, meanReciprocalRank, officialScores, scoreQueries, type Queries, type Scored } from '../../../src/systems/tgsl/evaluate.js';
import { Adam } from '../../../src/optim/optimizers.js';
import { UsageError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';

await initEngine({ backend: 'wasm' });

const DATA = await loadTemporalData(nodeStorage, dataSchema.parse({ data: 'synthetic', syntheticEvents: 400, syntheticFeatures: 8 }));
const SMALL: TGSLConfigInput = { width: 8, numNeighbors: 3, canNn: 3, rnnNn: 4, queueSize: 16, batchSize: 50 };

interface Setup {
  cfg: ResolvedTGSLConfig;
  ctx: RunContext;
  net: TGSLNet;
  dispose: () => void;
}

function setup(extra: TGSLConfigInput = {}, seed = 0): Setup {
  const cfg = resolveConfig(configSchema.parse({ ...SMALL, ...extra }), DATA.graph.edgeDim);
  const ctx = buildContext(DATA, cfg, seed);
  const net = new TGSLNet(cfg, seed);
  return {
    cfg,
    ctx,
    net,
    dispose: () => {
      net.dispose();
      disposeContext(ctx);
    },
  };
}

/** The last `B` training interactions (late enough that most nodes have a history). */
function lateBatch(ctx: RunContext, B = 50): { src: Int32Array; dst: Int32Array; t: Float64Array } {
  const g = ctx.graph;
  const idx = ctx.split.train.subarray(ctx.split.train.length - B);
  return { src: Int32Array.from(idx, (i) => g.src[i]!), dst: Int32Array.from(idx, (i) => g.dst[i]!), t: Float64Array.from(idx, (i) => g.t[i]!) };
}

const absSum = (x: tf.Tensor): number => tf.tidy(() => tf.sum(tf.abs(x)).dataSync()[0]!);

test('k = ⌊ratio·#candidates⌋ learned edges per batch node for every candidate type (exactly k when no candidate is padding)', () => {
  for (const canType of ['1st', '3rd', 'mix', 'random'] as const) {
    const s = setup({ canType, ratio: 0.7 });
    const { cfg, ctx, net } = s;
    const C = candidatesPerNode(canType, 3);
    assert.equal(C, { '1st': 3, '3rd': 27, mix: 30, random: 3 }[canType]);
    const k = Math.floor(0.7 * C);
    const b = lateBatch(ctx);
    const nodes = batchNodes(b.src, b.dst, null);
    const U = nodes.length;
    tf.tidy(() => {
      const emb = edgeEmbeddingTable(net, ctx);
      const r = refine(net, ctx, emb, nodes, ctx.trainFinder, new Rng(7));
      const added = r.added();
      // The same draws as refine: its LSTM history sample, then the candidates.
      const rng = new Rng(7);
      ctx.trainFinder.sample(nodes, new Float64Array(U).fill(ctx.split.tMax + 1), cfg.rnnNn, 'uniform', rng);
      const cand = candidates(ctx, cfg, nodes, rng);
      assert.equal(cand.n, C, canType);
      assert.equal(r.weights.shape[0], U * k, `${canType}: U·k weights`);
      assert.equal(added.dst.length, added.src.length);
      assert.equal(added.weight.length, added.src.length);
      assert.equal(added.t.length, added.src.length);
      let full = 0;
      let total = 0;
      for (let i = 0; i < U; i++) {
        const mine: number[] = [];
        for (let j = 0; j < added.src.length; j++) if (added.src[j] === nodes[i]) mine.push(added.dst[j]!);
        const row = Array.from(cand.nodes.subarray(i * C, (i + 1) * C));
        const pads = row.filter((v) => v === 0).length;
        assert.ok(mine.length <= k, `${canType}: node ${nodes[i]} got ${mine.length} > k = ${k} edges`);
        assert.ok(mine.length >= k - pads, `${canType}: node ${nodes[i]} got ${mine.length} < k − padding = ${k - pads}`);
        if (pads === 0) {
          assert.equal(mine.length, k, `${canType}: node ${nodes[i]} has no padding candidate`);
          full++;
        }
        for (const d of mine) assert.ok(d !== 0 && row.includes(d), `${canType}: added destination ${d} is one of the node's candidates`);
        total += mine.length;
      }
      assert.equal(total, added.src.length, 'every added edge starts at a batch node');
      if (canType === '1st' || canType === 'random') assert.equal(full, U, `${canType} candidates are never padding for training nodes`);
      assert.ok(total >= U, `${canType}: ${total} edges added for ${U} nodes`);
    });
    s.dispose();
  }
});

test('resolveConfig: a ratio that keeps ⌊ratio·C⌋ = 0 candidates is a UsageError (only with the structure learner)', () => {
  const parse = (c: TGSLConfigInput) => resolveConfig(configSchema.parse({ ...SMALL, ...c }), 8);
  assert.throws(
    () => parse({ canType: '1st', ratio: 0.3 }),
    (e: unknown) => e instanceof UsageError && /k must be at least 1/.test(e.message) && e.message.includes('⌊0.3 × 3⌋'),
  );
  assert.throws(() => parse({ canType: 'random', ratio: 0.33 }), UsageError);
  assert.throws(() => parse({ canType: '3rd', ratio: 0.03 }), UsageError);
  assert.throws(() => parse({ canType: 'mix', ratio: 0.03 }), UsageError);
  assert.equal(parse({ canType: '1st', ratio: 0.34 }).ratio, 0.34, '⌊1.02⌋ = 1 is enough');
  assert.equal(parse({ canType: 'mix', ratio: 0.034 }).canType, 'mix', '⌊0.034 × 30⌋ = 1');
  assert.equal(parse({ canType: '1st', ratio: 0.3, tgsl: false }).tgsl, false, 'the backbone alone has no k');
});

test('added edges: t* in [0, t_max), weight σ(·) in (0, 1), visible in the augmented finder from both ends', () => {
  const s = setup({ canType: 'mix', ratio: 0.5 });
  const { ctx, net } = s;
  const tMax = ctx.split.tMax;
  assert.ok(tMax > 0);
  const nodes = batchNodes(lateBatch(ctx).src, lateBatch(ctx).dst, null);
  tf.tidy(() => {
    const emb = edgeEmbeddingTable(net, ctx);
    const r = refine(net, ctx, emb, nodes, ctx.fullFinder, new Rng(3));
    const a = r.added();
    assert.ok(a.src.length > nodes.length);
    for (let j = 0; j < a.src.length; j++) {
      assert.ok(a.t[j]! >= 0 && a.t[j]! < tMax, `t* = ${a.t[j]} is not in [0, ${tMax})`);
      assert.ok(a.weight[j]! > 0 && a.weight[j]! < 1, `weight ${a.weight[j]}`);
    }
    // The first added edge appears among its source's and destination's neighbours just after t*.
    const E = ctx.graph.src.length;
    const fromSrc = r.view.finder.before(a.src[0]!, a.t[0]! + 1e-6);
    const fromDst = r.view.finder.before(a.dst[0]!, a.t[0]! + 1e-6);
    assert.ok(Array.from(fromSrc.eids).some((e, i) => e > E && fromSrc.nodes[i] === a.dst[0]));
    assert.ok(Array.from(fromDst.eids).some((e, i) => e > E && fromDst.nodes[i] === a.src[0]));
    assert.equal(ctx.fullFinder.degree(a.src[0]!) + Array.from(a.src).filter((v) => v === a.src[0]).length + Array.from(a.dst).filter((v) => v === a.src[0]).length, r.view.finder.degree(a.src[0]!));
  });
  s.dispose();
});

test('padding neighbours get weight 0 in the augmented view, real edges 1, added edges their σ weight', () => {
  const s = setup({ canType: '3rd', ratio: 0.5 });
  const { ctx, net } = s;
  const E = ctx.graph.src.length;
  const nodes = batchNodes(lateBatch(ctx).src, lateBatch(ctx).dst, null);
  tf.tidy(() => {
    const emb = edgeEmbeddingTable(net, ctx);
    const r = refine(net, ctx, emb, nodes, ctx.trainFinder, new Rng(4));
    const w = r.view.edgeWeight!.dataSync();
    const added = r.weights.dataSync();
    assert.equal(w.length, 1 + E + added.length);
    assert.equal(r.view.edgeTable.shape[0], w.length, 'one weight per edge-table row');
    assert.equal(w[0], 0, 'edge id 0 (padding) has weight 0');
    for (let e = 1; e <= E; e++) assert.equal(w[e], 1, `real edge ${e}`);
    assert.deepEqual(Array.from(w.subarray(E + 1)), Array.from(added));
    assert.equal(absSum(tf.slice(r.view.edgeTable, [0, 0], [1, -1])), 0, 'the padding edge has zero features');
    // A block with padding rows reads weight 0 there.
    const blk = r.view.finder.sample([nodes[0]!, 0], [0, 1], 3, 'recent');
    const got = tf.gather(r.view.edgeWeight!, tf.tensor1d(blk.eids, 'int32')).dataSync();
    assert.deepEqual(Array.from(got), [0, 0, 0, 0, 0, 0]);
  });
  s.dispose();
});

/** The TGSL loss terms of one batch, as train.ts builds them. */
function tgslLoss(s: Setup, withOrig: boolean, withAug: boolean, rng: Rng): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const { cfg, ctx, net } = s;
  const b = lateBatch(ctx);
  const neg = ctx.samplers.train.sample(b.src.length, rng);
  const tMax1 = ctx.split.tMax + 1;
  const nodes = batchNodes(b.src, b.dst, null);
  const origView = plainView(ctx, ctx.trainFinder, cfg.sampling, rng);
  const keys = tf.tidy(() => l2normalize(net.encoderK!.embed(nodes, new Float64Array(nodes.length).fill(tMax1), origView)));
  const vars = net.namedParameters().map(([, v]) => v);
  const out = tf.variableGrads(() => {
    const terms: tf.Scalar[] = [];
    if (withOrig) {
      const o = pairLogits(net.encoder, origView, b.src, b.dst, neg, b.t);
      terms.push(linkBce(o.pos, o.neg));
    }
    if (withAug) {
      const emb = edgeEmbeddingTable(net, ctx);
      const r = refine(net, ctx, emb, nodes, ctx.trainFinder, rng);
      const a = pairLogits(net.encoder, r.view, b.src, b.dst, neg, b.t);
      const q = l2normalize(net.encoder.embed(nodes, new Float64Array(nodes.length).fill(tMax1), r.view));
      terms.push(linkBce(a.pos, a.neg), tf.mul(infoNce(q, keys, net.queue!, cfg.tau), cfg.coe) as tf.Scalar);
    }
    return tf.addN(terms) as tf.Scalar;
  }, vars);
  keys.dispose();
  return out;
}

const LEARNER = ['edge_rnn.', 'sample_time_encoder.', 'view_learner.'];

test('gradients: BCE(aug) + InfoNCE reaches the LSTM, ψ and ET-GNN; BCE on the original graph alone gives them none; the key encoder never gets one', () => {
  const s = setup({ canType: '1st', ratio: 0.7 });
  const names = new Map(s.net.namedParameters().map(([n, v]) => [v.name, n]));
  const byModule = (grads: tf.NamedTensorMap) => {
    const sums = new Map<string, { present: number; params: number; abs: number }>();
    for (const [n, v] of s.net.namedParameters()) {
      const m = LEARNER.find((p) => n.startsWith(p)) ?? (n.startsWith('encoder_k.') ? 'encoder_k.' : 'encoder.');
      const e = sums.get(m) ?? { present: 0, params: 0, abs: 0 };
      const g = grads[v.name];
      e.params++;
      if (g != null) {
        e.present++;
        e.abs += absSum(g);
      }
      sums.set(m, e);
    }
    return sums;
  };
  const aug = tgslLoss(s, false, true, new Rng(1));
  const sa = byModule(aug.grads);
  for (const m of LEARNER) {
    const e = sa.get(m)!;
    assert.equal(e.present, e.params, `${m}: every parameter has a gradient under the TGSL loss`);
    assert.ok(e.abs > 0, `${m}: gradient is non-zero (Σ|g| = ${e.abs})`);
  }
  assert.ok(sa.get('encoder.')!.abs > 0);
  assert.equal(sa.get('encoder_k.')!.abs, 0);
  for (const [k, g] of Object.entries(aug.grads)) if (names.get(k)!.startsWith('encoder_k.')) assert.equal(g, null, `${names.get(k)}: the key encoder gets no gradient`);
  tf.dispose([aug.value, ...Object.values(aug.grads).filter((x): x is tf.Tensor => x != null)]);
  const orig = tgslLoss(s, true, false, new Rng(1));
  const so = byModule(orig.grads);
  for (const m of LEARNER) assert.equal(so.get(m)!.abs, 0, `${m}: BCE on the original graph gives no (or zero) gradient`);
  assert.ok(so.get('encoder.')!.abs > 0, 'the backbone does get one');
  tf.dispose([orig.value, ...Object.values(orig.grads).filter((x): x is tf.Tensor => x != null)]);
  s.dispose();
});

test('key encoder: a frozen copy of f_q at start, updated by EMA k ← m·k + (1 − m)·q with m = 0.999', () => {
  const s = setup();
  const { net } = s;
  assert.equal(s.cfg.momentum, 0.999);
  const qs = net.encoder.namedParameters();
  const ks = net.encoderK!.namedParameters();
  assert.deepEqual(
    ks.map(([n]) => n),
    qs.map(([n]) => n),
  );
  for (let i = 0; i < qs.length; i++) assert.deepEqual(Array.from(ks[i]![1].dataSync()), Array.from(qs[i]![1].dataSync()), `${qs[i]![0]} copied`);
  const trainable = net.namedTrainable().map(([n]) => n);
  assert.ok(!trainable.some((n) => n.startsWith('encoder_k.')), 'the key encoder is not trained');
  assert.ok(trainable.some((n) => n.startsWith('encoder.')));
  assert.ok(ks.every(([, v]) => !v.trainable));
  assert.equal(net.numParameters(true), net.numParameters() - net.encoderK!.numParameters());
  // Move f_q away from f_k, then one EMA step.
  const [name, pq] = qs.find(([n]) => n.endsWith('fc1.weight'))!;
  const pk = ks.find(([n]) => n === name)![1];
  tf.tidy(() => pq.assign(tf.add(pq, tf.randomNormal(pq.shape, 0, 1, 'float32', 5))));
  const k0 = pk.dataSync().slice();
  const q0 = pq.dataSync().slice();
  net.momentumUpdate();
  const k1 = pk.dataSync();
  let moved = 0;
  for (let i = 0; i < k0.length; i++) {
    const want = 0.999 * k0[i]! + 0.001 * q0[i]!;
    assert.ok(Math.abs(k1[i]! - want) < 2e-6, `${name}[${i}]: ${k1[i]} ≠ ${want}`);
    moved = Math.max(moved, Math.abs(k1[i]! - k0[i]!));
  }
  assert.ok(moved > 1e-4, 'the key parameter moved towards the query one');
  assert.deepEqual(Array.from(pq.dataSync()), Array.from(q0), 'the query encoder is unchanged');
  // A parameter equal in both stays put.
  const [n2, q2] = qs.find(([n]) => n.endsWith('affinity_score.fc2.bias'))!;
  assert.deepEqual(Array.from(ks.find(([n]) => n === n2)![1].dataSync()), Array.from(q2.dataSync()));
  s.dispose();
});

test('MoCo queue: unit-norm columns; enqueue writes at the pointer and wraps modulo K, keeping the last keys', () => {
  const s = setup();
  const { net } = s;
  const D = net.encoder.embedDim;
  const K = 16;
  const q0 = net.queue!.dataSync();
  for (let j = 0; j < K; j++) {
    let n = 0;
    for (let d = 0; d < D; d++) n += q0[d * K + j]! ** 2;
    assert.ok(Math.abs(n - 1) < 1e-5, `column ${j} has norm² ${n}`);
  }
  const keys = (from: number, count: number) => Float32Array.from({ length: count * D }, (_, x) => 100 * (from + Math.floor(x / D)) + (x % D));
  /** Column j holds key `id` when its entries are 100·id + d. */
  const column = (j: number) => {
    const q = net.queue!.dataSync();
    return Array.from({ length: D }, (_, d) => q[d * K + j]!);
  };
  const isKey = (j: number, id: number) =>
    assert.deepEqual(
      column(j),
      Array.from({ length: D }, (_, d) => 100 * id + d),
      `column ${j} holds key ${id}`,
    );
  net.enqueue(keys(0, 10), 10);
  assert.equal(net.queuePtr, 10);
  for (let j = 0; j < 10; j++) isKey(j, j);
  assert.deepEqual(
    column(10),
    Array.from({ length: D }, (_, d) => q0[d * K + 10]!),
    'columns past the pointer are untouched',
  );
  net.enqueue(keys(10, 10), 10);
  assert.equal(net.queuePtr, 4, '(10 + 10) mod 16');
  for (let j = 0; j < 16; j++) isKey(j, j < 4 ? 16 + j : j);
  // More keys than the queue holds: the last K stay, each at (ptr + i) mod K.
  net.enqueue(keys(20, 20), 20);
  assert.equal(net.queuePtr, 8, '(4 + 20) mod 16');
  for (let i = 4; i < 20; i++) isKey((4 + i) % K, 20 + i);
  // The host copy and the buffer agree (syncQueue is a no-op now).
  const before = Array.from(net.queue!.dataSync());
  net.syncQueue();
  net.enqueue(keys(40, 1), 1);
  isKey(8, 40);
  assert.deepEqual(
    Array.from(net.queue!.dataSync()).filter((_, x) => x % K !== 8),
    before.filter((_, x) => x % K !== 8),
  );
  s.dispose();
});

function smallQueries(ctx: RunContext, seed: number): Queries {
  return drawQueries(ctx, ctx.split.test.subarray(0, 60), ctx.samplers.all, new Rng(seed), { batch: 30, mrr: 2, dropLast: false });
}

test('inference is stochastic but seeded: the same Rng seed gives identical scores and added edges, another seed other ones', () => {
  const s = setup({ canType: '1st', ratio: 0.7 });
  const q = smallQueries(s.ctx, 1);
  assert.equal(q.batches.length, 2);
  const flat = (r: Scored) => r.batches.flatMap((b) => [...b.pos, ...b.neg, ...b.randNeg!, ...b.histNeg!]);
  const a = scoreQueries(s.net, s.ctx, q, new Rng(5));
  const b = scoreQueries(s.net, s.ctx, q, new Rng(5));
  assert.equal(flat(a).length, 2 * 60 + 4 * 60);
  assert.ok(flat(a).every((p) => p > 0 && p < 1));
  assert.deepEqual(flat(b), flat(a));
  assert.equal(a.added.length, 2, 'one refinement per batch');
  assert.deepEqual(
    b.added.map((x) => [Array.from(x.src), Array.from(x.dst), Array.from(x.t), Array.from(x.weight)]),
    a.added.map((x) => [Array.from(x.src), Array.from(x.dst), Array.from(x.t), Array.from(x.weight)]),
  );
  const c = scoreQueries(s.net, s.ctx, q, new Rng(6));
  assert.notDeepEqual(flat(c), flat(a));
  assert.notDeepEqual(Array.from(c.added[0]!.t), Array.from(a.added[0]!.t));
  // Inference refines from the full history: only training nodes are refined.
  for (const x of a.added) for (const v of x.src) assert.equal(s.ctx.trainNodeMask[v], 1);
  s.dispose();
});

test('the backbone alone (tgsl false) overfits one small batch with Adam', () => {
  const s = setup({ tgsl: false, sampling: 'recent', dropout: 0 });
  const { ctx, net, cfg } = s;
  assert.equal(net.encoderK, null);
  assert.equal(net.edgeRnn, null);
  const b = lateBatch(ctx, 40);
  const neg = ctx.samplers.train.sample(40, new Rng(2));
  const view = plainView(ctx, ctx.trainFinder, cfg.sampling, new Rng(3));
  const opt = new Adam(net.namedTrainable(), { lr: 1e-2 });
  net.train();
  const losses: number[] = [];
  for (let step = 0; step < 120; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const o = pairLogits(net.encoder, view, b.src, b.dst, neg, b.t);
      return linkBce(o.pos, o.neg);
    }, opt.variables());
    losses.push(value.dataSync()[0]!);
    opt.step(grads);
    tf.dispose([value, ...Object.values(grads).filter((x): x is tf.Tensor => x != null)]);
  }
  const first = losses[0]!;
  const last = Math.min(...losses.slice(-5));
  assert.ok(first > 1, `BCE starts near 2 ln 2 (${first})`);
  assert.ok(last < 0.3 * first, `BCE ${first.toFixed(4)} → ${last.toFixed(4)}`);
  opt.dispose();
  s.dispose();
});

test('no tensor leaks: a TGSL training step (as train.ts) and a scoreQueries call leave the tensor count unchanged', () => {
  const s = setup({ canType: 'mix', ratio: 0.2 });
  const { cfg, ctx, net } = s;
  const optimizer = new Adam(net.namedTrainable(), { lr: 1e-3 });
  const rng = new Rng(9);
  const tMax1 = ctx.split.tMax + 1;
  const g = ctx.graph;
  const step = (s0: number, e0: number): number => {
    const idx = ctx.split.train.subarray(s0, e0);
    const B = idx.length;
    const src = Int32Array.from(idx, (i) => g.src[i]!);
    const dst = Int32Array.from(idx, (i) => g.dst[i]!);
    const t = Float64Array.from(idx, (i) => g.t[i]!);
    const neg = ctx.samplers.train.sample(B, rng);
    const origView = plainView(ctx, ctx.trainFinder, cfg.sampling, rng);
    const nodes = batchNodes(src, dst, null);
    net.momentumUpdate();
    const keys = tf.tidy(() => l2normalize(net.encoderK!.embed(nodes, new Float64Array(nodes.length).fill(tMax1), origView)));
    const kept: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const o = pairLogits(net.encoder, origView, src, dst, neg, t);
      const bceOrig = linkBce(o.pos, o.neg);
      kept.push(tf.keep(bceOrig));
      const emb = edgeEmbeddingTable(net, ctx);
      const r = refine(net, ctx, emb, nodes, ctx.trainFinder, rng);
      const a = pairLogits(net.encoder, r.view, src, dst, neg, t);
      const bceAug = linkBce(a.pos, a.neg);
      const q = l2normalize(net.encoder.embed(nodes, new Float64Array(nodes.length).fill(tMax1), r.view));
      const nce = infoNce(q, keys, net.queue!, cfg.tau);
      kept.push(tf.keep(bceAug), tf.keep(nce));
      return tf.addN([bceOrig, bceAug, tf.mul(nce, cfg.coe)]) as tf.Scalar;
    }, optimizer.variables());
    const loss = value.dataSync()[0]!;
    optimizer.step(grads);
    net.enqueue(keys.dataSync() as Float32Array, keys.shape[0]);
    tf.dispose([value, ...kept, keys, ...Object.values(grads).filter((x): x is tf.Tensor => x != null)]);
    return loss;
  };
  net.train();
  assert.ok(Number.isFinite(step(0, 50)), 'warm-up step (creates the Adam slots)');
  const before = tf.memory().numTensors;
  const ptr = net.queuePtr;
  assert.ok(Number.isFinite(step(50, 100)));
  assert.equal(tf.memory().numTensors, before, `${tf.memory().numTensors - before} tensors leaked by a training step`);
  assert.notEqual(net.queuePtr, ptr, 'the step enqueued its keys');
  const q = smallQueries(ctx, 2);
  const b2 = tf.memory().numTensors;
  const r = scoreQueries(net, ctx, q, new Rng(1));
  assert.equal(r.batches.length, 2);
  assert.equal(tf.memory().numTensors, b2, `${tf.memory().numTensors - b2} tensors leaked by scoreQueries`);
  optimizer.dispose();
  s.dispose();
});

test('EdgeBank scores 1 exactly for a pair seen strictly before t; recency 1 / (1 + time since the pair last met)', () => {
  const s = setup({ tgsl: false });
  const { ctx } = s;
  const g = ctx.graph;
  const q = drawQueries(ctx, ctx.split.test, ctx.samplers.all, new Rng(4), { batch: 100, mrr: 3, dropLast: false });
  // Also a query at the exact time of an earlier interaction of the same pair (not strictly before).
  const i0 = ctx.split.train[0]!;
  const tie = { idx: Int32Array.of(i0), src: Int32Array.of(g.src[i0]!), dst: Int32Array.of(g.dst[i0]!), t: Float64Array.of(g.t[i0]!), neg: Int32Array.of(g.dst[i0]!), randNeg: null, histNeg: null };
  const last = (s0: number, d: number, t: number) => {
    let best = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < g.src.length; j++) if (g.src[j] === s0 && g.dst[j] === d && g.t[j]! < t) best = Math.max(best, g.t[j]!);
    return best;
  };
  const eb = baselineScores(ctx, q, 'edgebank');
  const rec = baselineScores(ctx, q, 'recency');
  let ones = 0;
  let zeros = 0;
  q.batches.forEach((b, bi) => {
    const check = (list: Int32Array, got: Float32Array, gotRec: Float32Array, per: number) => {
      for (let j = 0; j < list.length; j++) {
        const i = Math.floor(j / per);
        const l = last(b.src[i]!, list[j]!, b.t[i]!);
        const want = Number.isFinite(l) ? 1 : 0;
        assert.equal(got[j], want, `batch ${bi} pair ${j}`);
        assert.ok(Math.abs(gotRec[j]! - (want ? 1 / (1 + (b.t[i]! - l)) : 0)) < 1e-6);
        if (want) ones++;
        else zeros++;
      }
    };
    check(b.dst, eb.batches[bi]!.pos, rec.batches[bi]!.pos, 1);
    check(b.neg, eb.batches[bi]!.neg, rec.batches[bi]!.neg, 1);
    check(b.randNeg!, eb.batches[bi]!.randNeg!, rec.batches[bi]!.randNeg!, 3);
    check(b.histNeg!, eb.batches[bi]!.histNeg!, rec.batches[bi]!.histNeg!, 3);
  });
  assert.ok(ones > 20 && zeros > 20, `both outcomes occur (${ones} seen, ${zeros} unseen)`);
  const t = baselineScores(ctx, { batches: [tie], mrr: 0 }, 'edgebank');
  const firstTime = last(g.src[i0]!, g.dst[i0]!, g.t[i0]!);
  assert.equal(t.batches[0]!.pos[0], Number.isFinite(firstTime) ? 1 : 0, 'an interaction at exactly t does not count');
  assert.equal(t.batches[0]!.randNeg, null);
  assert.equal(t.added.length, 0);
  s.dispose();
});

test('meanReciprocalRank counts ties as half; officialScores averages the per-batch AP and AUC', () => {
  const mk = (pos: number[], neg: number[], rand: number[] | null): Scored['batches'][number] => ({
    pos: Float32Array.from(pos),
    neg: Float32Array.from(neg),
    randNeg: rand ? Float32Array.from(rand) : null,
    histNeg: null,
    time: 0,
  });
  const s: Scored = { batches: [mk([0.5, 0.75], [0.25, 0.25], [0.5, 0.125, 0.875, 0.75]), mk([0.25], [0.125], [0.5, 0.625])], added: [] };
  // 1 / (1 + 0 + ½), 1 / (1 + 1 + ½), 1 / (1 + 2 + 0).
  const want = (1 / 1.5 + 1 / 2.5 + 1 / 3) / 3;
  assert.ok(Math.abs(meanReciprocalRank(s, 'randNeg', 2) - want) < 1e-12);
  assert.ok(Number.isNaN(meanReciprocalRank(s, 'histNeg', 2)));
  const allTies: Scored = { batches: [mk([0.5], [0.5], [0.5, 0.5, 0.5])], added: [] };
  assert.ok(Math.abs(meanReciprocalRank(allTies, 'randNeg', 3) - 1 / 2.5) < 1e-12);
  // Batch 1 separates perfectly (AP 1, AUC 1); batch 2 ranks its negative first (AP ½, AUC 0).
  const o = officialScores({ batches: [mk([0.9, 0.8], [0.1, 0.2], null), mk([0.1], [0.9], null)], added: [] });
  assert.deepEqual(
    o.perBatch.map((r) => [r.ap, r.auc]),
    [
      [1, 1],
      [0.5, 0],
    ],
  );
  assert.equal(o.ap, 0.75);
  assert.equal(o.auc, 0.5);
  assert.ok(Number.isNaN(officialScores({ batches: [], added: [] }).ap));
});
