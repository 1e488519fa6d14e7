/** Input checks (clear errors naming file/line/column), scaling, and finite scores with a constant training column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { InputError, UsageError } from '../../../src/util/errors.js';
import { applyMinMax, fitMinMax, loadAnomalyData } from '../../../src/systems/mtadgat/data.js';
import { MtadGatNet } from '../../../src/systems/mtadgat/model.js';
import { computeErrors, scoreErrors } from '../../../src/systems/mtadgat/scores.js';
import { SCORE_DEFAULTS } from '../../../src/systems/mtadgat/config.js';
import { nodeStorage } from '../../../src/node/storage.js';
import { fitZScore, persistenceScores, zScoreScores } from '../../../src/systems/mtadgat/baselines.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });
const dir = mkdtempSync(join(tmpdir(), 'mtadgat-data-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const rows = (n: number, f: (r: number) => number[]): string => Array.from({ length: n }, (_, r) => f(r).join(',')).join('\n') + '\n';

test('ragged rows: InputError naming the file and line', async () => {
  const p = file('ragged.txt', '1,2,3\n4,5,6\n7,8\n9,10,11\n');
  await assert.rejects(loadAnomalyData(nodeStorage, { data: p }), (e: unknown) => e instanceof InputError && e.message.includes(p) && /line 3/.test(e.message) && /expected 3 cells/.test(e.message));
});

test('NaN / empty cells: InputError naming line and column, with the --fill-missing hint; filling works', async () => {
  const p = file('nan.csv', 'a,b\n1,2\n3,NaN\n5,6\n7,9\n');
  await assert.rejects(
    loadAnomalyData(nodeStorage, { data: p }),
    (e: unknown) => e instanceof InputError && /line 3/.test(e.message) && /column 2/.test(e.message) && /--fill-missing/.test(e.message),
  );
  const d = await loadAnomalyData(nodeStorage, { data: p, fillMissing: true });
  assert.deepEqual(Array.from(d.train.data), [1, 2, 3, 2, 5, 6, 7, 9]);
  assert.deepEqual(d.featureNames, ['a', 'b']);
});

test('a labels file of another length: InputError with both counts', async () => {
  const tr = file(
    'tr.txt',
    rows(30, (r) => [r, Math.sin(r)]),
  );
  const te = file(
    'te.txt',
    rows(20, (r) => [r, Math.cos(r)]),
  );
  const lb = file('lb.txt', '0\n'.repeat(19));
  await assert.rejects(
    loadAnomalyData(nodeStorage, { data: tr, test: te, labels: lb }),
    (e: unknown) => e instanceof InputError && e.message.includes(lb) && /expected 20 labels/.test(e.message) && /got 19/.test(e.message),
  );
  const bad = file('lb2.txt', '0\n'.repeat(10) + '2\n' + '0\n'.repeat(9));
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, test: te, labels: bad }), (e: unknown) => e instanceof InputError && /line 11/.test(e.message) && /0 or 1/.test(e.message));
  // With --train-rows the labels cover every row of --data.
  const all = file('all.txt', '0\n'.repeat(30));
  const d = await loadAnomalyData(nodeStorage, { data: tr, trainRows: 25, labels: all });
  assert.equal(d.test!.rows, 5);
  assert.equal(d.labels!.length, 5);
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, trainRows: 25, labels: lb }), (e: unknown) => e instanceof InputError && /expected 30 labels/.test(e.message));
});

test('test file with other columns, or a different header, is an InputError', async () => {
  const tr = file('h1.csv', 'x,y\n' + rows(10, (r) => [r, r * 2]));
  const te = file('h2.csv', 'x,y,z\n' + rows(10, (r) => [r, r, r]));
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, test: te }), (e: unknown) => e instanceof InputError && /3 columns/.test(e.message));
  const te2 = file('h3.csv', 'x,w\n' + rows(10, (r) => [r, r]));
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, test: te2 }), (e: unknown) => e instanceof InputError && /'w'/.test(e.message));
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, test: te2, trainRows: 3 }), UsageError);
});

test('a column constant over every row is an error unless dropped or allowed', async () => {
  const tr = file('c1.csv', 'a,flat,b\n' + rows(12, (r) => [r, 5, r % 3]));
  const te = file('c2.csv', 'a,flat,b\n' + rows(12, (r) => [r + 1, 5, r % 4]));
  await assert.rejects(
    loadAnomalyData(nodeStorage, { data: tr, test: te }),
    (e: unknown) => e instanceof InputError && /'flat'/.test(e.message) && /constant/.test(e.message) && /--drop-constant/.test(e.message),
  );
  const d = await loadAnomalyData(nodeStorage, { data: tr, test: te, dropConstant: true });
  assert.deepEqual(d.featureNames, ['a', 'b']);
  assert.deepEqual(d.dropped, ['flat']);
  assert.equal(d.test!.cols, 2);
  assert.equal((await loadAnomalyData(nodeStorage, { data: tr, test: te, allowConstant: true })).train.cols, 3);
});

test('min–max scaling: training statistics, unclipped, range 1 for a constant training column', () => {
  const s = { data: Float32Array.from([1, 7, 3, 7, 5, 7]), rows: 3, cols: 2 };
  const p = fitMinMax(s);
  // The shared MinMaxScaler with sklearn's rules: no eps, no clipping, range 1 for a constant column.
  assert.deepEqual(p.toJSON(), { kind: 'min-max', min: [1, 7], max: [5, 7], eps: 0, inverseEps: 0, clip: false, constantRange: 'one' });
  const t = applyMinMax({ data: Float32Array.from([9, 9, -1, 7]), rows: 2, cols: 2 }, p);
  assert.deepEqual(Array.from(t.data), [2, 2, -0.5, 0]);
});

test('a column constant in training (but not in test) gives finite scores', async () => {
  const tr = file('k1.csv', 'a,stuck,b\n' + rows(40, (r) => [Math.sin(r / 3), 2, Math.cos(r / 5)]));
  const te = file('k2.csv', 'a,stuck,b\n' + rows(30, (r) => [Math.sin(r / 3), r > 15 ? 9 : 2, Math.cos(r / 5)]));
  const d = await loadAnomalyData(nodeStorage, { data: tr, test: te });
  const p = fitMinMax(d.train);
  const m = new MtadGatNet({ nFeatures: 3, lookback: 8, gruHidDim: 8, fcHidDim: 8, reconHidDim: 8 });
  for (const series of [applyMinMax(d.train, p), applyMinMax(d.test!, p)]) {
    const { errors } = computeErrors(m, series);
    const s = scoreErrors(errors, { ...SCORE_DEFAULTS, scaleScores: true }, 8);
    assert.ok(s.feature.every(Number.isFinite) && s.global.every(Number.isFinite), 'scores must be finite');
  }
  const z = zScoreScores(d.test!, fitZScore(d.train), [0, 1, 2], 8);
  assert.ok(z.every(Number.isFinite));
  assert.ok(z[15]! > z[0]!, 'the stuck column moving shows in the z-score');
  assert.ok(persistenceScores(applyMinMax(d.test!, p), [0, 1, 2], 8).every(Number.isFinite));
  m.dispose();
});

test('too few rows for the lookback: a clear error', async () => {
  const tr = file(
    'short.txt',
    rows(5, (r) => [r, r + 1]),
  );
  await assert.rejects(loadAnomalyData(nodeStorage, { data: tr, minRows: 11 }), (e: unknown) => e instanceof InputError && /5 rows/.test(e.message) && /lookback/.test(e.message));
});
