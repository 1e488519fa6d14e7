/**
 * TGSL end to end through the CLI at a quick setting (the synthetic generator, tiny widths):
 * generate → train (TGSL beside the backbone alone, EdgeBank and recency) → eval on the stored
 * split → predict (src, dst, t) queries; GraphMixer with --no-tgsl; the library facade; and bad
 * input (a malformed interaction file, an unknown backbone, k = 0, a query file without a time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sheafIn, sheafOk } from '../../helpers/cli.js';
import { TGSL } from '../../../src/systems/tgsl/index.js';

const root = mkdtempSync(join(tmpdir(), 'tgsl-cli-'));
const home = join(root, 'runs');
const small = ['--width', '8', '--num-neighbors', '3', '--can-nn', '3', '--rnn-nn', '4', '--queue-size', '16', '--batch-size', '100', '--eval-batch', '100', '--mrr-negatives', '2'];
type Result = { results: Array<{ split: string; protocol?: string | null; model?: { metrics: Record<string, number | null> } | null }> };
const apOf = (r: Result, split: string, mode: string) => r.results.find((x) => x.split === split && (x.protocol ?? '').startsWith(mode))!.model!.metrics['AP'];

test('generate → train → eval on the stored split → predict', async () => {
  const data = join(root, 'interactions.csv');
  const g = await sheafIn(home, 1, ['tgsl', 'generate', '--out', data, '--events', '500', '--feature-dim', '6', '--synthetic-seed', '3']);
  assert.equal(g.code, 0, g.out + g.err);
  const lines = readFileSync(data, 'utf8').trim().split('\n');
  assert.equal(lines.length, 501);
  assert.equal(lines[0], 'user_id,item_id,timestamp,state_label,f0,f1,f2,f3,f4,f5');

  const t = await sheafOk(home, 1, ['tgsl', 'train', '--data', data, ...small, '--epochs', '2']);
  assert.match(t.out, /TGSL \(TGAT\) epoch 2\/2 .*BCE aug/);
  assert.match(t.out, /TGAT epoch 2\/2/);
  assert.deepEqual(
    t.result.results.map((r) => `${r.split} ${r.protocol?.split(':')[0]}`),
    ['test transductive', 'test inductive', 'valid transductive', 'valid inductive'],
  );
  const first = t.result.results[0]!;
  assert.deepEqual(
    first.baselines.map((b) => b.label),
    ['TGAT alone (same split and seed)', 'EdgeBank (pair seen before)', 'recency (1 / (1 + time since the pair last met))'],
  );
  for (const k of ['AP', 'ROC-AUC', 'global AP', 'MRR (random)', 'MRR (historical)']) assert.ok(Number.isFinite(first.model!.metrics[k]), k);
  const report = readFileSync(join(t.dir, 'report.html'), 'utf8');
  for (const s of ['Learned edges', 'AP over time', 'validation AP (transductive)']) assert.ok(report.includes(s), `report has ${s}`);

  const e = await sheafOk(home, 1, ['tgsl', 'eval', '--checkpoint', t.dir]);
  assert.equal(apOf(e.result, 'test', 'transductive'), apOf(t.result, 'test', 'transductive'), 'eval scores the stored split the same');
  assert.equal(apOf(e.result, 'valid', 'inductive'), apOf(t.result, 'valid', 'inductive'));

  const queries = join(root, 'queries.csv');
  const rows = lines.slice(-5).map((l) => l.split(','));
  writeFileSync(queries, `src,dst,t\n${rows.map((r) => `${r[0]},${r[1]},${Number(r[2]) + 10}`).join('\n')}\nnobody,${rows[0]![1]},${Number(rows[0]![2]) + 20}\n`);
  const out = join(root, 'scores.csv');
  const pr = await sheafIn(home, 1, ['tgsl', 'predict', '--checkpoint', t.dir, '--data', queries, '--out', out]);
  assert.equal(pr.code, 0, pr.out + pr.err);
  assert.match(pr.out, /1 sources and 0 destinations are not in the history/);
  const scored = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(scored[0], 'line,src,dst,t,probability,seen_before,src_known,dst_known');
  assert.equal(scored.length, 7);
  for (const r of scored.slice(1)) {
    const p = Number(r.split(',')[4]);
    assert.ok(p > 0 && p < 1, r);
  }
  assert.equal(scored[1]!.split(',')[5], '1', 'a pair that met before is marked seen');
  assert.equal(scored[6]!.split(',').slice(-2).join(','), '0,1', 'an unknown source is marked');
});

test('GraphMixer backbone alone (--no-tgsl) on the synthetic graph', async () => {
  const t = await sheafOk(home, 2, [
    'tgsl',
    'train',
    '--backbone',
    'graphmixer',
    '--no-tgsl',
    '--synthetic-events',
    '400',
    '--synthetic-features',
    '8',
    ...small,
    '--time-dim',
    '8',
    '--time-gap',
    '3',
    '--epochs',
    '1',
  ]);
  assert.match(t.out, /GraphMixer epoch 1\/1/);
  assert.doesNotMatch(t.out, /TGSL \(|BCE aug/);
  const first = t.result.results[0]!;
  assert.equal(first.model!.label, 'GraphMixer');
  assert.deepEqual(
    first.baselines.map((b) => b.label),
    ['EdgeBank (pair seen before)', 'recency (1 / (1 + time since the pair last met))'],
  );
});

test('bad input: a malformed file names its line; unknown backbone, k = 0 and a query file without times are clear errors', async () => {
  const bad = join(root, 'bad.csv');
  writeFileSync(bad, `src,dst,t,f0\n${Array.from({ length: 20 }, (_, i) => `${i % 5},${(i % 3) + 10},${i},0.5`).join('\n')}\n3,4,oops,0.1\n`);
  const r = await sheafIn(home, 1, ['tgsl', 'train', '--data', bad, ...small, '--epochs', '1']);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /bad\.csv.*line 22.*column t.*'oops' is not a finite number/s);
  assert.equal(r.runId, null, 'no run is left behind');
  const b = await sheafIn(home, 1, ['tgsl', 'train', '--backbone', 'tgn']);
  assert.equal(b.code, 2);
  assert.match(b.err, /--backbone/);
  const k = await sheafIn(home, 1, ['tgsl', 'train', '--synthetic-events', '100', '--synthetic-features', '8', ...small, '--ratio', '0.1']);
  assert.equal(k.code, 2);
  assert.match(k.err, /k must be at least 1/);
  const t = await sheafOk(home, 1, ['tgsl', 'train', '--no-tgsl', '--synthetic-events', '300', '--synthetic-features', '8', ...small, '--epochs', '1']);
  const q = join(root, 'no-time.csv');
  writeFileSync(q, 'src,dst\n1,2\n');
  const out = join(root, 'never.csv');
  const p = await sheafIn(home, 1, ['tgsl', 'predict', '--checkpoint', t.dir, '--data', q, '--out', out]);
  assert.equal(p.code, 1, p.out + p.err);
  assert.match(p.err, /no-time\.csv.*line 1.*no t column/s);
  assert.ok(!existsSync(out), 'no partial output');
});

test('library: fit, evaluate, predict, save, load', async () => {
  const before = tf.memory().numTensors;
  const d = await TGSL.readInteractions({ syntheticEvents: 400, syntheticFeatures: 8 });
  const m = await TGSL.fit(d, { width: 8, numNeighbors: 3, canNn: 3, rnnNn: 4, queueSize: 16, batchSize: 100, epochs: 1 }, { seed: 3, baselines: false });
  const r = await m.evaluate(undefined, { mrrNegatives: 0, split: 'test' });
  assert.ok(Number.isFinite(apOf(r, 'test', 'transductive')));
  const g = d.graph;
  const qs = [
    { src: g.nodeNames[g.src[10]!]!, dst: g.nodeNames[g.dst[10]!]!, t: g.t[399]! + 5 },
    { src: 'nobody', dst: g.nodeNames[g.dst[3]!]!, t: g.t[399]! + 5 },
  ];
  const p = await m.predict(qs);
  assert.equal(p.probability.length, 2);
  assert.deepEqual(p.srcKnown, [true, false]);
  assert.equal(p.seenBefore[0], 1);
  const dir = join(root, 'lib-model');
  await m.save(dir);
  const again = await TGSL.load(dir);
  const q = await again.predict(qs, { history: d });
  assert.deepEqual(q.probability, p.probability, 'a loaded model scores the same (seeded inference)');
  assert.equal(again.config.canType, '1st');
  m.dispose();
  again.dispose();
  assert.equal(tf.memory().numTensors, before);
});
