/**
 * A killed StemGNN run resumes from its last checkpoint: training 4 epochs straight equals
 * training 2 epochs, stopping, and resuming for the rest (weights, optimiser state, lr schedule,
 * shuffling and dropout generators all continue exactly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { parseSeriesTable } from '../../../src/data/table.js';
import { prepareSeries } from '../../../src/systems/stemgnn/data.js';
import { trainStemGNN } from '../../../src/systems/stemgnn/train.js';
import { resolveConfig } from '../../../src/systems/stemgnn/config.js';
import { nodeStorage } from '../../../src/node/storage.js';
import { Rng } from '../../../src/util/random.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function series(): string {
  const rng = new Rng(3);
  const rows: string[] = [];
  for (let t = 0; t < 160; t++) rows.push(Array.from({ length: 4 }, (_, j) => (Math.sin(t / (3 + j)) + 0.1 * rng.normal()).toFixed(4)).join(','));
  return rows.join('\n');
}

test('StemGNN: 2 epochs + resume = 4 epochs straight; a resume with another configuration is refused', async () => {
  const table = parseSeriesTable(series(), 'synthetic.csv', { header: 'no' });
  const cfg = (epochs: number, lr = 1e-3) => resolveConfig({ window: 8, horizon: 2, multiLayer: 1, lr, epochs, batchSize: 16, decayEvery: 1, decayRate: 0.7 });
  const data = prepareSeries(table, { window: 8, horizon: 2, splitRatios: [7, 2, 1], norm: 'z-score' });
  const ck = (dir: string) => ({ seed: 5, checkpoint: { storage: nodeStorage, dir } });
  const straight = await trainStemGNN(data, cfg(4), ck(join(mkdtempSync(join(tmpdir(), 'sg-')), 'p')));
  const dir = join(mkdtempSync(join(tmpdir(), 'sg-')), 'p');
  (await trainStemGNN(data, cfg(2), ck(dir))).net.dispose();
  // Another learning rate is another run: refused, naming the field.
  const other = await trainStemGNN(data, cfg(4, 5e-2), ck(dir)).catch((e: Error) => e);
  assert.ok(other instanceof Error && /different configuration \(config\.lr differs\)/.test(other.message), String(other));
  // Training longer continues the same run exactly.
  const resumed = await trainStemGNN(data, cfg(4), ck(dir));
  assert.deepEqual(
    resumed.history.map((h) => h.train['loss']),
    straight.history.map((h) => h.train['loss']),
  );
  for (const [k, v] of straight.net.stateDict()) assert.deepEqual(Array.from(resumed.net.stateDict().get(k)!.dataSync()), Array.from(v.dataSync()), k);
  straight.net.dispose();
  resumed.net.dispose();
});

test('StemGNN: a killed run resumes bit-identically', async () => {
  const table = parseSeriesTable(series(), 'synthetic.csv', { header: 'no' });
  const data = prepareSeries(table, { window: 8, horizon: 2, splitRatios: [7, 2, 1], norm: 'z-score' });
  const cfg = resolveConfig({ window: 8, horizon: 2, multiLayer: 1, lr: 1e-3, epochs: 4, batchSize: 16, decayEvery: 1, decayRate: 0.7 });
  const straight = await trainStemGNN(data, cfg, { seed: 5, checkpoint: { storage: nodeStorage, dir: join(mkdtempSync(join(tmpdir(), 'sg-')), 'p') } });
  const dir = join(mkdtempSync(join(tmpdir(), 'sg-')), 'p');
  // Stop after epoch 2 as Ctrl-C would (the signal is seen after a batch of epoch 3).
  const ac = new AbortController();
  const first = await trainStemGNN(data, cfg, { seed: 5, signal: ac.signal, checkpoint: { storage: nodeStorage, dir }, curve: (e) => void (e === 2 && ac.abort()) });
  assert.equal(first.history.length, 2);
  first.net.dispose();
  const resumed = await trainStemGNN(data, cfg, { seed: 5, checkpoint: { storage: nodeStorage, dir } });
  assert.equal(resumed.history.length, 4);
  assert.deepEqual(
    resumed.history.map((h) => h.train['loss']),
    straight.history.map((h) => h.train['loss']),
  );
  assert.equal(resumed.keptEpoch, straight.keptEpoch);
  for (const [k, v] of straight.net.stateDict()) assert.deepEqual(Array.from(resumed.net.stateDict().get(k)!.dataSync()), Array.from(v.dataSync()), k);
  straight.net.dispose();
  resumed.net.dispose();
});
