/** `sheaf mtadgat train|eval|detect|inject` end to end on the shipped WSN data at a quick setting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { RunRegistry } from '../../../src/node/registry/index.js';
import { WSN } from '../../../src/systems/mtadgat/config.js';
import '../../../src/node/setup.js';
import { sheafIn, sheafOk } from '../../helpers/cli.js';

await initEngine({ backend: 'wasm' });

const home = mkdtempSync(join(tmpdir(), 'mtadgat-cli-'));

/** `sheaf …` with `--seed 3 --home <home>` (test/helpers/cli.ts). */
const sheaf = (...argv: string[]) => sheafIn(home, 3, argv);
const ok = (...argv: string[]) => sheafOk(home, 3, argv);

const WSN_FLAGS = ['--data', WSN.train, '--test', WSN.test, '--labels', WSN.labels];
const QUICK = ['--lookback', '10', '--batch-size', '64', '--epochs', '1', '--gru-hid-dim', '16', '--fc-hid-dim', '16', '--recon-hid-dim', '16', '--fc-n-layers', '1'];

test('train → eval → detect on WSN', async () => {
  const { dir, runId, result } = await ok('mtadgat', 'train', ...WSN_FLAGS, ...QUICK);
  for (const f of ['model.safetensors', 'config.json', 'train_scores.safetensors']) assert.ok(existsSync(join(dir, 'checkpoint', f)), f);
  const ck = JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8')) as { format: string; version: number; system: string };
  assert.deepEqual([ck.format, ck.version, ck.system], ['sheaf-checkpoint', 2, 'mtadgat']);
  // Metrics: model beside both baselines, threshold-free first, then one table per threshold method.
  const m = result.results;
  assert.equal(m.length, 4);
  assert.ok(m.every((x) => x.split === 'test'));
  assert.deepEqual(
    m.map((x) => x.protocol),
    [null, 'epsilon', 'POT', 'best-F1 search, oracle'],
  );
  assert.equal(m[0]!.model!.label, 'MTAD-GAT');
  assert.deepEqual(
    m[0]!.baselines.map((x) => x.label),
    ['z-score', 'persistence'],
  );
  const roc = m[0]!.model!.metrics['ROC-AUC']!;
  assert.ok(roc > 0.5 && roc <= 1, `ROC-AUC ${roc}`);
  assert.ok(/oracle/.test(m[3]!.protocol!) && /oracle/i.test(m[3]!.note!), 'the best-F1 search is labelled an oracle');
  for (const t of m.slice(1)) assert.ok('F1 (PA)' in t.model!.metrics && 'F1 (raw)' in t.model!.metrics, 'PA and raw F1 printed together');
  // Baseline figures of data/README.md (persistence, z-score) on the steps a lookback-10 model scores.
  const pers = m[0]!.baselines[1]!.metrics['ROC-AUC']!;
  assert.ok(Math.abs(pers - 0.972) < 0.002, `persistence ROC-AUC ${pers}`);
  // The registry holds the same numbers, each row with its scorer, kind and protocol.
  const reg = RunRegistry.open(home);
  const finals = reg.finalMetrics(runId);
  reg.close();
  const row = (label: string, name: string, protocol: string) => finals.find((f) => f.split === 'test' && f.label === label && f.name === name && f.protocol === protocol);
  assert.equal(row('MTAD-GAT', 'ROC-AUC', '')?.kind, 'model');
  assert.equal(row('MTAD-GAT', 'ROC-AUC', '')?.value, roc);
  assert.equal(row('persistence', 'ROC-AUC', '')?.kind, 'baseline');
  assert.equal(row('z-score', 'F1 (raw)', 'POT')?.value, m[2]!.baselines[0]!.metrics['F1 (raw)']);
  const scores = readFileSync(join(dir, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(scores.length, 1 + 2417 - 10);
  assert.equal(scores[0], ['row', 'score', 'threshold', 'alarm', 'label', ...Array.from({ length: 8 }, (_, i) => `score_f${i}`)].join(','));
  const report = readFileSync(join(dir, 'report.html'), 'utf8');
  for (const t of ['Scores, threshold and intervals', 'Feature attention']) assert.ok(report.includes(`<h2>${t}</h2>`), t);

  // eval with the checkpoint gives the same threshold-free numbers.
  const ev = await ok('mtadgat', 'eval', '--checkpoint', dir, ...WSN_FLAGS);
  assert.ok(Math.abs(ev.result.results[0]!.model!.metrics['ROC-AUC']! - roc) < 1e-9);
  // Scoring options can change at eval time (γ = 0: forecast error only).
  const ev0 = await ok('mtadgat', 'eval', '--checkpoint', join(dir, 'checkpoint'), ...WSN_FLAGS, '--gamma', '0');
  assert.notEqual(ev0.result.results[0]!.model!.metrics['ROC-AUC'], roc);

  // detect: per-step and per-feature scores, alarms, intervals with their top features.
  const d = await ok('mtadgat', 'detect', '--checkpoint', dir, '--data', WSN.test, '--alarm', 'value', '--threshold', '0.5');
  const lines = readFileSync(join(d.dir, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + 2417 - 10);
  const cells = lines.slice(1).map((l) => l.split(',').map(Number));
  assert.ok(cells.every((c) => c[2] === 0.5 && c[3] === (c[1]! > 0.5 ? 1 : 0)));
  // The global score is the mean of the per-feature scores.
  for (const c of cells.slice(0, 50)) assert.ok(Math.abs(c[1]! - c.slice(4).reduce((a, b) => a + b, 0) / 8) < 1e-5);
  const iv = JSON.parse(readFileSync(join(d.dir, 'intervals.json'), 'utf8')) as { intervals: Array<{ start: number; end: number; topFeatures: Array<{ feature: string; share: number }> }> };
  const alarmRows = cells.filter((c) => c[3] === 1).length;
  assert.equal(
    iv.intervals.reduce((s, x) => s + x.end - x.start + 1, 0),
    alarmRows,
  );
  for (const x of iv.intervals) assert.ok(x.topFeatures.length === 3 && x.topFeatures[0]!.share >= x.topFeatures[1]!.share);
  assert.ok(existsSync(join(d.dir, 'intervals.csv')));
});

test('inject writes a seeded labelled set that train accepts', async () => {
  const a = await ok('mtadgat', 'inject', '--train-rows', '300', '--test-rows', '900', '--count', '8');
  const labels = readFileSync(join(a.dir, 'test_label.txt'), 'utf8').trim().split('\n');
  assert.equal(labels.length, 900);
  const events = JSON.parse(readFileSync(join(a.dir, 'events.json'), 'utf8')) as { synthetic: boolean; events: unknown[] };
  assert.equal(events.synthetic, true);
  assert.equal(events.events.length, 8);
  assert.ok(/sheaf mtadgat train --data/.test(a.out));
  const again = await ok('mtadgat', 'inject', '--train-rows', '300', '--test-rows', '900', '--count', '8');
  assert.notEqual(again.dir, a.dir);
  assert.equal(readFileSync(join(again.dir, 'test.csv'), 'utf8'), readFileSync(join(a.dir, 'test.csv'), 'utf8'));
});

test('bad input at the CLI: labels of another length, a folder without a checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtadgat-bad-'));
  const short = join(dir, 'labels.txt');
  writeFileSync(short, '0\n'.repeat(100));
  const bad = await sheaf('mtadgat', 'train', '--data', WSN.train, '--test', WSN.test, '--labels', short, ...QUICK);
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /expected 2417 labels/);
  assert.equal(bad.runId, null);
  const none = await sheaf('mtadgat', 'eval', '--checkpoint', dir, ...WSN_FLAGS);
  assert.notEqual(none.code, 0);
  assert.ok(none.err.includes(dir) && /no complete checkpoint/.test(none.err), none.err);
});

test("the paper's variants end to end: Spectral-Residual cleaning, VAE reconstruction, reconstruction-probability score", async () => {
  // --bs: the reference's flag name, accepted as an alias of --batch-size.
  const quick = QUICK.map((f) => (f === '--batch-size' ? '--bs' : f));
  const { out, dir, result } = await ok(
    'mtadgat',
    'train',
    ...WSN_FLAGS,
    ...quick,
    '--spec-res',
    '--recon',
    'vae',
    '--score',
    'paper',
    '--gamma',
    '0.8',
    '--val-mode',
    'chronological',
    '--keep-best',
    '--alarm',
    'pot',
  );
  assert.ok(/Spectral-Residual cleaning replaced \d+ training points/.test(out));
  const cfg = JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8')) as {
    config: { recon: string; batchSize: number };
    extra: { model: { scoreConfig: { score: string; gamma: number }; srReplaced: number[] }; eval: { alarm: string } };
  };
  assert.equal(cfg.config.recon, 'vae');
  assert.equal(cfg.config.batchSize, 64);
  assert.deepEqual([cfg.extra.model.scoreConfig.score, cfg.extra.model.scoreConfig.gamma], ['paper', 0.8]);
  assert.equal(cfg.extra.eval.alarm, 'pot');
  assert.equal(cfg.extra.model.srReplaced.length, 8);
  const roc = result.results[0]!.model!.metrics['ROC-AUC']!;
  assert.ok(roc > 0.5, `ROC-AUC ${roc}`);
  const paper = await sheaf('mtadgat', 'train', ...QUICK, '--score', 'paper');
  assert.equal(paper.code, 2, paper.err);
  assert.match(paper.err, /--recon vae/);
});
