/**
 * Stopping is prompt in every system that trains through the shared loop (issue 18): an abort
 * raised during the first batch of the first epoch ends training after that batch — the step
 * count is checked, not seconds — while the epoch had more batches to go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../src/engine/index.js';
import { SYSTEMS } from '../../src/systems/index.js';
import { libraryEnv, splitTrainOptions } from '../../src/system/run.js';
import { OverlayStorage } from '../helpers/storage.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

for (const name of ['mtadgat', 'cgkgr', 'stemgnn', 'tgsl', 'bsm']) {
  test(`${name}: an abort during the first batch stops after that batch`, async () => {
    const sys = SYSTEMS.find((s) => s.name === name)!;
    const storage = new OverlayStorage();
    const setting = await sys.conformance(storage);
    const opts = splitTrainOptions(sys, { ...setting.data, ...setting.config, ...(setting.eval ?? {}) }, name);
    const data = await sys.loadData(opts.data, libraryEnv(storage, { seed: 1 }));
    const ac = new AbortController();
    const seen: Array<{ epoch: number; batch: number; batches: number | undefined }> = [];
    const env = libraryEnv(storage, {
      seed: 1,
      signal: ac.signal,
      progress: {
        batch: (p) => {
          seen.push({ epoch: p.epoch, batch: p.batch, batches: p.batches });
          ac.abort();
        },
      },
    });
    const m = await sys.train(data, opts.config, opts.eval, env);
    sys.dispose(m);
    assert.equal(seen.length, 1, `batches run after the abort: ${JSON.stringify(seen)}`);
    assert.ok(seen[0]!.batches !== undefined && seen[0]!.batches >= 2, `the first epoch had ${seen[0]!.batches} batches: the check needs at least 2`);
  });
}
