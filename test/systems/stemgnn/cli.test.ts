/** StemGNN end to end through the CLI at a quick setting: train → eval → predict, and official weights. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { main } from '../../../src/node/cli/main.js';
import { RunRegistry } from '../../../src/node/registry/index.js';
import { nodeStorage } from '../../../src/node/storage.js';
import { parseNumericCsv } from '../../../src/data/index.js';
import { StemGNN } from '../../../src/systems/stemgnn/index.js';
import type { RunResult } from '../../../src/system/result.js';

const root = mkdtempSync(join(tmpdir(), 'stemgnn-cli-'));
const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'stemgnn');

/** Run the CLI in process against one home; returns exit code, output and the newest run. */
async function cli(home: string, ...argv: string[]) {
  let out = '';
  const code = await main([...argv, '--home', join(root, home)], { out: (t) => void (out += t), err: (t) => void (out += t) });
  const reg = RunRegistry.open(join(root, home));
  // The run this command made (ids sort by second, so two runs of one second may swap).
  const id = /^run (\S+):/m.exec(out)?.[1];
  const run = id ? reg.get(id) : undefined;
  const epochs = run ? reg.epochMetrics(run.id) : [];
  reg.close();
  const result = run && existsSync(join(run.dir, 'metrics.json')) ? (JSON.parse(readFileSync(join(run.dir, 'metrics.json'), 'utf8')) as RunResult) : null;
  return { code, out, run, epochs, result };
}

// 4 series × 170 days with a weekly pattern, a header row and a few missing cells.
const N = 4;
const lines = ['north,south,east,west'];
for (let t = 0; t < 170; t++) {
  lines.push(Array.from({ length: N }, (_, c) => (t % 37 === 5 && c === 2 ? 'NA' : (10 + c + 3 * Math.sin((2 * Math.PI * t) / 7 + c) + 0.01 * t).toFixed(3))).join(','));
}
const dataPath = join(root, 'series.csv');
writeFileSync(dataPath, lines.join('\n') + '\n');
const base = ['--data', dataPath, '--window', '8', '--horizon', '2', '--multi-layer', '1', '--lr', '1e-3', '--seed', '1'];
const quick = [...base, '--epochs', '2'];

const mae = (r: RunResult | null, split: string) => r!.results.find((x) => x.split === split)!.model!.metrics['MAE']!;

test('train → eval (on the stored split) → predict at a quick setting', async () => {
  const t = await cli('a', 'stemgnn', 'train', ...quick, '--split-ratios', '6:2:2');
  assert.equal(t.code, 0, t.out);
  // Test and valid splits, the model beside three baselines, in the one result envelope.
  assert.deepEqual(
    t.result!.results.map((r) => r.split),
    ['test', 'valid'],
  );
  for (const r of t.result!.results) {
    assert.equal(r.model!.label, 'StemGNN');
    assert.deepEqual(
      r.baselines.map((b) => b.label),
      ['last value', 'seasonal naive (period 7)', 'window mean'],
    );
    assert.ok(Number.isFinite(r.model!.metrics['MAE']!));
  }
  assert.ok(existsSync(join(t.run!.dir, 'checkpoint', 'model.safetensors')));
  assert.ok(existsSync(join(t.run!.dir, 'test_predict.csv')));
  assert.ok(!existsSync(join(t.run!.dir, 'progress')), 'resume files go once the run completes');
  assert.deepEqual([...new Set(t.epochs.map((e) => e.split))].sort(), ['train', 'valid']);
  assert.deepEqual([...new Set(t.epochs.map((e) => e.epoch))], [1, 2], '1-based epochs');
  const cfg = JSON.parse(readFileSync(join(t.run!.dir, 'checkpoint', 'config.json'), 'utf8')) as { format: string; version: number; system: string };
  assert.deepEqual([cfg.format, cfg.version, cfg.system], ['sheaf-checkpoint', 2, 'stemgnn']);

  // eval on the checkpoint scores the split the model was trained with (6:2:2, not the default 7:2:1).
  const e = await cli('a', 'stemgnn', 'eval', '--checkpoint', t.run!.dir);
  assert.equal(e.code, 0, e.out);
  assert.equal(mae(e.result, 'test'), mae(t.result, 'test'));
  const windows = (r: RunResult | null) => (r!.extras['windows'] as Record<string, number>)['test'];
  assert.equal(windows(e.result), windows(t.result));
  // …unless told otherwise: a valid-only evaluation.
  const v = await cli('a', 'stemgnn', 'eval', '--checkpoint', t.run!.dir, '--split', 'valid');
  assert.deepEqual(
    v.result!.results.map((r) => r.split),
    ['valid'],
  );

  // predict writes the H rows after the file's last row, in its own layout.
  const p = await cli('a', 'stemgnn', 'predict', '--checkpoint', t.run!.dir, '--data', dataPath, '--out', join(root, 'f.csv'));
  assert.equal(p.code, 0, p.out);
  const f = parseNumericCsv(readFileSync(join(root, 'f.csv'), 'utf8'));
  assert.deepEqual(f.header, ['north', 'south', 'east', 'west']);
  assert.equal(f.rows, 2);
  // The library gives the same forecast from the same checkpoint.
  const m = await StemGNN.load(join(t.run!.dir, 'checkpoint'), { storage: nodeStorage });
  const table = parseNumericCsv(lines.join('\n'), { allowMissing: true });
  const rows = Array.from({ length: table.rows }, (_, r) => table.data.subarray(r * N, (r + 1) * N));
  const lib = await m.predict(rows);
  for (let i = 0; i < f.data.length; i++) assert.ok(Math.abs(lib.forecast[i]! - f.data[i]!) < 1e-4, `${lib.forecast[i]} vs ${f.data[i]}`);
  m.dispose();
});

test('predict rejects files with the wrong columns or too few rows, naming file and line', async () => {
  const t = await cli('b', 'stemgnn', 'train', ...base, '--epochs', '1');
  assert.equal(t.code, 0, t.out);
  const wrong = join(root, 'wrong.csv');
  writeFileSync(wrong, 'a,b,c\n' + '1,2,3\n'.repeat(10));
  const w = await cli('b2', 'stemgnn', 'predict', '--checkpoint', t.run!.dir, '--data', wrong);
  assert.equal(w.code, 1);
  assert.match(w.out, /wrong\.csv, line 1: has 3 columns but the model forecasts 4 series/);
  assert.equal(w.run, undefined, 'no run is left behind');
  const few = join(root, 'few.csv');
  writeFileSync(few, 'a,b,c,d\n' + '1,2,3,4\n'.repeat(5));
  const fw = await cli('b2', 'stemgnn', 'predict', '--checkpoint', t.run!.dir, '--data', few);
  assert.equal(fw.code, 1);
  assert.match(fw.out, /few\.csv, line 6: only 5 data rows/);
});

test('official PyTorch weights (safetensors + norm_stat.json) import and give the official forecast', async () => {
  const fx = JSON.parse(readFileSync(join(FIX, 'tiny.json'), 'utf8')) as { x: { data: number[]; shape: number[] }; forecast: { data: number[] } };
  const normStat = join(root, 'norm_stat.json');
  writeFileSync(normStat, JSON.stringify({ mean: [0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1] }));
  const m = await StemGNN.importOfficial(join(FIX, 'tiny.safetensors'), normStat, { storage: nodeStorage });
  const c = m.model.net.config;
  assert.deepEqual({ N: c.nodes, T: c.window, m: c.multiLayer, H: c.horizon }, { N: 5, T: 12, m: 1, H: 3 });
  const x = tf.tensor3d(fx.x.data, fx.x.shape as [number, number, number]);
  const { forecast, attention } = m.model.net.forward(x);
  const got = forecast.dataSync();
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! - fx.forecast.data[i]!));
  assert.ok(d <= 1e-4, `forecast differs by ${d}`);
  tf.dispose([x, forecast, attention]);
  m.dispose();

  // The same weights through `stemgnn import`, then `eval` on a 5-series CSV.
  const imp = await cli('c', 'stemgnn', 'import', '--weights', join(FIX, 'tiny.safetensors'), '--norm-stat', normStat);
  assert.equal(imp.code, 0, imp.out);
  const five = join(root, 'five.csv');
  writeFileSync(five, Array.from({ length: 200 }, (_, t) => Array.from({ length: 5 }, (_, k) => Math.sin(t / 3 + k).toFixed(4)).join(',')).join('\n') + '\n');
  const e = await cli('c', 'stemgnn', 'eval', '--checkpoint', imp.run!.dir, '--data', five);
  assert.equal(e.code, 0, e.out);
  assert.ok(e.result, e.out);
  assert.ok(Number.isFinite(mae(e.result, 'test')));
  const missing = await cli('c2', 'stemgnn', 'import', '--weights', join(FIX, 'tiny.safetensors'));
  assert.equal(missing.code, 2);
  assert.match(missing.out, /--norm-stat/);
});
