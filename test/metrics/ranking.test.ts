import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitRatioAtK, ndcgAtK, rankingMetrics, recallAtK, type RankingInput } from '../../src/metrics/index.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, fixture } from './fixture.js';

test('hand-worked single user', () => {
  // item 0 excluded → ranking 1, 2, 3, 4; positives 2 and 4
  const input: RankingInput = { scores: [[0.9, 0.8, 0.7, 0.6, 0.5]], positives: [[2, 4]], exclude: [[0]] };
  const r = rankingMetrics(input, { ks: [1, 2, 4] });
  assert.equal(r.nUsers, 1);
  const [k1, k2, k4] = r.atK;
  assert.deepEqual(k1, { k: 1, recall: 0, precision: 0, ndcg: 0, hitRatio: 0 });
  assert.equal(k2!.recall, 0.5);
  assert.equal(k2!.precision, 0.5);
  assertClose(k2!.ndcg, 1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 'ndcg@2');
  assert.equal(k4!.recall, 1);
  assertClose(k4!.ndcg, (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)), 'ndcg@4');
  // KGAT/CG-KGR style IDCG from the retrieved hits: one hit → IDCG = 1
  assertClose(ndcgAtK(input, 2, 'retrieved'), 1 / Math.log2(3), 'retrieved ndcg@2');
  assert.equal(hitRatioAtK(input, 2), 1);
  assert.equal(recallAtK(input, 1), 0);
});

test('ties go to the lower item index; users without positives are skipped', () => {
  const input: RankingInput = {
    scores: [
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ],
    positives: [[1], []],
    exclude: [[0], []],
  };
  const r = rankingMetrics(input, { ks: [1] });
  assert.equal(r.nUsers, 1);
  assert.equal(r.atK[0]!.recall, 1); // item 0 excluded, item 1 wins the tie over 2 and 3
  assert.equal(recallAtK({ scores: [[1, 1, 1]], positives: [[2]] }, 2), 0);
});

test('matches an independent numpy full-sort implementation (flat Float32Array and per-user rows)', () => {
  for (const c of fixture.ranking) {
    const flat = Float32Array.from(c.scores);
    const rows = Array.from({ length: c.positives.length }, (_, u) => c.scores.slice(u * c.nItems, (u + 1) * c.nItems));
    for (const [kind, scores] of [
      ['flat', { data: flat, nItems: c.nItems }],
      ['rows', rows],
    ] as const) {
      const input: RankingInput = { scores, positives: c.positives, exclude: c.exclude };
      const ideal = rankingMetrics(input, { ks: c.ks });
      const retrieved = rankingMetrics(input, { ks: c.ks, idcg: 'retrieved' });
      assert.equal(ideal.nUsers, c.nUsers);
      c.atK.forEach((e, q) => {
        const a = ideal.atK[q]!;
        const what = `${c.name} ${kind} @${e.k}`;
        assert.equal(a.k, e.k);
        assertClose(a.recall, e.recall, `${what} recall`);
        assertClose(a.precision, e.precision, `${what} precision`);
        assertClose(a.ndcg, e.ndcg, `${what} ndcg`);
        assertClose(a.hitRatio, e.hitRatio, `${what} hitRatio`);
        assertClose(retrieved.atK[q]!.ndcg, e.ndcgRetrieved, `${what} ndcg retrieved`);
      });
    }
  }
});

test('heap top-K equals a full sort on a larger random case with ties', () => {
  const rng = new Rng(7);
  const nUsers = 40;
  const nItems = 3000;
  const data = new Float32Array(nUsers * nItems);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(50); // heavy ties
  const positives: number[][] = [];
  const exclude: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const perm = rng.permutation(nItems);
    positives.push(Array.from(perm.subarray(0, 1 + rng.int(20))));
    exclude.push(Array.from(perm.subarray(30, 30 + rng.int(200))));
  }
  const k = 50;
  // reference: full stable sort of candidates by (score desc, index asc)
  let recall = 0;
  let ndcg = 0;
  for (let u = 0; u < nUsers; u++) {
    const ex = new Set(exclude[u]);
    const pos = new Set(positives[u]);
    const cand = [...Array(nItems).keys()].filter((i) => !ex.has(i));
    cand.sort((a, b) => data[u * nItems + b]! - data[u * nItems + a]! || a - b);
    let hits = 0;
    let dcg = 0;
    cand.slice(0, k).forEach((it, r) => {
      if (pos.has(it)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(pos.size, k); r++) idcg += 1 / Math.log2(r + 2);
    recall += hits / pos.size;
    ndcg += dcg / idcg;
  }
  const r = rankingMetrics({ scores: { data, nItems }, positives, exclude }, { ks: [k] }).atK[0]!;
  assertClose(r.recall, recall / nUsers, 'recall');
  assertClose(r.ndcg, ndcg / nUsers, 'ndcg');
});

test('bad input', () => {
  const scores = [[0.1, 0.2, 0.3]];
  assert.throws(() => rankingMetrics({ scores, positives: [[3]] }, { ks: [1] }), { name: 'RangeError', message: /item 3/ });
  assert.throws(() => rankingMetrics({ scores, positives: [[0], [1]] }, { ks: [1] }), RangeError);
  assert.throws(() => rankingMetrics({ scores, positives: [[0]] }, { ks: [0] }), RangeError);
  assert.throws(() => rankingMetrics({ scores, positives: [[]] }, { ks: [1] }), { name: 'RangeError', message: /no user/ });
  assert.throws(() => rankingMetrics({ scores: { data: new Float32Array(5), nItems: 2 }, positives: [[0]] }, { ks: [1] }), RangeError);
  assert.throws(() => rankingMetrics({ scores: [[0.1, Number.NaN]], positives: [[0]] }, { ks: [1] }), InputError);
});
