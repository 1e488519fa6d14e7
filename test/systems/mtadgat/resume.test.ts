/**
 * A killed MTAD-GAT training resumes from its last checkpoint: 3 epochs straight equal 1 epoch,
 * a stop, and a resume (weights, Adam state, shuffling and generators continue exactly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { trainModel } from '../../../src/systems/mtadgat/train.js';
import { Rng } from '../../../src/util/random.js';
import { findLatestCheckpoint } from '../../../src/train/checkpoint.js';
import { nodeStorage } from '../../../src/node/storage.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function series(): { data: Float32Array; rows: number; cols: number } {
  const rng = new Rng(9);
  const rows = 90,
    cols = 3;
  const data = new Float32Array(rows * cols);
  for (let t = 0; t < rows; t++) for (let j = 0; j < cols; j++) data[t * cols + j] = 0.5 + 0.3 * Math.sin(t / (2 + j)) + 0.05 * rng.normal();
  return { data, rows, cols };
}

test('MTAD-GAT: 1 epoch + resume = 3 epochs straight', async () => {
  const s = series() as never;
  const model = { lookback: 10, gruHidDim: 8, fcHidDim: 8, reconHidDim: 8 };
  const train = (epochs: number) => ({ epochs, batchSize: 16 });
  const storage = nodeStorage;
  const straight = await trainModel({ series: s, model, train: train(3), seed: 4, storage, progressDir: join(mkdtempSync(join(tmpdir(), 'mg-')), 'p') });
  const dir = join(mkdtempSync(join(tmpdir(), 'mg-')), 'p');
  (await trainModel({ series: s, model, train: train(1), seed: 4, storage, progressDir: dir })).model.dispose();
  // The killed run left its epoch-1 checkpoint; a second call on the same folder resumes from it.
  assert.match((await findLatestCheckpoint(storage, dir)) ?? '', /epoch-0001$/);
  const logs: string[] = [];
  const resumed = await trainModel({ series: s, model, train: train(3), seed: 4, storage, progressDir: dir, log: (l) => logs.push(l) });
  assert.ok(logs.includes('resumed after epoch 1'), logs.join('\n'));
  assert.equal(resumed.history.length, 3);
  assert.deepEqual(
    resumed.history.map((h) => h.trainTotal),
    straight.history.map((h) => h.trainTotal),
  );
  for (const [k, v] of straight.model.stateDict()) assert.deepEqual(Array.from(resumed.model.stateDict().get(k)!.dataSync()), Array.from(v.dataSync()), k);
  straight.model.dispose();
  resumed.model.dispose();
});
