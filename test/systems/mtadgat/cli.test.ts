/** `sheaf mtadgat train|eval|detect|inject` end to end on the shipped WSN data at a quick setting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import type { VerbContext, VerbResult } from '../../../src/node/cli/system.js';
import { mtadgatSystem, WSN } from '../../../src/systems/mtadgat/cli.js';
import { InputError, UsageError } from '../../../src/util/errors.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function ctx(): VerbContext {
  return {
    runId: 'test',
    runDir: mkdtempSync(join(tmpdir(), 'mtadgat-cli-')),
    seed: 3,
    backend: 'wasm',
    log: () => undefined,
    signal: new AbortController().signal,
    logEpoch: () => undefined,
    quick: true,
  };
}

async function run(verb: string, flags: Record<string, unknown>, c = ctx()): Promise<{ r: VerbResult; dir: string }> {
  const v = mtadgatSystem.verbs.find((x) => x.name === verb)!;
  const r = await v.run(v.options.parse(flags), c);
  return { r, dir: c.runDir! };
}

const QUICK = { lookback: 10, bs: 64, epochs: 1, gruHidDim: 16, fcHidDim: 16, reconHidDim: 16, fcNLayers: 1 };

test('train → eval → detect on WSN', async () => {
  const { r, dir } = await run('train', { data: WSN.train, test: WSN.test, labels: WSN.labels, ...QUICK });
  for (const f of ['model.safetensors', 'config.json', 'train_scores.safetensors']) assert.ok(existsSync(join(dir, 'checkpoint', f)), f);
  // Metrics: model beside both baselines, threshold-free first, then one table per threshold method.
  const m = r.metrics!;
  assert.equal(m.length, 4);
  assert.deepEqual(m[0]!.rows.map((x) => x.label), ['MTAD-GAT', 'z-score', 'persistence']);
  const roc = m[0]!.rows[0]!.values['ROC-AUC']!;
  assert.ok(roc > 0.5 && roc <= 1, `ROC-AUC ${roc}`);
  assert.ok(/oracle/.test(m[3]!.split) && /oracle/i.test(m[3]!.note!), 'the best-F1 search is labelled an oracle');
  for (const t of m.slice(1)) assert.ok('F1 (PA)' in t.rows[0]!.values && 'F1 (raw)' in t.rows[0]!.values, 'PA and raw F1 printed together');
  // Baseline figures of data/README.md (persistence, z-score) on the steps a lookback-10 model scores.
  const pers = m[0]!.rows[2]!.values['ROC-AUC']!;
  assert.ok(Math.abs(pers - 0.972) < 0.002, `persistence ROC-AUC ${pers}`);
  const scores = readFileSync(join(dir, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(scores.length, 1 + 2417 - 10);
  assert.equal(scores[0], ['row', 'score', 'threshold', 'alarm', 'label', ...Array.from({ length: 8 }, (_, i) => `score_f${i}`)].join(','));
  const titles = r.sections!.map((s) => s.title);
  for (const t of ['Scores, threshold and intervals', 'Feature attention']) assert.ok(titles.includes(t), t);

  // eval with the checkpoint gives the same threshold-free numbers.
  const ev = await run('eval', { checkpoint: dir, data: WSN.train, test: WSN.test, labels: WSN.labels });
  assert.ok(Math.abs(ev.r.metrics![0]!.rows[0]!.values['ROC-AUC']! - roc) < 1e-9);
  // Scoring options can change at eval time (γ = 0: forecast error only).
  const ev0 = await run('eval', { checkpoint: join(dir, 'checkpoint'), data: WSN.train, test: WSN.test, labels: WSN.labels, gamma: 0 });
  assert.notEqual(ev0.r.metrics![0]!.rows[0]!.values['ROC-AUC'], roc);

  // detect: per-step and per-feature scores, alarms, intervals with their top features.
  const d = await run('detect', { checkpoint: dir, data: WSN.test, alarm: 'value', threshold: 0.5 });
  const lines = readFileSync(join(d.dir, 'scores.csv'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + 2417 - 10);
  const cells = lines.slice(1).map((l) => l.split(',').map(Number));
  assert.ok(cells.every((c) => c[2] === 0.5 && c[3] === (c[1]! > 0.5 ? 1 : 0)));
  // The global score is the mean of the per-feature scores.
  for (const c of cells.slice(0, 50)) assert.ok(Math.abs(c[1]! - c.slice(4).reduce((a, b) => a + b, 0) / 8) < 1e-5);
  const iv = JSON.parse(readFileSync(join(d.dir, 'intervals.json'), 'utf8')) as { intervals: Array<{ start: number; end: number; topFeatures: Array<{ feature: string; share: number }> }> };
  const alarmRows = cells.filter((c) => c[3] === 1).length;
  assert.equal(iv.intervals.reduce((s, x) => s + x.end - x.start + 1, 0), alarmRows);
  for (const x of iv.intervals) assert.ok(x.topFeatures.length === 3 && x.topFeatures[0]!.share >= x.topFeatures[1]!.share);
  assert.ok(existsSync(join(d.dir, 'intervals.csv')));
});

test('inject writes a seeded labelled set that train accepts', async () => {
  const c = ctx();
  const a = await run('inject', { trainRows: 300, testRows: 900, count: 8 }, c);
  const labels = readFileSync(join(c.runDir!, 'test_label.txt'), 'utf8').trim().split('\n');
  assert.equal(labels.length, 900);
  const events = JSON.parse(readFileSync(join(c.runDir!, 'events.json'), 'utf8')) as { synthetic: boolean; events: unknown[] };
  assert.equal(events.synthetic, true);
  assert.equal(events.events.length, 8);
  assert.ok(/sheaf mtadgat train --data/.test(a.r.notes![0]!));
  const again = ctx();
  await run('inject', { trainRows: 300, testRows: 900, count: 8 }, again);
  assert.equal(readFileSync(join(again.runDir!, 'test.csv'), 'utf8'), readFileSync(join(c.runDir!, 'test.csv'), 'utf8'));
});

test('bad input at the CLI: labels of another length, a folder without a checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtadgat-bad-'));
  const short = join(dir, 'labels.txt');
  writeFileSync(short, '0\n'.repeat(100));
  await assert.rejects(run('train', { data: WSN.train, test: WSN.test, labels: short, ...QUICK }), (e: unknown) => e instanceof InputError && /expected 2417 labels/.test((e as Error).message));
  await assert.rejects(run('eval', { checkpoint: dir, data: WSN.train, test: WSN.test, labels: WSN.labels }), UsageError);
});

test("the paper's variants end to end: Spectral-Residual cleaning, VAE reconstruction, reconstruction-probability score", async () => {
  const logs: string[] = [];
  const c = { ...ctx(), log: (l: string) => logs.push(l) };
  const { r, dir } = await run('train', { data: WSN.train, test: WSN.test, labels: WSN.labels, ...QUICK, specRes: true, recon: 'vae', score: 'paper', gamma: 0.8, valMode: 'chronological', keepBest: true, alarm: 'pot' }, c);
  assert.ok(logs.some((l) => /Spectral-Residual cleaning replaced \d+ training points/.test(l)));
  const cfg = JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8')) as { model: { recon: string }; score: { score: string; gamma: number }; srReplaced: number[] };
  assert.equal(cfg.model.recon, 'vae');
  assert.deepEqual([cfg.score.score, cfg.score.gamma], ['paper', 0.8]);
  assert.equal(cfg.srReplaced.length, 8);
  const roc = r.metrics![0]!.rows[0]!.values['ROC-AUC']!;
  assert.ok(roc > 0.5, `ROC-AUC ${roc}`);
  await assert.rejects(run('train', { ...QUICK, score: 'paper' }), (e: unknown) => e instanceof UsageError && /--recon vae/.test((e as Error).message));
});
