/**
 * A killed CG-KGR training resumes from its last checkpoint: 3 epochs straight equal 1 epoch, a
 * stop and a resume (weights, Adam state, neighbour sampling, shuffling, Top-K user draws and
 * dropout generators all continue exactly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { resolveConfig } from '../../../src/systems/cgkgr/config.js';
import { prepareData, trainCgkgr } from '../../../src/systems/cgkgr/train.js';
import { syntheticDataset } from '../../../src/systems/cgkgr/synthetic.js';
import { findLatestCheckpoint } from '../../../src/train/checkpoint.js';
import { nodeStorage } from '../../../src/node/storage.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

test('CG-KGR: 1 epoch + resume = 3 epochs straight', async () => {
  const ds = syntheticDataset({ nUser: 30, nItem: 60, nType: 6, nYear: 8, positives: 5, seed: 8 });
  const prep = prepareData(ds, { splitSeed: 1 });
  const cfg = (nEpoch: number) => resolveConfig({ nodeDim: 8, nHead: 2, sampleSize: 3, nLayer: 2, batchSize: 16, nEpoch });
  const storage = nodeStorage;
  const run = (nEpoch: number, dir: string, log?: (l: string) => void) => trainCgkgr(prep, { config: cfg(nEpoch), seed: 3, topKUsers: 10, checkpoint: { storage, dir }, log });
  const straight = await run(3, join(mkdtempSync(join(tmpdir(), 'cg-')), 'p'));
  const dir = join(mkdtempSync(join(tmpdir(), 'cg-')), 'p');
  (await run(1, dir)).model.dispose();
  // The killed run left its epoch-1 checkpoint; a second call on the same folder resumes from it.
  assert.match((await findLatestCheckpoint(storage, dir)) ?? '', /epoch-0001$/);
  const logs: string[] = [];
  const resumed = await run(3, dir, (l) => logs.push(l));
  assert.ok(logs.includes('[model] resumed after epoch 1'), logs.join('\n'));
  assert.equal(resumed.history.length, 3);
  assert.deepEqual(
    resumed.history.map((h) => h.loss),
    straight.history.map((h) => h.loss),
  );
  assert.equal(resumed.bestEpoch, straight.bestEpoch);
  assert.deepEqual(resumed.sampleState, straight.sampleState);
  for (const [k, v] of straight.model.stateDict()) assert.deepEqual(Array.from(resumed.model.stateDict().get(k)!.dataSync()), Array.from(v.dataSync()), k);
  straight.model.dispose();
  resumed.model.dispose();
});
