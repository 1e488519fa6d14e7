/** End to end at a quick setting: train → checkpoint → eval → predict, and official weights. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import type { VerbContext, SystemVerb } from '../../../src/node/cli/system.js';
import { InputError } from '../../../src/util/errors.js';
import { readNumericCsv } from '../../../src/data/index.js';
import { stemgnnSystem } from '../../../src/systems/stemgnn/cli.js';
import { loadStemGNN } from '../../../src/systems/stemgnn/checkpoint.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const root = mkdtempSync(join(tmpdir(), 'stemgnn-cli-'));
const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'stemgnn');

function ctx(name: string, epochs: Array<[number, string, Record<string, number>]> = []): VerbContext {
  const runDir = join(root, name);
  mkdirSync(runDir, { recursive: true });
  return {
    runId: name,
    runDir,
    seed: 1,
    backend: 'wasm',
    log: () => {},
    signal: new AbortController().signal,
    logEpoch: (e, s, m) => epochs.push([e, s, m]),
    quick: true,
  };
}

function verb(name: string): SystemVerb {
  const v = stemgnnSystem.verbs.find((x) => x.name === name);
  assert.ok(v, name);
  return v;
}

async function run(name: string, flags: Record<string, unknown>, c: VerbContext) {
  const v = verb(name);
  return v.run(v.options.parse(flags), c);
}

// 4 series × 170 days with a weekly pattern, a header row and a few missing cells.
const N = 4;
const rows = 170;
const lines = ['north,south,east,west'];
for (let t = 0; t < rows; t++) {
  lines.push(
    Array.from({ length: N }, (_, c) => (t % 37 === 5 && c === 2 ? 'NA' : (10 + c + 3 * Math.sin((2 * Math.PI * t) / 7 + c) + 0.01 * t).toFixed(3))).join(','),
  );
}
const dataPath = join(root, 'series.csv');
writeFileSync(dataPath, lines.join('\n') + '\n');
const quick = { data: dataPath, window: 8, horizon: 2, multiLayer: 1, epochs: 2, lr: 1e-3, season: 7 };

test('train → eval → predict at a quick setting', async () => {
  const epochs: Array<[number, string, Record<string, number>]> = [];
  const c = ctx('train', epochs);
  const r = await run('train', quick, c);
  // Metrics of the test and valid splits, the model beside three baselines.
  assert.deepEqual(r.metrics!.map((m) => m.split), ['test', 'valid']);
  for (const m of r.metrics!) {
    assert.deepEqual(m.rows.map((x) => x.label), ['StemGNN', 'last value', 'seasonal naive (period 7)', 'window mean']);
    for (const row of m.rows) assert.ok(Number.isFinite(row.values['MAE']) && Number.isFinite(row.values['RMSE']));
  }
  assert.ok(existsSync(join(c.runDir!, 'checkpoint', 'model.safetensors')));
  assert.ok(existsSync(join(c.runDir!, 'test_predict.csv')));
  assert.deepEqual([...new Set(epochs.map((e) => e[1]))].sort(), ['train', 'valid']);
  assert.equal(epochs.filter((e) => e[1] === 'valid').length, 2);
  const titles = r.sections!.map((s) => s.title);
  assert.ok(titles.some((t) => t.startsWith('Forecast vs actual')) && titles.includes('Learned graph') && titles.includes('Training history'));

  // eval on the checkpoint reproduces the test scores of training (same weights, same batches).
  const e = await run('eval', { checkpoint: c.runDir, data: dataPath, season: 7 }, ctx('eval'));
  const trainMae = r.metrics![0]!.rows[0]!.values['MAE']!;
  const evalMae = e.metrics![0]!.rows[0]!.values['MAE']!;
  assert.ok(Math.abs(trainMae - evalMae) < 1e-6, `${trainMae} vs ${evalMae}`);

  // predict on the file cut before the last test targets equals the last window's forecast when
  // scored alone (batch size 1: the learned graph is a batch mean).
  const e1c = ctx('eval1');
  await run('eval', { checkpoint: join(c.runDir!, 'checkpoint'), data: dataPath, batchSize: 1, season: 7 }, e1c);
  const pred1 = readNumericCsv(join(e1c.runDir!, 'test_predict.csv'));
  const cut = join(root, 'cut.csv');
  writeFileSync(cut, lines.slice(0, lines.length - 2).join('\n') + '\n');
  const pc = ctx('predict');
  const p = await run('predict', { checkpoint: c.runDir, data: cut }, pc);
  const out = readNumericCsv(p.artifacts![0]!.path);
  assert.deepEqual(out.header, ['north', 'south', 'east', 'west']);
  assert.equal(out.rows, 2);
  const lastRow = pred1.data.subarray((pred1.rows - 1) * N);
  for (let i = 0; i < N; i++) assert.ok(Math.abs(out.data[i]! - lastRow[i]!) < 1e-3, `series ${i}: ${out.data[i]} vs ${lastRow[i]}`);
});

test('predict rejects files with the wrong columns or too few rows, naming file and line', async () => {
  const c = ctx('train2');
  await run('train', { ...quick, epochs: 1 }, c);
  const wrong = join(root, 'wrong.csv');
  writeFileSync(wrong, 'a,b,c\n' + '1,2,3\n'.repeat(10));
  await assert.rejects(run('predict', { checkpoint: c.runDir, data: wrong }, ctx('p2')), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /wrong\.csv, line 1: has 3 columns but the model forecasts 4 series/);
    return true;
  });
  const few = join(root, 'few.csv');
  writeFileSync(few, 'a,b,c,d\n' + '1,2,3,4\n'.repeat(5));
  await assert.rejects(run('predict', { checkpoint: c.runDir, data: few }, ctx('p3')), /few\.csv, line 6: only 5 data rows/);
});

test('official PyTorch weights (safetensors + norm_stat.json) load and give the official forecast', async () => {
  const fx = JSON.parse(readFileSync(join(FIX, 'tiny.json'), 'utf8')) as { x: { data: number[]; shape: number[] }; forecast: { data: number[] } };
  const normStat = join(root, 'norm_stat.json');
  writeFileSync(normStat, JSON.stringify({ mean: [0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1] }));
  const loaded = loadStemGNN(join(FIX, 'tiny.safetensors'), { normStat });
  assert.deepEqual(
    { N: loaded.model.config.nodes, T: loaded.model.config.window, m: loaded.model.config.multiLayer, H: loaded.model.config.horizon },
    { N: 5, T: 12, m: 1, H: 3 },
  );
  const x = tf.tensor3d(fx.x.data, fx.x.shape as [number, number, number]);
  const { forecast, attention } = loaded.model.forward(x);
  const got = forecast.dataSync();
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! - fx.forecast.data[i]!));
  assert.ok(d <= 1e-4, `forecast differs by ${d}`);
  tf.dispose([x, forecast, attention]);
  loaded.model.dispose();

  // The same weights through the eval verb on a 5-series CSV.
  const five = join(root, 'five.csv');
  writeFileSync(five, Array.from({ length: 200 }, (_, t) => Array.from({ length: 5 }, (_, c) => Math.sin(t / 3 + c).toFixed(4)).join(',')).join('\n') + '\n');
  const r = await run('eval', { checkpoint: join(FIX, 'tiny.safetensors'), normStat, data: five }, ctx('official'));
  assert.equal(r.metrics![0]!.split, 'test');
  assert.ok(Number.isFinite(r.metrics![0]!.rows[0]!.values['MAE']));
  await assert.rejects(run('eval', { checkpoint: join(FIX, 'tiny.safetensors'), data: five }, ctx('official2')), /--norm-stat/);
});
