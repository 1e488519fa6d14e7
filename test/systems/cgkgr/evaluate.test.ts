import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { Rng } from '../../../src/util/random.js';
import { ctrScores, itemPopularity, modelScorers, officialTopKUsers, popularityScorers, rankUsers } from '../../../src/systems/cgkgr/evaluate.js';
import { CgkgrNet } from '../../../src/systems/cgkgr/model.js';
import { resolveConfig } from '../../../src/systems/cgkgr/config.js';
import { buildKgAdjacency, groupCsr, type Csr } from '../../../src/systems/cgkgr/data.js';
import { sampleNeighbours, sampleToTensors, disposeSampleTensors } from '../../../src/systems/cgkgr/sampling.js';
import { prepareData } from '../../../src/systems/cgkgr/train.js';
import { syntheticDataset } from '../../../src/systems/cgkgr/synthetic.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function groupCsrForTest(lists: number[][]): Csr {
  const keys = lists.flatMap((l, u) => l.map(() => u));
  return groupCsr(Int32Array.from(keys), Int32Array.from(lists.flat()), lists.length);
}

test('official CTR is the mean per-batch AUC over full batches; global AUC uses every row', () => {
  const labels = Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1]);
  const scores = Float32Array.from([0.9, 0.1, 0.2, 0.3, 0.6, 0.4, 0.5, 0.1, 0.7, 0.7, 0.7, 0.7, 0.95, 0.2]);
  const rows = { users: new Int32Array(14), items: new Int32Array(14), labels };
  const c = ctrScores(rows, scores, 4, true);
  // Batch 1: pairs (0.9,0.1) (0.9,0.3) (0.2,0.1) (0.2,0.3) → 3/4. Batch 2: (0.6,0.5)(0.6,0.1)(0.4,0.5)(0.4,0.1) → 3/4.
  // Batch 3 has one class (skipped, sklearn would raise); the last 2 rows are a partial batch (dropped).
  assert.equal(c.batches, 2);
  assert.equal(c.skippedBatches, 1);
  assert.ok(Math.abs(c.aucOfficial - 0.75) < 1e-12);
  // F1 at 0.5: batch 1 tp 1 fn 1 fp 0 → 2/3; batch 2 tp 1 fn 1 fp 1 → 1/2.
  assert.ok(Math.abs(c.f1Official! - (2 / 3 + 1 / 2) / 2) < 1e-12);
  // Global: 9 positives × 5 negatives, counted by hand.
  let wins = 0;
  for (let i = 0; i < 14; i++) for (let j = 0; j < 14; j++) if (labels[i] === 1 && labels[j] === 0) wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
  assert.ok(Math.abs(c.aucGlobal - wins / 45) < 1e-12);
  assert.equal(ctrScores(rows, scores, 4, false).f1Official, null);
});

test('ranking: excluded items are never ranked; Recall/NDCG@K by hand; chunks average correctly', () => {
  // 2 users, 6 items. User 0: positive {2}, excluded {0}. User 1: positives {1, 5}, excluded {}.
  const scores = [Float32Array.from([9, 1, 5, 8, 2, 0]), Float32Array.from([0, 3, 1, 2, 9, 8])];
  const positives = groupCsrForTest([[2], [1, 5]]);
  const exclude = groupCsrForTest([[0], []]);
  const scorer = (users: Int32Array) => {
    const out = new Float32Array(users.length * 6);
    users.forEach((u, k) => out.set(scores[u]!, k * 6));
    return out;
  };
  for (const chunk of [1, 2]) {
    const r = rankUsers(Int32Array.from([0, 1]), scorer, 6, positives, [exclude], { ks: [1, 2, 3], idcg: 'ideal', chunk, protocol: 'full' });
    // User 0 ranking: 3, 2, 4, 1, 5 → hit at rank 2. User 1: 4, 5, 1, 3, 2, 0 → hits at ranks 2 and 3.
    const r1 = r.atK.find((m) => m.k === 1)!;
    const r2 = r.atK.find((m) => m.k === 2)!;
    const r3 = r.atK.find((m) => m.k === 3)!;
    assert.equal(r.users, 2);
    assert.equal(r1.recall, 0);
    assert.ok(Math.abs(r2.recall - (1 + 0.5) / 2) < 1e-12);
    assert.ok(Math.abs(r3.recall - (1 + 1) / 2) < 1e-12);
    const d = (rank: number) => 1 / Math.log2(rank + 1);
    const ndcg3 = (d(2) / d(1) + (d(2) + d(3)) / (d(1) + d(2))) / 2;
    assert.ok(Math.abs(r3.ndcg - ndcg3) < 1e-12, `${r3.ndcg} vs ${ndcg3}`);
  }
});

test('official Top-K users: at most n, each with training rows and a positive in the split', () => {
  const train = { users: Int32Array.from([0, 1, 2, 3]), items: Int32Array.from([0, 0, 0, 0]), labels: Uint8Array.from([1, 0, 1, 1]) };
  const split = { users: Int32Array.from([0, 1, 1, 4, 3]), items: Int32Array.from([1, 1, 2, 1, 2]), labels: Uint8Array.from([1, 0, 1, 1, 0]) };
  assert.deepEqual(Array.from(officialTopKUsers(train, split, 10, new Rng(1))), [0, 1]);
  assert.equal(officialTopKUsers(train, split, 1, new Rng(1)).length, 1);
});

test('popularity counts training positives only', () => {
  const train = { users: Int32Array.from([0, 1, 2, 0]), items: Int32Array.from([1, 1, 2, 0]), labels: Uint8Array.from([1, 1, 0, 1]) };
  const pop = itemPopularity(train, 3);
  assert.deepEqual(Array.from(pop), [1, 2, 0]);
  assert.deepEqual(Array.from(popularityScorers(pop).pairs(Int32Array.from([5, 5]), Int32Array.from([2, 1]))), [0, 2]);
});

test('the all-items user scorer (cached summaries, tiled pairs) equals the pairwise forward pass', () => {
  const ds = syntheticDataset({ nUser: 12, nItem: 40, positives: 5, seed: 2 });
  const prep = prepareData(ds, { splitSeed: 1 });
  for (const nLayer of [1, 2]) {
    const cfg = resolveConfig({ nodeDim: 8, nHead: 2, sampleSize: 3, nLayer, batchSize: 16 });
    const model = new CgkgrNet(cfg, { nUser: ds.nUser, nEntity: ds.kg.nEntity, nRelation: ds.kg.nRelation }, 4);
    const sample = sampleNeighbours(prep.graph, buildKgAdjacency(ds.kg), 3, new Rng(5), 'empty');
    const st = sampleToTensors(sample);
    const sc = modelScorers(model, st, ds.nItem, { batchSize: 16, pairChunk: 50 });
    const users = Int32Array.from([0, 3, 7]);
    const logits = sc.users(users);
    const pu = Int32Array.from({ length: 3 * ds.nItem }, (_, k) => users[Math.floor(k / ds.nItem)]!);
    const pi = Int32Array.from({ length: 3 * ds.nItem }, (_, k) => k % ds.nItem);
    const probs = sc.pairs(pu, pi);
    for (let k = 0; k < probs.length; k++) assert.ok(Math.abs(1 / (1 + Math.exp(-logits[k]!)) - probs[k]!) < 1e-5, `pair ${k}: ${logits[k]} vs ${probs[k]}`);
    sc.dispose();
    disposeSampleTensors(st);
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, 0);
});
