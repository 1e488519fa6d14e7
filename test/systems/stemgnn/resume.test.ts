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
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { parseNumericCsv } from '../../../src/data/index.js';
import { prepareSeries } from '../../../src/systems/stemgnn/data.js';
import { trainStemGNN } from '../../../src/systems/stemgnn/train.js';
import { Rng } from '../../../src/util/random.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function series(): string {
  const rng = new Rng(3);
  const rows: string[] = [];
  for (let t = 0; t < 160; t++) rows.push(Array.from({ length: 4 }, (_, j) => (Math.sin(t / (3 + j)) + 0.1 * rng.normal()).toFixed(4)).join(','));
  return rows.join('\n');
}

test('StemGNN: 2 epochs + resume = 4 epochs straight', async () => {
  const table = { ...parseNumericCsv(series(), { source: 'synthetic.csv', header: false }), source: 'synthetic.csv', firstLine: 1 };
  const data = prepareSeries(table, { window: 8, horizon: 2, splitRatios: [7, 2, 1], norm: 'z-score' });
  const base = { model: { multiLayer: 1 }, seed: 5 };
  const train = (epochs: number) => ({ lr: 1e-3, epochs, batchSize: 16, decayEvery: 1, decayRate: 0.7 });
  const straight = await trainStemGNN(data, { ...base, train: train(4), progressDir: join(mkdtempSync(join(tmpdir(), 'sg-')), 'p') });
  const dir = join(mkdtempSync(join(tmpdir(), 'sg-')), 'p');
  const first = await trainStemGNN(data, { ...base, train: train(2), progressDir: dir });
  first.model.dispose();
  const resumed = await trainStemGNN(data, { ...base, train: train(4), progressDir: dir, resume: true });
  assert.equal(resumed.history.length, 4);
  assert.deepEqual(resumed.history.map((h) => h.trainLoss), straight.history.map((h) => h.trainLoss));
  assert.equal(resumed.bestEpoch, straight.bestEpoch);
  for (const [k, v] of straight.model.stateDict()) {
    const w = resumed.model.stateDict().get(k)!;
    assert.deepEqual(Array.from(w.dataSync()), Array.from(v.dataSync()), k);
  }
  assert.equal(resumed.test.model.mae, straight.test.model.mae);
  straight.model.dispose();
  resumed.model.dispose();
  assert.ok(tf.memory().numTensors < 10_000);
});
